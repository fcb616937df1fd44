/**
 * The arguments of `InferenceEndpoint`, their defaults (one visible place) and their validation.
 * Components validate their own arguments: programs that import them do not have our stack
 * config, so every conflict is reported here too, naming the arguments involved.
 */
import * as pulumi from "@pulumi/pulumi";
import { AwsContext } from "../shared/aws-context";
import { DlcVersion, processorOf, Processor, pytorchImageTag } from "../shared/dlc-image";
import { isLogRetentionDays, LOG_RETENTION_DAYS } from "../shared/logs";
import { Tags } from "../shared/tags";
import {
  isBurstable,
  SAGEMAKER_NAME,
  SERVERLESS_MAX_CONCURRENCY,
  SERVERLESS_MEMORY_SIZES_MB,
} from "./limits";
import { DEFAULT_SAFETY_FACTOR, invocationsTarget } from "./scaling";

export interface EndpointAutoscalingArgs {
  /** Fewest instances (>= 1). Required. */
  minCapacity: number;
  /** Most instances (>= minCapacity). Required. */
  maxCapacity: number;
  /**
   * Target of `SageMakerVariantInvocationsPerInstance` (invocations per instance per minute).
   * Set this, or `peakRequestsPerSecondPerInstance` to derive it (see `invocationsTarget`).
   */
  targetInvocationsPerInstance?: number;
  /** Intent: requests per second one instance sustains at peak; target = rps × 60 × safetyFactor. */
  peakRequestsPerSecondPerInstance?: number;
  /** Share of the peak to aim for, 0 < f <= 1; only with `peakRequestsPerSecondPerInstance`. Default 0.5. */
  safetyFactor?: number;
  /** Seconds after a scale-in before the next one. Default 300 (remove capacity slowly). */
  scaleInCooldownSeconds?: number;
  /** Seconds after a scale-out before the next one. Default 60 (add capacity quickly). */
  scaleOutCooldownSeconds?: number;
}

export interface EndpointDataCaptureArgs {
  /** Bucket the captured requests and responses go to. Required. */
  bucketName: string;
  /** Key prefix in that bucket. Default `data-capture`. */
  prefix?: string;
  /** Share of requests captured, 1-100. Default 20. */
  samplingPercentage?: number;
}

export interface InferenceEndpointArgs {
  /** Endpoint name: deterministic, so its ARN is known at preview. Required. */
  endpointName: string;
  /** Name of the model's execution role. Default `<endpointName>-model` (64 characters at most). */
  roleName?: string;
  /** The partition, region and account (see `lookupAwsContext`). Required. */
  context: pulumi.Input<AwsContext>;
  /** `s3://<bucket>/<key>.tar.gz` of the model artifact; the role may read this one object only. Required. */
  modelDataUrl: pulumi.Input<string>;
  /**
   * KMS key (or alias) ARN: the key the artifact is encrypted with (the role may decrypt with it),
   * which also encrypts the instance volume and the captured data. Required.
   */
  kmsKeyArn: pulumi.Input<string>;
  /**
   * The serving image: a version of AWS's `pytorch-inference` container (CPU or GPU by instance
   * type), or an ECR image URI of your own. Default `{ frameworkVersion: "2.1", pythonVersion: "py310" }`.
   */
  image?: DlcVersion | string;
  /** Extra environment of the serving container (merged over the component's own). */
  environment?: Record<string, string>;
  /**
   * Model container without network access. Default true for instance endpoints (the handler
   * fetches nothing). Serverless endpoints do not support it (AWS lists network isolation among
   * serverless feature exclusions), so there the default is false and true is an error.
   */
  networkIsolation?: boolean;
  /** `instance` (real-time instances) or `serverless`. Default `instance`. */
  mode?: "instance" | "serverless";
  /** Instance type, instance mode only. Default `ml.m5.large`. */
  instanceType?: string;
  /** Instances at creation, instance mode only. Default 1 (or autoscaling.minCapacity). */
  initialInstanceCount?: number;
  /** Serverless mode only. Default `{ memorySizeMb: 2048, maxConcurrency: 5 }`. */
  serverless?: { memorySizeMb?: number; maxConcurrency?: number };
  /** Production variant name. Default `AllTraffic`. */
  variantName?: string;
  /** Target tracking on invocations per instance, instance mode only. Default: no autoscaling. */
  autoscaling?: EndpointAutoscalingArgs;
  /** Capture requests and responses to S3 (KMS-encrypted), instance mode only. Default: off. */
  dataCapture?: EndpointDataCaptureArgs;
  /** Retention of the endpoint's log group `/aws/sagemaker/Endpoints/<endpointName>`. Default 30. */
  logRetentionDays?: number;
  tags?: Tags;
}

