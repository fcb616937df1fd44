/**
 * Reads a Pulumi project's stack settings the way the Pulumi CLI does, without the CLI:
 * `Pulumi.yaml` (project name, `main`, project-level config defaults) and `Pulumi.<stack>.yaml`.
 * Values come back flat, `namespace:key` -> string, objects as JSON text (Pulumi's own form).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

export interface StackSettings {
  project: string;
  programDir: string;
  /** Absolute path of the program's entry module. */
  main: string;
  stack: string;
  stackFile: string;
  config: Record<string, string>;
  /** Keys given as `secure:` values (encrypted; their values are not readable offline). */
  secretKeys: string[];
}

export class StackSettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StackSettingsError";
  }
}

function readYaml(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    throw new StackSettingsError(`cannot read ${file}: no such file`);
  }
  try {
    return parse(text) ?? {};
  } catch (err) {
    throw new StackSettingsError(`${file} is not valid YAML: ${(err as Error).message.split("\n")[0]}`);
  }
}

const asText = (value: unknown): string => (typeof value === "string" ? value : JSON.stringify(value));

export function loadStackSettings(programDir: string, stack: string): StackSettings {
  const dir = path.resolve(programDir);
  const projectFile = path.join(dir, "Pulumi.yaml");
  const project = readYaml(projectFile) as { name?: unknown; main?: unknown; config?: unknown };
  if (typeof project.name !== "string" || project.name === "")
    throw new StackSettingsError(`${projectFile} has no project name (\`name:\`)`);
  const name = project.name;
  const qualify = (key: string) => (key.includes(":") ? key : `${name}:${key}`);

  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  // Project-level config: `key: { value | default: ... }` or a bare default.
  if (project.config && typeof project.config === "object") {
    for (const [key, spec] of Object.entries(project.config as Record<string, unknown>)) {
      const value =
        spec && typeof spec === "object" && !Array.isArray(spec)
          ? ((spec as Record<string, unknown>).value ?? (spec as Record<string, unknown>).default)
          : spec;
      if (value !== undefined) config[qualify(key)] = asText(value);
    }
  }

  const stackFile = path.join(dir, `Pulumi.${stack}.yaml`);
  const stackDoc = readYaml(stackFile) as { config?: unknown };
  if (
    stackDoc.config !== undefined &&
    (typeof stackDoc.config !== "object" || Array.isArray(stackDoc.config))
  )
    throw new StackSettingsError(`${stackFile}: \`config:\` must be a map of keys to values`);
  for (const [key, value] of Object.entries((stackDoc.config ?? {}) as Record<string, unknown>)) {
    if (value && typeof value === "object" && "secure" in (value as object)) {
      config[qualify(key)] = "[secret]";
      secretKeys.push(qualify(key));
    } else if (value !== null && value !== undefined) {
      config[qualify(key)] = asText(value);
    }
  }

  const main = typeof project.main === "string" ? path.resolve(dir, project.main) : dir;
  return { project: name, programDir: dir, main, stack, stackFile, config, secretKeys };
}
