/** The arguments of `TrainingCluster`, their defaults (one place) and their schema. */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { sourceBundleRefArg } from "../source-bundle/args";
import type { SourceBundleRef } from "../source-bundle";
import {
  bool,
  collaborator,
  int,
  num,
  oneOf,
  optionalInput,
  pattern,
  problem,
  ref,
  resolveArgs,
  tagsSchema,
  text,
  withDefaults,
  artifactStoreArg,
  awsContextArg,
} from "../shared/arg-schema";
import { NAME_PATTERNS } from "../shared/aws-facts";
import { kmsAliasArnArg, kmsKeyArnArg } from "../shared/kms";
import { AwsContext } from "../shared/aws-context";
import {
  HYPERPARAMETER_DEFAULTS,
  HyperparametersArgs,
  hyperparametersSchema,
} from "../shared/hyperparameters";
import { instanceTypeSchema } from "../shared/instance-types";
import { Tags } from "../shared/tags";
import { DistributionMode } from "./job-spec";
import { TrainingMetrics } from "./metrics";
import { processorOf, pytorchTrainingImageTag } from "./pytorch-image";

/** Where jobs read and write in the artifact store (an `ArtifactStore` fits). */
export interface TrainingStorage {
  bucketName: string;
  datasetPrefix: string;
  prefixes: { code: string; models: string; checkpoints: string };
}

/** Jobs run in these private subnets with these security groups (VPC mode). */
export interface TrainingNetwork {
  subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  securityGroupIds: pulumi.Input<pulumi.Input<string>[]>;
}

/** The search space of the tuner. */
export interface TuningRangesArgs {
  /** Learning rate, searched on a log scale, 0 < min < max <= 1. Default 0.0001..0.1. */
  lr?: { min: number; max: number };
  /** Batch sizes to try. Default [32, 64, 128]. */
  batchSize?: number[];
  /** Epochs, whole numbers, 1 <= min < max. Default 2..5. */
  epochs?: { min: number; max: number };
}

export interface TrainingTuningArgs {
  /** Instance type of each trial. Default `ml.m5.xlarge`. */
  instanceType?: string;
  /** Trials in total (1-500). Default 4. */
  maxJobs?: number;
  /** Trials at once (1-100, <= maxJobs). Default 2. */
  maxParallelJobs?: number;
  /** `Auto` stops trials that are unlikely to beat the best one. Default `Auto`. */
  earlyStopping?: "Auto" | "Off";
  /** Run-time limit of each trial, hours (at most 120). Default 2. */
  maxRuntimeHours?: number;
  /** Search space. Defaults: lr 1e-4..1e-1 (log scale), batch size 32/64/128, epochs 2..5. */
  ranges?: TuningRangesArgs;
}

/** The training role: created with `name` (default `<jobNamePrefix>-training`), or yours by `arn` (not both). */
export interface TrainingRoleArgs {
  name?: string;
  arn?: pulumi.Input<string>;
}

