/**
 * The arguments of `InferenceEndpoint`, their defaults (one visible place) and their schema.
 * Components validate their own arguments: programs that import them do not have our stack
 * config, so every conflict is reported here too, naming the arguments involved.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import {
  awsContextArg,
  bool,
  input,
  int,
  num,
  oneOf,
  pattern,
  problem,
  ref,
  resolveArgs,
  tagsSchema,
  text,
  whenValid,
} from "../shared/arg-schema";
import { kmsAliasArnArg } from "../shared/kms";
import { isBurstableType, NAME_PATTERNS } from "../shared/aws-facts";
import { AwsContext } from "../shared/aws-context";
import { DlcVersion, processorOf, Processor, pytorchImageTag } from "../shared/dlc-image";
import { instanceTypeSchema } from "../shared/instance-types";
import { LOG_RETENTION_DAYS } from "../shared/logs";
import { Tags } from "../shared/tags";
import { SERVERLESS_MAX_CONCURRENCY, SERVERLESS_MEMORY_SIZES_MB } from "./limits";
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

export interface EndpointServerlessArgs {
  /** Memory of the serverless variant: 1024-6144 MB in 1 GB steps. Default 2048. */
  memorySizeMb?: number;
  /** Concurrent invocations, 1-200. Default 5. */
  maxConcurrency?: number;
}

export interface EndpointDataCaptureArgs {
  /** Bucket the captured requests and responses go to. Required. */
  bucketName: string;
  /** Key prefix in that bucket. Default `data-capture`. */
  prefix?: string;
  /** Share of requests captured, 1-100. Default 20. */
  samplingPercentage?: number;
}

/** AWS's `pytorch-inference` image of a version (`frameworkVersion`, `pythonVersion`), or your own `uri`. */
export interface EndpointImageArgs {
  /** PyTorch version, e.g. `2.1`. Default `2.1`. */
  frameworkVersion?: string;
  /** Python version, e.g. `py310`. Default `py310`. */
  pythonVersion?: string;
  /** An ECR image URI of your own (`<account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>`); excludes the versions. */
  uri?: string;
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
   * KMS key ARN (or alias ARN: every KMS field of an endpoint configuration accepts one): the key
   * the artifact is encrypted with (the role may decrypt with it), which also encrypts the instance
   * volume and the captured data. Required.
   */
  kmsKeyArn: pulumi.Input<string>;
  /** An alias ARN of the same key, known at preview: used instead of `kmsKeyArn` wherever the key is named. Default: none. */
  kmsAliasArn?: pulumi.Input<string>;
  /**
   * The serving image: a version of AWS's `pytorch-inference` container (CPU or GPU by instance
   * type), or `{ uri }` of an ECR image of your own. Default `{ frameworkVersion: "2.1", pythonVersion: "py310" }`.
   */
  image?: EndpointImageArgs;
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
  serverless?: EndpointServerlessArgs;
  /** Production variant name. Default `AllTraffic`. */
  variantName?: string;
  /** Target tracking on invocations per instance, instance mode only. Default: no autoscaling. */
  autoscaling?: EndpointAutoscalingArgs;
  /** Capture requests and responses to S3 (KMS-encrypted), instance mode only. Default: off. */
  dataCapture?: EndpointDataCaptureArgs;
  /** Retention of the endpoint's log group `/aws/sagemaker/Endpoints/<endpointName>`. Default 30. */
  logRetentionDays?: number;
  /** Parked: declare the role and the log group only (no model, configuration, endpoint or scaling). Default false. */
  parked?: boolean;
  tags?: Tags;
}