export const ENDPOINT_DEFAULTS = {
  image: { frameworkVersion: "2.1", pythonVersion: "py310" } as DlcVersion,
  networkIsolation: true,
  mode: "instance" as const,
  instanceType: "ml.m5.large",
  initialInstanceCount: 1,
  serverless: { memorySizeMb: 2048, maxConcurrency: 5 },
  variantName: "AllTraffic",
  scaleInCooldownSeconds: 300,
  scaleOutCooldownSeconds: 60,
  dataCapturePrefix: "data-capture",
  samplingPercentage: 20,
  logRetentionDays: 30,
};

export interface ResolvedAutoscaling {
  minCapacity: number;
  maxCapacity: number;
  targetValue: number;
  scaleInCooldownSeconds: number;
  scaleOutCooldownSeconds: number;
}

export type ResolvedVariant =
  | {
      mode: "instance";
      instanceType: string;
      initialInstanceCount: number;
      autoscaling?: ResolvedAutoscaling;
    }
  | { mode: "serverless"; memorySizeMb: number; maxConcurrency: number };

/** AWS's PyTorch serving container. */
export const PYTORCH_INFERENCE_REPOSITORY = "pytorch-inference";

export type ResolvedImage = { repositoryName: string; tag: string } | { uri: string };

export interface ResolvedEndpointArgs {
  endpointName: string;
  roleName: string;
  variantName: string;
  variant: ResolvedVariant;
  image: ResolvedImage;
  networkIsolation: boolean;
  dataCapture?: Required<EndpointDataCaptureArgs>;
  logRetentionDays: number;
}

const isWhole = (v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): v is number =>
  typeof v === "number" && Number.isInteger(v) && v >= min && v <= max;

/**
 * Applies the defaults and checks every argument; throws one error listing every problem, each
 * naming its argument(s), what is allowed and the value it got.
 */
