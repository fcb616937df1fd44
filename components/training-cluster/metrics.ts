/**
 * The metric definitions and tuning objective live once, in training/metrics.json, beside the
 * code that prints them; jobs and the tuner read them from there.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export interface MetricDefinition {
  name: string;
  regex: string;
}

export interface TrainingMetrics {
  definitions: MetricDefinition[];
  objective: { metricName: string; type: "Maximize" | "Minimize" };
}

export const DEFAULT_METRICS_FILE = path.resolve(__dirname, "..", "..", "training", "metrics.json");

/** Validates the file's shape: `{ MetricDefinitions: [{Name, Regex}], Objective: {MetricName, Type} }`. */
export function parseTrainingMetrics(raw: unknown, source = "metrics.json"): TrainingMetrics {
  const fail = (what: string): never => {
    throw new Error(`${source}: ${what}`);
  };
  if (raw === null || typeof raw !== "object") return fail("must be a JSON object");
  const { MetricDefinitions, Objective } = raw as Record<string, unknown>;
  if (!Array.isArray(MetricDefinitions) || MetricDefinitions.length === 0)
    return fail('"MetricDefinitions" must be a non-empty list of {"Name", "Regex"}');
  const definitions = MetricDefinitions.map((d, i) => {
    const { Name, Regex } = (d ?? {}) as Record<string, unknown>;
    if (typeof Name !== "string" || !Name)
      return fail(`MetricDefinitions[${i}].Name must be a non-empty string`);
    if (typeof Regex !== "string" || !Regex)
      return fail(`MetricDefinitions[${i}].Regex must be a non-empty string`);
    try {
      new RegExp(Regex);
    } catch {
      return fail(`MetricDefinitions[${i}].Regex is not a valid regular expression: ${Regex}`);
    }
    return { name: Name, regex: Regex };
  });
  const { MetricName, Type } = (Objective ?? {}) as Record<string, unknown>;
  if (typeof MetricName !== "string" || !definitions.some((d) => d.name === MetricName))
    return fail(
      `Objective.MetricName must name one of the metric definitions (${definitions.map((d) => d.name).join(", ")}); got ${JSON.stringify(MetricName)}`,
    );
  if (Type !== "Maximize" && Type !== "Minimize")
    return fail(`Objective.Type must be "Maximize" or "Minimize" (got ${JSON.stringify(Type)})`);
  return { definitions, objective: { metricName: MetricName, type: Type } };
}

export function loadTrainingMetrics(file: string = DEFAULT_METRICS_FILE): TrainingMetrics {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new Error(`cannot read the metric definitions at ${file}: ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  return parseTrainingMetrics(raw, file);
}