export interface TrainingClusterArgs {
  /** The partition, region and account (see `lookupAwsContext`). Required. */
  context: pulumi.Input<AwsContext>;
  /** The artifact store (or the same shape). Required. */
  storage: TrainingStorage;
  /** The uploaded `sourcedir.tar.gz` (see `SourceBundle`), in the same bucket as `storage`. Required. */
  sourceBundle: SourceBundleRef;
  /**
   * The KMS key's ARN (an Output such as `key.arn` is fine): the instances' ML storage volumes
   * (ResourceConfig.VolumeKmsKeyId documents only key ids and key ARNs), and job output when
   * `kmsAliasArn` is not given. Required.
   */
  kmsKeyArn: pulumi.Input<string>;
  /**
   * An alias ARN of the same key, known at preview: job output (OutputDataConfig.KmsKeyId accepts
   * alias ARNs) and the role's KMS grant. Default: `kmsKeyArn`.
   */
  kmsAliasArn?: pulumi.Input<string>;
  /** Another key (its ARN) for the instances' ML storage volumes. Default `kmsKeyArn`. */
  volumeKmsKeyArn?: pulumi.Input<string>;
  /**
   * An explicit run id, part of every job name: change it to run the same inputs again (after a
   * failed job, whose name SageMaker keeps until the job is deleted). Default: none.
   */
  runId?: string;
  /**
   * Every job name starts with this; the role's S3 and log permissions are limited to it. Tuning
   * job names are limited to 32 characters, so keep it to 19 when tuning is on. Required.
   */
  jobNamePrefix: string;
  /** `{ name }`: create the training role with this name (default `<jobNamePrefix>-training`). `{ arn }`: use yours. */
  role?: TrainingRoleArgs;
  /** VPC mode: subnets and security groups of the jobs. Omit to run outside a VPC. */
  network?: TrainingNetwork;
  /** Declare the training job. Default true. */
  trainingJob?: boolean;
  /** Declare a hyperparameter tuning job with these settings. Default: none. */
  tuning?: TrainingTuningArgs;
  /** A training instance type AWS offers. Default `ml.m5.xlarge`. */
  instanceType?: string;
  /** Instances of the training job; 2+ is distributed training. Default 1. */
  instanceCount?: number;
  /** ML storage volume per instance, GB (1-16384). Default 30. */
  volumeSizeGb?: number;
  /** Run-time limit of the training job, hours (at most 672, SageMaker's 28 days). Default 4. */
  maxRuntimeHours?: number;
  /** Managed spot training (checkpoints under `checkpoints/<jobName>/`). Default false. */
  spot?: boolean;
  /** With spot: limit on waiting for capacity plus running, hours (>= maxRuntimeHours). Default 2x maxRuntimeHours. */
  maxWaitHours?: number;
  /** PyTorch version of the SageMaker training image. Default `2.1`. */
  frameworkVersion?: string;
  /** Default `py310`. */
  pythonVersion?: string;
  /** Default `{ arch: "resnet50", lr: 0.001, batchSize: 32, epochs: 5, pretrained: true }`. */
  hyperparameters?: HyperparametersArgs;
  /** Store key of the backbone's ImageNet state dict; jobs have no internet to download it. Default none. */
  pretrainedWeightsKey?: string;
  /** `hosts` (one process per instance, default) or `torchrun` (one per GPU; GPU types only). */
  distribution?: DistributionMode;
  /** Metric definitions and tuning objective. Default: read from training/metrics.json. */
  metrics?: TrainingMetrics;
  /**
   * Minutes `pulumi up` waits for the training job (its create timeout), 1-720. Default 50: below
   * the one-hour default of AWS role and IAM Identity Center sessions, so the deploy's credentials
   * outlast the wait. A job that runs longer keeps running; see docs/deploy.md.
   */
  waitMinutes?: number;
  tags?: Tags;
}

export const TUNING_DEFAULTS = {
  instanceType: "ml.m5.xlarge",
  maxJobs: 4,
  maxParallelJobs: 2,
  earlyStopping: "Auto",
  maxRuntimeHours: 2,
  ranges: { lr: { min: 0.0001, max: 0.1 }, batchSize: [32, 64, 128], epochs: { min: 2, max: 5 } },
} as const;

export const TRAINING_DEFAULTS = {
  instanceType: "ml.m5.xlarge",
  instanceCount: 1,
  volumeSizeGb: 30,
  maxRuntimeHours: 4,
  spot: false,
  frameworkVersion: "2.1",
  pythonVersion: "py310",
  distribution: "hosts",
  waitMinutes: 50,
  trainingJob: true,
  hyperparameters: HYPERPARAMETER_DEFAULTS,
  tuning: TUNING_DEFAULTS,
} as const;

/** SageMaker caps training job names at 63 characters and tuning job names at 32. */
export const JOB_NAME_LIMITS = { training: 63, tuning: 32 } as const;
export const TUNING_HASH_LENGTH = 8;
export const TUNING_MARKER = "hpo";

const S3_KEY = "an S3 object key such as weights/resnet50-11ad3fa6.pth (no leading or trailing slash)";

const range = (min: number, max: number, integer: boolean) =>
  z
    .strictObject({
      min: integer ? int(min, max) : num(min, max, true),
      max: integer ? int(min, max) : num(min, max, true),
    })
    .superRefine((r, ctx) => {
      if (r.min >= r.max) problem(ctx, ["max"], `must be > min (got ${r.max} <= ${r.min})`);
    });