export function resolveEndpointArgs(name: string, args: InferenceEndpointArgs): ResolvedEndpointArgs {
  const problems: string[] = [];
  const mode = args.mode ?? ENDPOINT_DEFAULTS.mode;
  if (mode !== "instance" && mode !== "serverless")
    problems.push(`mode must be "instance" or "serverless" (got ${JSON.stringify(mode)})`);
  if (!SAGEMAKER_NAME.test(args.endpointName ?? ""))
    problems.push(
      `endpointName must be 1-63 letters, digits and hyphens, starting with a letter or digit (got ${JSON.stringify(args.endpointName)})`,
    );
  const variantName = args.variantName ?? ENDPOINT_DEFAULTS.variantName;
  if (!SAGEMAKER_NAME.test(variantName))
    problems.push(
      `variantName must be 1-63 letters, digits and hyphens (got ${JSON.stringify(variantName)})`,
    );
  const roleName = args.roleName ?? `${args.endpointName}-model`.slice(0, 64);
  if (!/^[\w+=,.@-]{1,64}$/.test(roleName))
    problems.push(
      `roleName must be 1-64 characters of letters, digits and +=,.@_- (got ${JSON.stringify(roleName)})`,
    );
  const logRetentionDays = args.logRetentionDays ?? ENDPOINT_DEFAULTS.logRetentionDays;
  if (!isLogRetentionDays(logRetentionDays))
    problems.push(
      `logRetentionDays must be one of ${LOG_RETENTION_DAYS.join(", ")} (got ${logRetentionDays})`,
    );

  let variant: ResolvedVariant | undefined;
  if (mode === "serverless") {
    // Serverless variants have no instances: instance-only arguments conflict with the mode.
    for (const key of ["instanceType", "initialInstanceCount"] as const)
      if (args[key] !== undefined)
        problems.push(
          `${key} conflicts with mode "serverless" (serverless variants have no instances); remove ${key} or set mode "instance"`,
        );
    if (args.autoscaling)
      problems.push(
        'autoscaling conflicts with mode "serverless": serverless endpoints scale by serverless.maxConcurrency; remove autoscaling or set mode "instance"',
      );
    if (args.dataCapture)
      problems.push(
        'dataCapture conflicts with mode "serverless": SageMaker does not capture data from serverless endpoints; remove dataCapture or set mode "instance"',
      );
    if (args.networkIsolation === true)
      problems.push(
        'networkIsolation conflicts with mode "serverless": serverless endpoints do not support network isolation; remove networkIsolation or set mode "instance"',
      );
    const memorySizeMb = args.serverless?.memorySizeMb ?? ENDPOINT_DEFAULTS.serverless.memorySizeMb;
    const maxConcurrency = args.serverless?.maxConcurrency ?? ENDPOINT_DEFAULTS.serverless.maxConcurrency;
    if (!(SERVERLESS_MEMORY_SIZES_MB as readonly number[]).includes(memorySizeMb))
      problems.push(
        `serverless.memorySizeMb must be one of ${SERVERLESS_MEMORY_SIZES_MB.join(", ")} (got ${memorySizeMb})`,
      );
    if (!isWhole(maxConcurrency, 1, SERVERLESS_MAX_CONCURRENCY))
      problems.push(
        `serverless.maxConcurrency must be a whole number between 1 and ${SERVERLESS_MAX_CONCURRENCY} (got ${maxConcurrency})`,
      );
    variant = { mode, memorySizeMb, maxConcurrency };
  } else if (mode === "instance") {
    if (args.serverless)
      problems.push('serverless conflicts with mode "instance"; remove serverless or set mode "serverless"');
    const instanceType = args.instanceType ?? ENDPOINT_DEFAULTS.instanceType;
    if (!/^ml\.[a-z0-9-]+\.[a-z0-9]+$/.test(instanceType))
      problems.push(
        `instanceType must be a SageMaker instance type such as ml.m5.large (got ${JSON.stringify(instanceType)})`,
      );
    const scaling = args.autoscaling ? resolveAutoscaling(args.autoscaling, problems) : undefined;
    const min = args.autoscaling?.minCapacity;
    const max = args.autoscaling?.maxCapacity;
    // Without an explicit count, start at the autoscaling minimum (never below 1).
    const initialInstanceCount =
      args.initialInstanceCount ?? (isWhole(min, 1) ? min : ENDPOINT_DEFAULTS.initialInstanceCount);
    if (!isWhole(initialInstanceCount, 1))
      problems.push(`initialInstanceCount must be a whole number >= 1 (got ${initialInstanceCount})`);
    else if (
      isWhole(min, 1) &&
      isWhole(max, 1) &&
      min <= max &&
      (initialInstanceCount < min || initialInstanceCount > max)
    )
      problems.push(
        `initialInstanceCount must be between autoscaling.minCapacity and autoscaling.maxCapacity (got ${initialInstanceCount}, allowed ${min}..${max})`,
      );
    if (args.autoscaling && isBurstable(instanceType))
      problems.push(
        `instanceType ${JSON.stringify(instanceType)} is a burstable ml.t* type, which Application Auto Scaling cannot scale; use e.g. ml.m5.large or ml.c5.large, or remove autoscaling`,
      );
    variant = { mode, instanceType, initialInstanceCount, autoscaling: scaling };
  }

  let dataCapture: Required<EndpointDataCaptureArgs> | undefined;
  if (args.dataCapture) {
    const d = args.dataCapture;
    const samplingPercentage = d.samplingPercentage ?? ENDPOINT_DEFAULTS.samplingPercentage;
    if (!isWhole(samplingPercentage, 1, 100))
      problems.push(
        `dataCapture.samplingPercentage must be a whole number between 1 and 100 (got ${samplingPercentage})`,
      );
    if (!d.bucketName) problems.push("dataCapture.bucketName is required when dataCapture is set");
    const prefix = (d.prefix ?? ENDPOINT_DEFAULTS.dataCapturePrefix).replace(/^\/+|\/+$/g, "");
    if (!prefix) problems.push("dataCapture.prefix must not be empty (the role may write under it only)");
    dataCapture = { bucketName: d.bucketName, prefix, samplingPercentage };
  }

  const image = resolveImage(args.image ?? ENDPOINT_DEFAULTS.image, variant, problems);

  if (problems.length > 0 || !variant || !image)
    throw new Error(
      `InferenceEndpoint ${name}: invalid arguments:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
  return {
    endpointName: args.endpointName,
    roleName,
    variantName,
    variant,
    image,
    networkIsolation:
      args.networkIsolation ?? (mode === "serverless" ? false : ENDPOINT_DEFAULTS.networkIsolation),
    dataCapture,
    logRetentionDays,
  };
}

function resolveAutoscaling(a: EndpointAutoscalingArgs, problems: string[]): ResolvedAutoscaling | undefined {
  const before = problems.length;
  if (!isWhole(a.minCapacity, 1))
    problems.push(`autoscaling.minCapacity must be a whole number >= 1 (got ${a.minCapacity})`);
  if (!isWhole(a.maxCapacity, 1))
    problems.push(`autoscaling.maxCapacity must be a whole number >= 1 (got ${a.maxCapacity})`);
  else if (isWhole(a.minCapacity, 1) && a.maxCapacity < a.minCapacity)
    problems.push(
      `autoscaling.maxCapacity must be >= autoscaling.minCapacity (got ${a.maxCapacity} < ${a.minCapacity})`,
    );
  const scaleInCooldownSeconds = a.scaleInCooldownSeconds ?? ENDPOINT_DEFAULTS.scaleInCooldownSeconds;
  const scaleOutCooldownSeconds = a.scaleOutCooldownSeconds ?? ENDPOINT_DEFAULTS.scaleOutCooldownSeconds;
  for (const [key, value] of [
    ["scaleInCooldownSeconds", scaleInCooldownSeconds],
    ["scaleOutCooldownSeconds", scaleOutCooldownSeconds],
  ] as const)
    if (!isWhole(value, 0)) problems.push(`autoscaling.${key} must be a whole number >= 0 (got ${value})`);

  let targetValue: number | undefined;
  const hasTarget = a.targetInvocationsPerInstance !== undefined;
  const hasIntent = a.peakRequestsPerSecondPerInstance !== undefined;
  if (hasTarget === hasIntent)
    problems.push(
      hasTarget
        ? "autoscaling.targetInvocationsPerInstance conflicts with autoscaling.peakRequestsPerSecondPerInstance; set exactly one of them"
        : "autoscaling needs autoscaling.targetInvocationsPerInstance or autoscaling.peakRequestsPerSecondPerInstance (to derive the target)",
    );
  else if (hasTarget) {
    if (a.safetyFactor !== undefined)
      problems.push(
        "autoscaling.safetyFactor is only used with autoscaling.peakRequestsPerSecondPerInstance; remove it or state the peak rate instead of the target",
      );
    if (typeof a.targetInvocationsPerInstance !== "number" || !(a.targetInvocationsPerInstance > 0))
      problems.push(
        `autoscaling.targetInvocationsPerInstance must be a number > 0 (got ${a.targetInvocationsPerInstance})`,
      );
    else targetValue = a.targetInvocationsPerInstance;
  } else {
    try {
      targetValue = invocationsTarget({
        peakRequestsPerSecondPerInstance: a.peakRequestsPerSecondPerInstance!,
        safetyFactor: a.safetyFactor ?? DEFAULT_SAFETY_FACTOR,
      });
    } catch (err) {
      problems.push(`autoscaling.${(err as Error).message}`);
    }
  }
  if (problems.length > before || targetValue === undefined) return undefined;
  return {
    minCapacity: a.minCapacity,
    maxCapacity: a.maxCapacity,
    targetValue,
    scaleInCooldownSeconds,
    scaleOutCooldownSeconds,
  };
}

/** The serving image: a `pytorch-inference` tag (CPU for serverless, by family for instances), or a URI. */
function resolveImage(
  image: DlcVersion | string,
  variant: ResolvedVariant | undefined,
  problems: string[],
): ResolvedImage | undefined {
  if (typeof image === "string") return { uri: image };
  try {
    const processor: Processor = variant?.mode === "instance" ? processorOf(variant.instanceType) : "cpu";
    return { repositoryName: PYTORCH_INFERENCE_REPOSITORY, tag: pytorchImageTag(image, processor) };
  } catch (err) {
    // A malformed instance type is reported above already.
    if (variant) problems.push(`image: ${(err as Error).message}`);
    return undefined;
  }
}