export const ENDPOINT_DEFAULTS = {
  image: { frameworkVersion: "2.1", pythonVersion: "py310" } as DlcVersion,
  networkIsolation: true,
  /**
   * Real-time instances: network isolation, data capture and autoscaling work there, and it is
   * what CreateEndpointConfig does without a ServerlessConfig. Serverless is an opt-in (dev).
   */
  mode: "instance" as "instance" | "serverless",
  instanceType: "ml.m5.large",
  initialInstanceCount: 1,
  serverless: { memorySizeMb: 2048, maxConcurrency: 5 },
  variantName: "AllTraffic",
  /**
   * Scale out quickly, scale in slowly. Application Auto Scaling's default cooldown for SageMaker
   * endpoint variants is 300 s in both directions (TargetTrackingScalingPolicyConfiguration,
   * https://docs.aws.amazon.com/autoscaling/application/APIReference/API_TargetTrackingScalingPolicyConfiguration.html);
   * a shorter scale-out cooldown (60 s) adds capacity while a burst lasts.
   */
  scaleInCooldownSeconds: 300,
  scaleOutCooldownSeconds: 60,
  safetyFactor: DEFAULT_SAFETY_FACTOR,
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
  parked: boolean;
}

const whole = (v: unknown, min: number): v is number =>
  typeof v === "number" && Number.isInteger(v) && v >= min;

/** Settings of the autoscaling policy (the stack config's `endpoint.autoscaling` composes these). */
export const autoscalingFields = {
  minCapacity: int(1),
  maxCapacity: int(1),
  /** Target of SageMakerVariantInvocationsPerInstance (invocations per instance per minute). */
  targetInvocationsPerInstance: num(0, 1_000_000, true),
  /** Intent: requests per second one instance sustains at peak; target = rps * 60 * safetyFactor. */
  peakRequestsPerSecondPerInstance: num(0, 100_000, true),
  safetyFactor: num(0, 1, true),
  // PutScalingPolicy ScaleInCooldown/ScaleOutCooldown: 0-3600 s is what we accept.
  scaleInCooldownSeconds: int(0, 3600),
  scaleOutCooldownSeconds: int(0, 3600),
};

/** Autoscaling rules; `at` is where the autoscaling settings sit (["autoscaling"] for the component). */
export function checkAutoscaling(
  a: {
    minCapacity?: number;
    maxCapacity?: number;
    targetInvocationsPerInstance?: number;
    peakRequestsPerSecondPerInstance?: number;
    safetyFactor?: number;
  },
  ctx: z.RefinementCtx,
  at: string[],
): void {
  const key = (k: string) => ref([...at, k].join("."));
  if (whole(a.minCapacity, 1) && whole(a.maxCapacity, 1) && a.maxCapacity < a.minCapacity)
    problem(
      ctx,
      [...at, "maxCapacity"],
      `must be >= ${key("minCapacity")} (got ${a.maxCapacity} < ${a.minCapacity})`,
    );
  const hasTarget = a.targetInvocationsPerInstance !== undefined;
  const hasIntent = a.peakRequestsPerSecondPerInstance !== undefined;
  if (hasTarget && hasIntent)
    problem(
      ctx,
      [...at, "targetInvocationsPerInstance"],
      `conflicts with ${key("peakRequestsPerSecondPerInstance")}; set exactly one of them`,
    );
  else if (!hasTarget && !hasIntent)
    problem(
      ctx,
      at,
      `needs ${key("targetInvocationsPerInstance")} or ${key("peakRequestsPerSecondPerInstance")} (to derive the target)`,
    );
  else if (hasTarget && a.safetyFactor !== undefined)
    problem(
      ctx,
      [...at, "safetyFactor"],
      `is only used with ${key("peakRequestsPerSecondPerInstance")}; remove it or state the peak rate instead of the target`,
    );
  else if (hasIntent && typeof a.peakRequestsPerSecondPerInstance === "number")
    try {
      invocationsTarget({
        peakRequestsPerSecondPerInstance: a.peakRequestsPerSecondPerInstance,
        safetyFactor: a.safetyFactor ?? DEFAULT_SAFETY_FACTOR,
      });
    } catch (err) {
      problem(
        ctx,
        [...at, "peakRequestsPerSecondPerInstance"],
        (err as Error).message.replace(/^peakRequestsPerSecondPerInstance /, ""),
      );
    }
}