/** The tuner's settings (the stack config's `tuning` composes these, with TUNING_DEFAULTS). */
export const tuningFields = {
  instanceType: instanceTypeSchema("training"),
  // HyperParameterTuningJob ResourceLimits: MaxNumberOfTrainingJobs up to 500, MaxParallelTrainingJobs up to 100.
  maxJobs: int(1, 500),
  maxParallelJobs: int(1, 100),
  earlyStopping: oneOf(["Auto", "Off"]),
  maxRuntimeHours: num(0, 5 * 24, true),
  ranges: z
    .strictObject({
      lr: range(0, 1, false).default(TUNING_DEFAULTS.ranges.lr),
      batchSize: z
        .array(int(1, 4096), { error: "must be a list of batch sizes such as [32, 64]" })
        .min(1, { error: "must list at least one batch size" })
        .default([...TUNING_DEFAULTS.ranges.batchSize]),
      epochs: range(1, 1000, true).default(TUNING_DEFAULTS.ranges.epochs),
    })
    .prefault({}),
};

const { ranges: _ranges, ...tuningScalarDefaults } = TUNING_DEFAULTS;
/** The tuner's cross-argument rule (on the tuning object). */
export function checkTuning(t: { maxJobs: number; maxParallelJobs: number }, ctx: z.RefinementCtx): void {
  if (t.maxParallelJobs > t.maxJobs)
    problem(
      ctx,
      ["maxParallelJobs"],
      `must be <= ${ref("maxJobs")} (got ${t.maxParallelJobs} > ${t.maxJobs})`,
    );
}

export const tuningSchema = z
  .strictObject({ ...withDefaults(tuningFields, tuningScalarDefaults), ranges: tuningFields.ranges })
  .superRefine(checkTuning);

/** The training job's settings (the stack config's `training` composes these, with TRAINING_DEFAULTS). */
export const trainingFields = {
  instanceType: instanceTypeSchema("training"),
  instanceCount: int(1),
  volumeSizeGb: int(1, 16384),
  // MaxRuntimeInSeconds is at most 28 days.
  maxRuntimeHours: num(0, 28 * 24, true),
  spot: bool(),
  maxWaitHours: num(0, 28 * 24, true),
  frameworkVersion: text(),
  pythonVersion: pattern(/^py3\d+$/, "a Python version such as py310"),
  hyperparameters: hyperparametersSchema,
  /**
   * Key in the artifact store of the backbone's ImageNet state dict (torchvision's file, e.g.
   * weights/resnet50-11ad3fa6.pth). Training jobs and the EC2 trainer have no internet access,
   * so they load pretrained weights from here instead of downloading them.
   */
  pretrainedWeightsKey: pattern(NAME_PATTERNS.s3KeyPrefix, S3_KEY),
  /** Minutes `pulumi up` waits for the training job; 720 (12 h) is the longest session AWS issues. */
  waitMinutes: int(1, 720),
  /** An explicit run id in the job names: change it to run unchanged inputs again. */
  runId: pattern(/^[a-zA-Z0-9-]{1,32}$/, "1-32 letters, digits and hyphens, such as 2"),
};

/** Cross-argument rules of the training job (the stack config runs them on its `training` section too). */
export function checkTraining(
  t: {
    spot: boolean;
    maxRuntimeHours: number;
    maxWaitHours?: number;
    frameworkVersion: string;
    pythonVersion: string;
    instanceType: string;
  },
  ctx: z.RefinementCtx,
): void {
  if (t.maxWaitHours !== undefined && !t.spot)
    problem(
      ctx,
      ["maxWaitHours"],
      `is only used with managed spot training; set ${ref("spot")} to true or remove it`,
    );
  else if (t.maxWaitHours !== undefined && t.maxWaitHours < t.maxRuntimeHours)
    problem(
      ctx,
      ["maxWaitHours"],
      `must be >= ${ref("maxRuntimeHours")} (got ${t.maxWaitHours} < ${t.maxRuntimeHours})`,
    );
  try {
    pytorchTrainingImageTag(t.frameworkVersion, t.pythonVersion, t.instanceType);
  } catch (err) {
    const message = (err as Error).message;
    const key = /^frameworkVersion/.test(message) ? "frameworkVersion" : "instanceType";
    problem(ctx, [key], message.replace(/^(frameworkVersion|instanceType \S+|instanceType) /, ""));
  }
}

