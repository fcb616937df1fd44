/**
 * The measured capacity figure a stack names (`ml-platform:endpoint.autoscaling.capacityFile`):
 * a file `npm run bench:serve` wrote (bench/capacity/<name>.json, shape in bench/README.md), read
 * and checked here so the endpoint component gets it as data and stays free of the filesystem.
 * A path is relative to the project directory (where Pulumi.yaml is). Every problem is a
 * ConfigError naming the key, the file and the field.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { capacityFileSchema } from "../bench/capacity";
import type { MeasuredCapacity } from "../components/inference-endpoint";
import { problemsOf } from "../components/shared/arg-schema";
import { ConfigError, keyOf } from "./config";

/** The project directory (Pulumi.yaml): this file is stacks/capacity.ts inside it. */
export const PROJECT_DIR = path.resolve(__dirname, "..");

export const CAPACITY_FILE_KEY = ["endpoint", "autoscaling", "capacityFile"] as const;

/** Reads and checks a capacity file; `file` as the config wrote it (it is the figure's `source`). */
export function readCapacityFile(file: string, projectDir = PROJECT_DIR): MeasuredCapacity {
  const key = keyOf(CAPACITY_FILE_KEY);
  const full = path.resolve(projectDir, file);
  const fail = (what: string): never => {
    throw new ConfigError([`${key} ${file}: ${what}`]);
  };
  if (!existsSync(full))
    throw new ConfigError([
      `${key} names ${file}, which does not exist (looked for ${full}; paths are relative to the project directory, ` +
        "where Pulumi.yaml is); measure one with npm run bench:serve (it writes bench/capacity/<name>.json) or correct the path",
    ]);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(full, "utf8"));
  } catch (err) {
    return fail(`is not a capacity file: ${(err as Error).message}`);
  }
  const parsed = capacityFileSchema.safeParse(raw);
  if (!parsed.success)
    throw new ConfigError(
      problemsOf(capacityFileSchema, parsed.error.issues, raw).map(
        (p) => `${key} ${file}: ${p.path.length ? p.path.join(".") : "the file"} ${p.message}`,
      ),
    );
  const figure = parsed.data;
  const bound = figure.latencyBound;
  if (figure.sustainedRequestsPerSecond === 0)
    fail(
      `sustainedRequestsPerSecond is 0: no load level kept p${bound.percentile} within ${bound.milliseconds} ms, so it ` +
        "gives no capacity; re-measure with a looser bound (BENCH_SERVE_LATENCY_BOUND_MS=<ms> npm run bench:serve) " +
        "or set endpoint.autoscaling.targetInvocationsPerInstance",
    );
  return {
    requestsPerSecondPerInstance: figure.sustainedRequestsPerSecond,
    vCpus: figure.instance.vCpus,
    latencyBoundMs: bound.milliseconds,
    latencyPercentile: bound.percentile,
    source: file,
    measuredAt: figure.measuredAt,
  };
}