/**
 * Rules of an autoscaled instance variant: the policy's own (checkAutoscaling), the initial count
 * within min..max, no burstable type. The stack config runs them on its `endpoint` section too.
 */
export function checkEndpointInstance(
  a: {
    instanceType?: string;
    initialInstanceCount?: number;
    autoscaling?: Parameters<typeof checkAutoscaling>[0];
  },
  ctx: z.RefinementCtx,
): void {
  if (a.autoscaling === undefined) return;
  checkAutoscaling(a.autoscaling, ctx, ["autoscaling"]);
  const { minCapacity: min, maxCapacity: max } = a.autoscaling;
  const initial = a.initialInstanceCount;
  if (
    initial !== undefined &&
    whole(min, 1) &&
    whole(max, 1) &&
    min <= max &&
    (initial < min || initial > max)
  )
    problem(
      ctx,
      ["initialInstanceCount"],
      `must be between ${ref("autoscaling.minCapacity")} and ${ref("autoscaling.maxCapacity")} (got ${initial}, allowed ${min}..${max})`,
    );
  const type = a.instanceType ?? ENDPOINT_DEFAULTS.instanceType;
  if (isBurstableType(type))
    problem(
      ctx,
      ["instanceType"],
      `${JSON.stringify(type)} is a burstable ml.t* type, which Application Auto Scaling cannot scale; use e.g. ml.m5.large or ml.c5.large, or remove ${ref("autoscaling")}`,
    );
}

/** The settings a stack can choose; the stack config composes these (with ENDPOINT_DEFAULTS). */
export const endpointFields = {
  mode: oneOf(["instance", "serverless"]),
  instanceType: instanceTypeSchema("hosting"),
  initialInstanceCount: int(1),
  variantName: pattern(NAME_PATTERNS.sagemaker, "1-63 letters, digits and hyphens, such as AllTraffic"),
  serverless: z.strictObject({
    memorySizeMb: z
      .number({ error: `must be one of ${SERVERLESS_MEMORY_SIZES_MB.join(", ")}` })
      .refine((v) => (SERVERLESS_MEMORY_SIZES_MB as readonly number[]).includes(v), {
        error: `must be one of ${SERVERLESS_MEMORY_SIZES_MB.join(", ")}`,
      })
      .optional(),
    maxConcurrency: int(1, SERVERLESS_MAX_CONCURRENCY).optional(),
  }),
  autoscaling: z.strictObject({
    minCapacity: autoscalingFields.minCapacity,
    maxCapacity: autoscalingFields.maxCapacity,
    targetInvocationsPerInstance: autoscalingFields.targetInvocationsPerInstance.optional(),
    peakRequestsPerSecondPerInstance: autoscalingFields.peakRequestsPerSecondPerInstance.optional(),
    safetyFactor: autoscalingFields.safetyFactor.optional(),
    scaleInCooldownSeconds: autoscalingFields.scaleInCooldownSeconds.optional(),
    scaleOutCooldownSeconds: autoscalingFields.scaleOutCooldownSeconds.optional(),
  }),
  dataCapture: z.strictObject({
    bucketName: pattern(NAME_PATTERNS.s3Bucket, "the S3 bucket captured data goes to"),
    prefix: z.string({ error: "must be an S3 key prefix such as data-capture" }).optional(),
    samplingPercentage: int(1, 100).optional(),
  }),
  networkIsolation: bool(),
  logRetentionDays: z
    .number({ error: `must be one of ${LOG_RETENTION_DAYS.join(", ")}` })
    .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), {
      error: `must be one of ${LOG_RETENTION_DAYS.join(", ")}`,
    }),
};

const f = endpointFields;