const {
  hyperparameters: _hp,
  tuning: _tuning,
  trainingJob: _tj,
  distribution: _d,
  ...trainingScalarDefaults
} = TRAINING_DEFAULTS;

export const trainingClusterArgsSchema = z
  .strictObject({
    context: awsContextArg(),
    storage: artifactStoreArg<TrainingStorage>(),
    sourceBundle: sourceBundleRefArg(),
    kmsKeyArn: kmsKeyArnArg("training volumes (ResourceConfig.VolumeKmsKeyId)"),
    kmsAliasArn: kmsAliasArnArg(),
    volumeKmsKeyArn: optionalInput<string>(),
    jobNamePrefix: pattern(/^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/, "letters, digits and inner hyphens"),
    role: z
      .strictObject({
        name: pattern(NAME_PATTERNS.iamRole, "an IAM role name: 1-64 letters, digits and +=,.@_-").optional(),
        arn: optionalInput<string>(),
      })
      .optional(),
    network: collaborator<TrainingNetwork>("the jobs' subnets and security groups", [
      "subnetIds",
      "securityGroupIds",
    ]).optional(),
    trainingJob: bool().default(TRAINING_DEFAULTS.trainingJob),
    tuning: tuningSchema.optional(),
    ...withDefaults(trainingFields, trainingScalarDefaults),
    maxWaitHours: trainingFields.maxWaitHours.optional(),
    pretrainedWeightsKey: trainingFields.pretrainedWeightsKey.optional(),
    runId: trainingFields.runId.optional(),
    hyperparameters: hyperparametersSchema,
    distribution: oneOf(["hosts", "torchrun"]).default(TRAINING_DEFAULTS.distribution),
    metrics: z.custom<TrainingMetrics>((v) => v !== null && typeof v === "object").optional(),
    tags: tagsSchema.optional(),
  })
  .superRefine((a, ctx) => {
    checkTraining(a, ctx);
    if (a.role?.name !== undefined && a.role.arn !== undefined)
      problem(
        ctx,
        ["role", "arn"],
        `conflicts with ${ref("role.name")}: give the name of a role to create, or the ARN of yours`,
      );
    if (a.sourceBundle.bucketName !== a.storage.bucketName)
      problem(
        ctx,
        ["sourceBundle"],
        `is in bucket ${a.sourceBundle.bucketName}, but ${ref("storage")} is ${a.storage.bucketName}; upload it to the same store`,
      );
    try {
      if (a.distribution === "torchrun" && processorOf(a.instanceType) !== "gpu")
        problem(
          ctx,
          ["distribution"],
          `"torchrun" launches one process per GPU; ${ref("instanceType")} ${a.instanceType} has none (use "hosts")`,
        );
    } catch {
      // A Neuron type is reported by checkTraining.
    }
    if (a.tuning) {
      const room = JOB_NAME_LIMITS.tuning - TUNING_HASH_LENGTH - `-${TUNING_MARKER}-`.length;
      if (a.jobNamePrefix.length > room)
        problem(
          ctx,
          ["jobNamePrefix"],
          `must be at most ${room} characters when tuning is on (tuning job names are limited to ${JOB_NAME_LIMITS.tuning}) (got ${a.jobNamePrefix.length} characters)`,
        );
      try {
        pytorchTrainingImageTag(a.frameworkVersion, a.pythonVersion, a.tuning.instanceType);
      } catch (err) {
        if (!/^frameworkVersion/.test((err as Error).message))
          problem(ctx, ["tuning", "instanceType"], (err as Error).message.replace(/^instanceType \S+ /, ""));
      }
    }
  });

export type ResolvedTrainingClusterArgs = z.output<typeof trainingClusterArgsSchema>;

/** Applies the defaults and checks every argument; throws a ComponentArgsError naming each problem. */
export function resolveTrainingArgs(name: string, args: TrainingClusterArgs): ResolvedTrainingClusterArgs {
  return resolveArgs("TrainingCluster", name, trainingClusterArgsSchema, args);
}

/** Checks args that other programs pass without our stack config; throws one message per problem. */
export function validateTrainingArgs(name: string, args: TrainingClusterArgs): void {
  resolveTrainingArgs(name, args);
}
