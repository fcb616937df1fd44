/**
 * Policy configuration as `pulumi preview --policy-pack-config` handles it
 * (pkg/resource/analyzer/config.go in pulumi/pulumi):
 *   - the file maps a policy name (or "all") to an enforcement level, or to an object of properties
 *     with an optional `enforcementLevel`; levels are advisory, mandatory, remediate, disabled;
 *   - the config sent to a pack starts from each policy's default level and schema defaults, then
 *     the pack's initial config, then "all", then the file's entries;
 *   - every policy's properties are validated against its config schema (JSON Schema).
 * Stricter than the CLI on purpose: a name that no pack defines is an error (it is almost always a
 * typo that would silently leave a policy at its default).
 */
import Ajv from "ajv";
import * as fs from "node:fs";
import * as path from "node:path";
import { AnalyzerInfo, ENFORCEMENT_LEVELS, EnforcementLevel, PolicyConfig } from "./analyzer-client";
import { PlanError } from "./errors";

export interface PolicyConfigEntry {
  enforcementLevel?: EnforcementLevel;
  properties: Record<string, unknown>;
}

export interface PolicyConfigFile {
  file: string;
  entries: Record<string, PolicyConfigEntry>;
  /** How messages name the file: `--policy-config <file>`, or `policy config <file>` for a stack's own. */
  label?: string;
}

const labelOf = (c: { file: string; label?: string }) => c.label ?? `--policy-config ${c.file}`;

const LEVELS: readonly string[] = ENFORCEMENT_LEVELS;

export function readPolicyConfigFile(file: string, label?: string): PolicyConfigFile {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    throw new PlanError(`${labelOf({ file, label })}: cannot read the file`);
  }
  return parsePolicyConfig(text, file, label);
}

export function parsePolicyConfig(text: string, file: string, label?: string): PolicyConfigFile {
  const entries: Record<string, PolicyConfigEntry> = {};
  const at = labelOf({ file, label });
  if (text.trim() === "") return { file, entries, label };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new PlanError(`${at}: not valid JSON (${(err as Error).message})`);
  }
  if (doc === null || typeof doc !== "object" || Array.isArray(doc))
    throw new PlanError(`${at}: expected a JSON object of policy names`);
  for (const [name, value] of Object.entries(doc as Record<string, unknown>)) {
    const where = `${at}: "${name}"`;
    if (typeof value === "string") {
      entries[name] = { enforcementLevel: level(value, where), properties: {} };
    } else if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      const { enforcementLevel, ...properties } = value as Record<string, unknown>;
      if (enforcementLevel !== undefined && typeof enforcementLevel !== "string")
        throw new PlanError(`${where}: enforcementLevel must be a string (one of ${LEVELS.join(", ")})`);
      entries[name] = {
        enforcementLevel: enforcementLevel === undefined ? undefined : level(enforcementLevel, where),
        properties,
      };
    } else {
      throw new PlanError(
        `${where}: must be an enforcement level or an object (got ${JSON.stringify(value)})`,
      );
    }
  }
  return { file, entries, label };
}

function level(value: string, where: string): EnforcementLevel {
  if (!LEVELS.includes(value))
    throw new PlanError(
      `${where}: "${value}" is not a valid enforcement level (use one of ${LEVELS.join(", ")})`,
    );
  return value as EnforcementLevel;
}

/**
 * Checks that every policy a file names exists in one of the packs it applies to ("all" always
 * does), and says which name was probably meant.
 */
export function checkPolicyNames(config: PolicyConfigFile, packs: AnalyzerInfo[]): void {
  const known = packs.flatMap((p) => p.policies.map((x) => x.name));
  for (const name of Object.keys(config.entries)) {
    if (name === "all" || known.includes(name)) continue;
    const guess = closest(name, known);
    const packNames = packs.map((p) => p.name).join(", ");
    throw new PlanError(
      `${labelOf(config)}: unknown policy "${name}" (not in policy pack ${packNames})` +
        (guess ? `; did you mean "${guess}"?` : ""),
    );
  }
}

/**
 * Checks that every property a file sets is one the policy's config schema declares (the schemas
 * packs publish in GetAnalyzerInfo): a typo such as `maxUnusedDayz` would otherwise be ignored by
 * the policy and leave its default in force. `all` takes only an enforcement level.
 */
export function checkPolicyProperties(config: PolicyConfigFile, packs: AnalyzerInfo[]): void {
  const problems: string[] = [];
  for (const [name, entry] of Object.entries(config.entries)) {
    const props = Object.keys(entry.properties);
    if (props.length === 0) continue;
    if (name === "all") {
      problems.push(`"all" takes only an enforcement level (got ${props.map((p) => `"${p}"`).join(", ")})`);
      continue;
    }
    const known = [
      ...new Set(
        packs.flatMap((p) =>
          p.policies
            .filter((x) => x.name === name)
            .flatMap((x) => Object.keys(x.configSchema?.properties ?? {})),
        ),
      ),
    ];
    for (const prop of props) {
      if (known.includes(prop)) continue;
      const guess = closest(prop, known);
      problems.push(
        `"${name}" has no property "${prop}" (` +
          (known.length > 0 ? `its properties: ${known.join(", ")}` : "it takes no properties") +
          ")" +
          (guess ? `; did you mean "${guess}"?` : ""),
      );
    }
  }
  if (problems.length > 0) throw new PlanError(`${labelOf(config)}: ${problems.join("; ")}`);
}

