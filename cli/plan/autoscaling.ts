/**
 * Which figure each target-tracking policy's target came from. The policy's own inputs hold only
 * the number; a component that derives it records how in its inputs as `autoscalingTarget`
 * (our InferenceEndpoint does: components/inference-endpoint/scaling.ts `TargetDerivation`), and
 * the plan shows it beside the number: text section "Autoscaling targets", JSON `autoscaling`
 * (cli/README.md). A policy with no recorded derivation is listed with `derivation: null`.
 */
import type { PlanReport, ReportedResource } from "./report";
import { plainValue } from "./resources";

const POLICY_TYPE = "aws:appautoscaling/policy:Policy";

export interface AutoscalingTarget {
  /** The scaling policy's URN. */
  urn: string;
  name: string;
  metric: string | null;
  /** The policy's target value; null when unknown at preview. */
  targetValue: number | null;
  /** What the declaring component recorded (its `autoscalingTarget` input), or null. */
  derivation: Record<string, unknown> | null;
  /** One line for people: the target and where it came from. */
  summary: string;
}

const record = (v: unknown): Record<string, unknown> | undefined =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

/** The nearest ancestor's recorded derivation. */
function derivationOf(
  r: ReportedResource,
  byUrn: Map<string, ReportedResource>,
): Record<string, unknown> | undefined {
  for (let p = r.parent && byUrn.get(r.parent); p; p = p.parent ? byUrn.get(p.parent) : undefined) {
    const recorded = record(plainValue(p.properties.autoscalingTarget));
    if (recorded) return recorded;
  }
  return undefined;
}

export function autoscalingTargets(report: Pick<PlanReport, "resources">): AutoscalingTarget[] {
  const byUrn = new Map(report.resources.map((r) => [r.urn, r]));
  return report.resources
    .filter((r) => r.type === POLICY_TYPE)
    .map((r) => {
      const config = record(plainValue(r.properties.targetTrackingScalingPolicyConfiguration));
      if (!config) return undefined;
      const metric = record(config.predefinedMetricSpecification)?.predefinedMetricType;
      const target = typeof config.targetValue === "number" ? config.targetValue : null;
      const derivation = derivationOf(r, byUrn) ?? null;
      return {
        urn: r.urn,
        name: r.name,
        metric: typeof metric === "string" ? metric : null,
        targetValue: target,
        derivation,
        summary: summaryOf(target, typeof metric === "string" ? metric : undefined, derivation),
      };
    })
    .filter((t): t is AutoscalingTarget => t !== undefined);
}

const per = (metric: string | undefined) =>
  metric === "SageMakerVariantInvocationsPerInstance"
    ? " invocations/instance/min"
    : metric
      ? ` (${metric})`
      : "";

/**
 * `target 83 invocations/instance/min from bench/capacity/resnet50-224-2vcpu.json (2.75 req/s at
 * p99 <= 1000 ms on 2 vCPUs, measured 2026-12-01T10:32:57.454Z) x safety 0.5`, and the like.
 */
export function summaryOf(
  target: number | null,
  metric: string | undefined,
  d: Record<string, unknown> | null,
): string {
  const head = `target ${target ?? "[unknown]"}${per(metric)}`;
  if (!d) return `${head} (no derivation recorded by the program)`;
  if (d.from === "targetInvocationsPerInstance")
    return `${head}, stated as is (targetInvocationsPerInstance)`;
  if (d.from === "peakRequestsPerSecondPerInstance")
    return `${head} from peakRequestsPerSecondPerInstance ${d.requestsPerSecondPerInstance} req/s (stated, not measured) x safety ${d.safetyFactor}`;
  const c = record(d.capacity);
  if (d.from === "capacity" && c) {
    const measured = typeof c.measuredAt === "string" ? `, measured ${c.measuredAt}` : "";
    const fit =
      d.instanceVCpus === null ? `; vCPU fit not checked: no vCPU count known for ${d.instanceType}` : "";
    return (
      `${head} from ${c.source} (${c.requestsPerSecondPerInstance} req/s at p${c.latencyPercentile} <= ${c.latencyBoundMs} ms ` +
      `on ${c.vCpus} vCPU${c.vCpus === 1 ? "" : "s"}${measured}) x safety ${d.safetyFactor}${fit}`
    );
  }
  return `${head} (derivation: ${JSON.stringify(d)})`;
}

/** The text section: nothing when the plan has no target-tracking policy. */
export function autoscalingSection(report: Pick<PlanReport, "resources">): string[] {
  const targets = autoscalingTargets(report);
  if (targets.length === 0) return [];
  return [`Autoscaling targets (${targets.length})`, ...targets.map((t) => `  ${t.name}: ${t.summary}`), ""];
}
