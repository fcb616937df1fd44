/**
 * Test harness: runs the whole program for a stack under Pulumi's runtime mocks (first-preview
 * semantics, realistic invoke answers) and returns every resource it declared.
 *
 *   const run = await runStack("prod");
 *   const target = run.one("aws:appautoscaling/target:Target");
 *   expect(target.inputs.resourceId).toBe("endpoint/ml-platform-prod-endpoint/variant/AllTraffic");
 *
 * `overrides` replace or deep-merge config keys (`{ "ml-platform:endpoint": { mode: "instance" } }`);
 * `null` removes a key.
 */
import * as path from "node:path";
import type { S3World } from "../cli/invokes";
import { CapturedResource, runUnderMocks, UNKNOWN } from "./support/mock-run";
import { loadStackSettings } from "../cli/stack-config";

export { UNKNOWN } from "./support/mock-run";
export const PROJECT_DIR = path.resolve(__dirname, "..");

export interface StackRun {
  stack: string;
  resources: CapturedResource[];
  outputs: Record<string, unknown> | undefined;
  /** All resources of a type token, e.g. `aws:iam/role:Role`. */
  ofType(type: string): CapturedResource[];
  /** The one resource of a type (and, optionally, logical name); throws if there are 0 or >1. */
  one(type: string, name?: string): CapturedResource;
  /** Children of a resource (by URN). */
  childrenOf(urn: string): CapturedResource[];
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function deepMerge(base: unknown, patch: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(patch)) return patch;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) out[k] = v === undefined ? undefined : deepMerge(base[k], v);
  return out;
}

/** Config of a stack file with overrides applied, in Pulumi's flat string form. */
export function stackConfig(stack: string, overrides: Record<string, unknown> = {}): Record<string, string> {
  const config = { ...loadStackSettings(PROJECT_DIR, stack).config };
  for (const [key, patch] of Object.entries(overrides)) {
    if (patch === null) {
      delete config[key];
      continue;
    }
    const current =
      config[key] === undefined
        ? undefined
        : /^\s*[[{]/.test(config[key])
          ? JSON.parse(config[key])
          : config[key];
    const merged = deepMerge(current, patch);
    config[key] = typeof merged === "string" ? merged : JSON.stringify(merged);
  }
  return config;
}

export interface RunOptions {
  /**
   * What the artifact store holds, as the S3 listing invoke answers (cli/invokes/s3-objects.ts).
   * Default `present`: the data is uploaded and nothing is trained yet.
   */
  s3?: S3World;
}

/** Runs our program with a stack's config (optionally overridden). */
export function runStack(
  stack: string,
  overrides: Record<string, unknown> = {},
  options: RunOptions = {},
): Promise<StackRun> {
  return runProgramWithConfig(stack, stackConfig(stack, overrides), options);
}

/** Runs our program with exactly this flat config. */
export async function runProgramWithConfig(
  stack: string,
  config: Record<string, string>,
  options: RunOptions = {},
): Promise<StackRun> {
  const program: () => Promise<Record<string, unknown>> = require("../stacks/index");
  const run = await runUnderMocks(program, {
    project: "ml-platform",
    stack,
    config,
    strictInvokes: true,
    s3: options.s3,
  });
  const resources = run.resources;
  const ofType = (type: string) => resources.filter((r) => r.type === type);
  return {
    stack,
    resources,
    outputs: run.result,
    ofType,
    one(type, name) {
      const found = ofType(type).filter((r) => name === undefined || r.name === name);
      if (found.length !== 1)
        throw new Error(
          `expected one ${type}${name ? ` named ${name}` : ""}, found ${found.length}: ${found.map((r) => r.name).join(", ")}`,
        );
      return found[0];
    },
    childrenOf: (urn) => resources.filter((r) => r.parent === urn),
  };
}

/** Parses a JSON-string input (policy documents), failing loudly if it is unknown. */
export function jsonInput(resource: CapturedResource, key: string): any {
  const value = resource.inputs[key];
  if (value === UNKNOWN) throw new Error(`${resource.type} ${resource.name}: ${key} is unknown at preview`);
  return typeof value === "string" ? JSON.parse(value) : value;
}

/** Every input path whose value is unknown at preview, e.g. ["roleArn", "tags.x"]. */
export function unknownPaths(value: unknown, prefix = ""): string[] {
  if (value === UNKNOWN) return [prefix];
  if (Array.isArray(value)) return value.flatMap((v, i) => unknownPaths(v, `${prefix}[${i}]`));
  if (isPlainObject(value))
    return Object.entries(value).flatMap(([k, v]) => unknownPaths(v, prefix ? `${prefix}.${k}` : k));
  return [];
}
