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