export const inferenceEndpointArgsSchema = z
  .strictObject({
    endpointName: pattern(
      NAME_PATTERNS.sagemaker,
      "1-63 letters, digits and hyphens, starting with a letter or digit",
    ),
    roleName: pattern(NAME_PATTERNS.iamRole, "1-64 characters of letters, digits and +=,.@_-").optional(),
    context: awsContextArg(),
    modelDataUrl: input<string>("the s3:// URL of the model.tar.gz"),
    kmsKeyArn: input<string>("the KMS key or alias ARN of the artifact and volumes"),
    kmsAliasArn: kmsAliasArnArg(),
    image: z
      .strictObject({
        frameworkVersion: text().optional(),
        pythonVersion: text().optional(),
        uri: text("an ECR image URI").optional(),
      })
      .optional(),
    environment: z.record(z.string(), z.string({ error: "must be a string" })).optional(),
    networkIsolation: f.networkIsolation.optional(),
    mode: f.mode.default(ENDPOINT_DEFAULTS.mode),
    instanceType: f.instanceType.optional(),
    initialInstanceCount: f.initialInstanceCount.optional(),
    serverless: f.serverless.optional(),
    variantName: f.variantName.default(ENDPOINT_DEFAULTS.variantName),
    autoscaling: f.autoscaling.optional(),
    dataCapture: f.dataCapture.optional(),
    logRetentionDays: f.logRetentionDays.default(ENDPOINT_DEFAULTS.logRetentionDays),
    parked: bool().default(false),
    tags: tagsSchema.optional(),
  })
  .superRefine((a, ctx) => {
    if (a.mode !== "serverless") return;
    // Serverless variants have no instances: instance-only arguments conflict with the mode.
    for (const key of ["instanceType", "initialInstanceCount"] as const)
      if (a[key] !== undefined)
        problem(
          ctx,
          [key],
          `conflicts with ${ref("mode")} "serverless" (serverless variants have no instances); remove it or set ${ref("mode")} "instance"`,
        );
    if (a.autoscaling !== undefined)
      problem(
        ctx,
        ["autoscaling"],
        `conflicts with ${ref("mode")} "serverless": serverless endpoints scale by ${ref("serverless.maxConcurrency")}; remove it or set ${ref("mode")} "instance"`,
      );
    if (a.dataCapture !== undefined)
      problem(
        ctx,
        ["dataCapture"],
        `conflicts with ${ref("mode")} "serverless": SageMaker does not capture data from serverless endpoints; remove it or set ${ref("mode")} "instance"`,
      );
    if (a.networkIsolation === true)
      problem(
        ctx,
        ["networkIsolation"],
        `conflicts with ${ref("mode")} "serverless": serverless endpoints do not support network isolation; remove it or set ${ref("mode")} "instance"`,
      );
  }, whenValid("mode"))
  .superRefine(
    (a, ctx) => {
      if (a.mode !== "instance") return;
      if (a.serverless !== undefined)
        problem(
          ctx,
          ["serverless"],
          `conflicts with ${ref("mode")} "instance"; remove it or set ${ref("mode")} "serverless"`,
        );
      checkEndpointInstance(a, ctx);
    },
    whenValid("mode", "autoscaling", "initialInstanceCount", "instanceType", "serverless"),
  )
  .superRefine(
    (a, ctx) => {
      const image = a.image;
      if (
        image?.uri !== undefined &&
        (image.frameworkVersion !== undefined || image.pythonVersion !== undefined)
      )
        problem(
          ctx,
          ["image", "uri"],
          `conflicts with ${ref("image.frameworkVersion")} and ${ref("image.pythonVersion")}: name an image of your own, or a version of AWS's`,
        );
      if (image?.uri !== undefined) return;
      const version = { ...ENDPOINT_DEFAULTS.image, ...definedVersion(image) };
      const processor =
        a.mode === "instance" ? processorFor(a.instanceType ?? ENDPOINT_DEFAULTS.instanceType) : "cpu";
      if (processor instanceof Error) {
        // Only an image of your own serves these families.
        problem(
          ctx,
          ["instanceType"],
          `${processor.message.replace(/^instanceType \S+ /, "")}, or set ${ref("image.uri")} to an image of your own`,
        );
        return;
      }
      try {
        pytorchImageTag(version, processor);
      } catch (err) {
        const message = (err as Error).message;
        const key = /^pythonVersion/.test(message) ? "pythonVersion" : "frameworkVersion";
        problem(ctx, ["image", key], message.replace(/^(pythonVersion|frameworkVersion) /, ""));
      }
    },
    whenValid("mode", "image", "instanceType"),
  )
  .transform((a): ResolvedEndpointArgs => {
    const d = ENDPOINT_DEFAULTS;
    let variant: ResolvedVariant;
    if (a.mode === "serverless")
      variant = {
        mode: "serverless",
        memorySizeMb: a.serverless?.memorySizeMb ?? d.serverless.memorySizeMb,
        maxConcurrency: a.serverless?.maxConcurrency ?? d.serverless.maxConcurrency,
      };
    else {
      const s = a.autoscaling;
      variant = {
        mode: "instance",
        instanceType: a.instanceType ?? d.instanceType,
        // Without an explicit count, start at the autoscaling minimum (never below 1).
        initialInstanceCount: a.initialInstanceCount ?? s?.minCapacity ?? d.initialInstanceCount,
        autoscaling: s && {
          minCapacity: s.minCapacity,
          maxCapacity: s.maxCapacity,
          targetValue:
            s.targetInvocationsPerInstance ??
            invocationsTarget({
              peakRequestsPerSecondPerInstance: s.peakRequestsPerSecondPerInstance!,
              safetyFactor: s.safetyFactor ?? d.safetyFactor,
            }),
          scaleInCooldownSeconds: s.scaleInCooldownSeconds ?? d.scaleInCooldownSeconds,
          scaleOutCooldownSeconds: s.scaleOutCooldownSeconds ?? d.scaleOutCooldownSeconds,
        },
      };
    }
    const image: ResolvedImage =
      a.image?.uri !== undefined
        ? { uri: a.image.uri }
        : {
            repositoryName: PYTORCH_INFERENCE_REPOSITORY,
            tag: pytorchImageTag(
              { ...d.image, ...definedVersion(a.image) },
              variant.mode === "instance" ? processorOf(variant.instanceType) : "cpu",
            ),
          };
    return {
      endpointName: a.endpointName,
      roleName: a.roleName ?? `${a.endpointName}-model`.slice(0, 64),
      variantName: a.variantName,
      variant,
      image,
      networkIsolation: a.networkIsolation ?? (a.mode === "serverless" ? false : d.networkIsolation),
      dataCapture: a.dataCapture && {
        bucketName: a.dataCapture.bucketName,
        prefix: (a.dataCapture.prefix ?? d.dataCapturePrefix).replace(/^\/+|\/+$/g, ""),
        samplingPercentage: a.dataCapture.samplingPercentage ?? d.samplingPercentage,
      },
      logRetentionDays: a.logRetentionDays,
      parked: a.parked,
    };
  });

function definedVersion(
  image: { frameworkVersion?: string; pythonVersion?: string } | undefined,
): Partial<DlcVersion> {
  const out: Partial<DlcVersion> = {};
  if (image?.frameworkVersion !== undefined) out.frameworkVersion = image.frameworkVersion;
  if (image?.pythonVersion !== undefined) out.pythonVersion = image.pythonVersion;
  return out;
}

function processorFor(instanceType: string): Processor | Error {
  try {
    return processorOf(instanceType);
  } catch (err) {
    return err as Error;
  }
}

/**
 * Applies the defaults and checks every argument; throws a ComponentArgsError listing every
 * problem, each naming its argument(s), what is allowed and the value it got.
 */
export function resolveEndpointArgs(name: string, args: InferenceEndpointArgs): ResolvedEndpointArgs {
  return resolveArgs("InferenceEndpoint", name, inferenceEndpointArgsSchema, args);
}
