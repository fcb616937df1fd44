/**
 * Reads a Pulumi project's stack settings the way the Pulumi CLI does, without the CLI:
 * `Pulumi.yaml` (project name, `main`, project-level config defaults) and `Pulumi.<stack>.yaml`.
 * Values come back flat, `namespace:key` -> string, objects as JSON text (Pulumi's own form).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { lineOf, parseYamlFile, YamlFileError } from "./yaml-file";

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

function readYaml(file: string): { doc: unknown; text: string } {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    throw new StackSettingsError(`cannot read ${file}: no such file`);
  }
  try {
    return { doc: parseYamlFile(text, file), text };
  } catch (err) {
    if (err instanceof YamlFileError) throw new StackSettingsError(err.message);
    throw err;
  }
}

const asText = (value: unknown): string => (typeof value === "string" ? value : JSON.stringify(value));

export function loadStackSettings(programDir: string, stack: string): StackSettings {
  const dir = path.resolve(programDir);
  const projectFile = path.join(dir, "Pulumi.yaml");
  const projectYaml = readYaml(projectFile);
  const project = (projectYaml.doc ?? {}) as { name?: unknown; main?: unknown; config?: unknown };
  if (typeof project.name !== "string" || project.name === "") {
    const line = lineOf(projectYaml.text, /^name\s*:/);
    throw new StackSettingsError(
      line
        ? `${projectFile}:${line}: \`name:\` must be the project's name, a non-empty string (got ${JSON.stringify(project.name ?? null)})`
        : `${projectFile}: has no project name (add a \`name: <project>\` line)`,
    );
  }
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
  const stackYaml = readYaml(stackFile);
  const stackDoc = (stackYaml.doc ?? {}) as { config?: unknown };
  if (typeof stackDoc !== "object" || Array.isArray(stackDoc))
    throw new StackSettingsError(
      `${stackFile}:1: the file must be a map (with a \`config:\` map of keys to values)`,
    );
  if (
    stackDoc.config !== undefined &&
    stackDoc.config !== null &&
    (typeof stackDoc.config !== "object" || Array.isArray(stackDoc.config))
  ) {
    const line = lineOf(stackYaml.text, /^config\s*:/) ?? 1;
    throw new StackSettingsError(
      `${stackFile}:${line}: \`config:\` must be a map of keys to values (got ${Array.isArray(stackDoc.config) ? "a list" : JSON.stringify(stackDoc.config)})`,
    );
  }
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