/** Props the plan's own flags set on every policy whose schema declares them (flags beat files). */
export type InjectedProperties = Record<string, unknown>;

/** The config one pack receives: defaults, initial config, "all", the files' entries, flag values. */
export function reconcile(
  pack: AnalyzerInfo,
  files: PolicyConfigFile[],
  injected: InjectedProperties = {},
): Record<string, PolicyConfig> {
  const result: Record<string, PolicyConfig> = {};
  for (const p of pack.policies) {
    const properties: Record<string, unknown> = {};
    for (const [k, schema] of Object.entries(p.configSchema?.properties ?? {}))
      if (schema && "default" in schema) properties[k] = schema.default;
    result[p.name] = { enforcementLevel: p.enforcementLevel, properties };
  }
  const apply = (entries: Record<string, Partial<PolicyConfig>>) => {
    const all = entries.all;
    if (all?.enforcementLevel)
      for (const c of Object.values(result)) c.enforcementLevel = all.enforcementLevel;
    for (const [name, given] of Object.entries(entries)) {
      const target = result[name];
      if (!target) continue; // another pack's policy, or "all"
      if (given.enforcementLevel) target.enforcementLevel = given.enforcementLevel;
      Object.assign(target.properties, given.properties ?? {});
    }
  };
  apply(pack.initialConfig);
  for (const f of files) apply(f.entries);
  for (const p of pack.policies)
    for (const [k, v] of Object.entries(injected))
      if (p.configSchema?.properties && k in p.configSchema.properties) result[p.name].properties[k] = v;
  return result;
}

const ajv = new Ajv({ allErrors: true });

/** Validates each policy's properties against its config schema; returns one problem per line. */
export function validate(pack: AnalyzerInfo, config: Record<string, PolicyConfig>): string[] {
  const problems: string[] = [];
  for (const p of pack.policies) {
    if (!p.configSchema) continue;
    const schema: Record<string, unknown> = { type: "object", properties: p.configSchema.properties };
    if (p.configSchema.required.length > 0) schema.required = p.configSchema.required;
    let check;
    try {
      check = ajv.compile(schema);
    } catch (err) {
      problems.push(
        `${p.name}: the pack's config schema is not valid JSON Schema (${(err as Error).message})`,
      );
      continue;
    }
    if (check(config[p.name]?.properties ?? {})) continue;
    for (const e of check.errors ?? []) {
      const at = e.dataPath ? e.dataPath.replace(/^\./, "") + " " : "";
      const allowed =
        e.keyword === "enum"
          ? ` (${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(", ")})`
          : "";
      problems.push(`${p.name}: ${at}${e.message}${allowed}`);
    }
  }
  return problems;
}

/** The known name nearest to `name` by edit distance, if it is close enough to be a typo. */
function closest(name: string, known: string[]): string | undefined {
  let best: { name: string; d: number } | undefined;
  for (const k of known) {
    const d = editDistance(name, k);
    if (!best || d < best.d) best = { name: k, d };
  }
  return best && best.d <= Math.max(2, Math.floor(name.length / 4)) ? best.name : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++)
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/** Where a stack's own policy config lives, relative to its program directory. */
export const STACK_POLICY_CONFIG_DIR = path.join("policy", "config");

/** Which policy config files a plan applied, and why (reported in every output). */
export interface PolicyConfigChoice {
  /** `--policy-config` given; else the program's `policy/config/<stack>.json`; else none (the packs' defaults). */
  chosenBy: "--policy-config" | "stack" | "defaults";
  /** Absolute paths, in the order given. */
  files: string[];
  /** The per-stack file looked for (whether or not it exists). */
  stackFile: string;
}

/**
 * `--policy-config` wins; without it, the program's `policy/config/<stack>.json` when that file
 * exists (ours: policy/config/dev.json and prod.json); else none, and every policy runs at its
 * pack's defaults. The file sits with the program, so a foreign program never picks up our stacks'
 * files by sharing a stack name.
 */
export function choosePolicyConfig(
  flagFiles: string[],
  programDir: string,
  stack: string,
): PolicyConfigChoice {
  const stackFile = path.join(programDir, STACK_POLICY_CONFIG_DIR, `${stack}.json`);
  if (flagFiles.length > 0) return { chosenBy: "--policy-config", files: flagFiles, stackFile };
  if (fs.existsSync(stackFile)) return { chosenBy: "stack", files: [stackFile], stackFile };
  return { chosenBy: "defaults", files: [], stackFile };
}

/** One line for people: which file, and why (paths relative to `root` when inside it). */
export function describePolicyConfig(choice: PolicyConfigChoice, stack: string, root: string): string {
  const show = (f: string) => displayPath(f, root);
  switch (choice.chosenBy) {
    case "--policy-config":
      return `${choice.files.map(show).join(", ")} (--policy-config)`;
    case "stack":
      return `${show(choice.stackFile)} (the file for stack "${stack}"; --policy-config overrides it)`;
    default:
      return `none: every policy at its pack's defaults (no ${show(choice.stackFile)} for stack "${stack}"; give one with --policy-config)`;
  }
}

/** A path relative to `root` when it lies inside it, else absolute. */
export function displayPath(file: string, root: string): string {
  const rel = path.relative(root, file);
  return rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : file;
}
