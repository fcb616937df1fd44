/**
 * Target tracking on `SageMakerVariantInvocationsPerInstance`, and the intent-based way to pick
 * its target: say how many requests per second one instance sustains (from a load test) and how
 * much headroom to keep, and get the metric's target value.
 */

/** Application Auto Scaling identifiers of a SageMaker production variant. */
export const SAGEMAKER_SCALING = {
  serviceNamespace: "sagemaker",
  scalableDimension: "sagemaker:variant:DesiredInstanceCount",
  predefinedMetricType: "SageMakerVariantInvocationsPerInstance",
} as const;

/** `endpoint/<endpoint name>/variant/<variant name>`: the scalable target's resource id. */
export const variantResourceId = (endpointName: string, variantName: string): string =>
  `endpoint/${endpointName}/variant/${variantName}`;

export interface InvocationsIntent {
  /** Requests per second one instance handles at peak without breaching latency (load-test it). */
  peakRequestsPerSecondPerInstance: number;
  /** Share of that peak to aim for, 0 < f <= 1. Default 0.5 (AWS's suggested headroom). */
  safetyFactor?: number;
}

export const DEFAULT_SAFETY_FACTOR = 0.5;

/**
 * The target value of `SageMakerVariantInvocationsPerInstance` for a stated intent:
 *
 *     target = round(peakRequestsPerSecondPerInstance × 60 × safetyFactor)
 *
 * × 60 because the metric counts invocations per instance per minute; the safety factor keeps
 * instances below saturation while new ones start (AWS's load-testing guide suggests 0.5).
 * Example: 0.5 rps × 60 × 0.5 = 15 invocations per instance per minute.
 */
export function invocationsTarget(intent: InvocationsIntent): number {
  const rps = intent.peakRequestsPerSecondPerInstance;
  const factor = intent.safetyFactor ?? DEFAULT_SAFETY_FACTOR;
  if (!Number.isFinite(rps) || rps <= 0)
    throw new Error(`peakRequestsPerSecondPerInstance must be a number > 0 (got ${rps})`);
  if (!Number.isFinite(factor) || factor <= 0 || factor > 1)
    throw new Error(`safetyFactor must be > 0 and <= 1 (got ${factor})`);
  const target = Math.round(rps * 60 * factor);
  if (target < 1)
    throw new Error(
      `peakRequestsPerSecondPerInstance ${rps} × 60 × safetyFactor ${factor} rounds to ${target} invocations per minute; ` +
        "the target must be at least 1 (raise the rate or the safety factor, or set targetInvocationsPerInstance)",
    );
  return target;
}

/**
 * A measured capacity figure, as data (the component reads no files): how many requests per
 * second one instance sustained while a latency percentile stayed within a bound, on a machine
 * with `vCpus` vCPUs. `npm run bench:serve` writes such figures to bench/capacity/<name>.json; the
 * stack config names one (`endpoint.autoscaling.capacityFile`) and passes its fields here.
 */
export interface MeasuredCapacity {
  /** Requests per second one instance sustained within the bound (the file's `sustainedRequestsPerSecond`). */
  requestsPerSecondPerInstance: number;
  /** vCPUs of the machine it was measured on; must equal the instance type's vCPUs. */
  vCpus: number;
  /** The latency bound the figure kept to, milliseconds. */
  latencyBoundMs: number;
  /** The percentile the bound is on: 50 or 99. */
  latencyPercentile: 50 | 99;
  /** Where the figure comes from (a file, a load test): shown in the plan. */
  source: string;
  /** When it was measured (ISO 8601). Default: not shown. */
  measuredAt?: string;
}

/**
 * How the target value came about; the component records it in its inputs (`autoscalingTarget`)
 * so the plan can show it (cli/README.md).
 */
export type TargetDerivation =
  | { from: "targetInvocationsPerInstance"; targetValue: number }
  | {
      from: "peakRequestsPerSecondPerInstance";
      targetValue: number;
      requestsPerSecondPerInstance: number;
      safetyFactor: number;
    }
  | {
      from: "capacity";
      targetValue: number;
      requestsPerSecondPerInstance: number;
      safetyFactor: number;
      capacity: MeasuredCapacity;
      /** The instance type served and its vCPUs (null when components/shared/instance-vcpus.ts does not know it). */
      instanceType: string;
      instanceVCpus: number | null;
    };

/** The target of a measured figure: `invocationsTarget` with the figure's rate as the peak. */
export function capacityTarget(capacity: MeasuredCapacity, safetyFactor = DEFAULT_SAFETY_FACTOR): number {
  try {
    return invocationsTarget({
      peakRequestsPerSecondPerInstance: capacity.requestsPerSecondPerInstance,
      safetyFactor,
    });
  } catch (err) {
    // "capacity <source>: requestsPerSecondPerInstance ..." (args.ts strips the leading "capacity ").
    throw new Error(
      `capacity ${capacity.source}: ` +
        (err as Error).message
          .replace(/^peakRequestsPerSecondPerInstance/, "requestsPerSecondPerInstance")
          .replace(
            "raise the rate or the safety factor",
            "raise the safety factor, measure with a looser latency bound",
          ),
    );
  }
}
