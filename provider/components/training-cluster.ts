/** TrainingCluster for Pulumi programs in any language (see components/training-cluster). */
import * as pulumi from "@pulumi/pulumi";
import * as ts from "../../components/training-cluster";
import type { HyperparametersArgs } from "../../components/shared/hyperparameters";
import type { AwsContext } from "../../components/shared/aws-context";
import type { Tags } from "../../components/shared/tags";
import {
  adapt,
  ArtifactStoreRef,
  awsContext,
  dependenciesOf,
  Expect,
  SameArgNames,
  SourceBundleRefArgs,
  storeOf,
  token,
} from "./adapter";

/** Whether tuning stops trials early. */
export const EarlyStopping = {
  /** Stop trials that are unlikely to beat the best one. */
  Auto: "Auto",
  /** Run every trial to its end. */
  Off: "Off",
} as const;
export type EarlyStopping = (typeof EarlyStopping)[keyof typeof EarlyStopping];

/** How a multi-instance training job runs train.py. */
export const TrainingDistribution = {
  /** Once per instance; train.py builds the process group from SM_HOSTS (gloo on CPU, nccl on GPU). */
  Hosts: "hosts",
  /** torchrun, one process per GPU (GPU instance types only). */
  Torchrun: "torchrun",
} as const;
export type TrainingDistribution = (typeof TrainingDistribution)[keyof typeof TrainingDistribution];

/** Whether the tuning objective is maximized or minimized. */
export const ObjectiveType = {
  Maximize: "Maximize",
  Minimize: "Minimize",
} as const;
export type ObjectiveType = (typeof ObjectiveType)[keyof typeof ObjectiveType];

/** A numeric range of the search space. */
export interface TuningRange {
  min: number;
  max: number;
}

export interface TuningRangesArgs {
  /** Learning rate, searched on a log scale, 0 < min < max <= 1. Default 0.0001..0.1. */
  lr?: TuningRange;
  /** Batch sizes to try. Default [32, 64, 128]. */
  batchSize?: number[];
  /** Epochs, whole numbers, 1 <= min < max. Default 2..5. */
  epochs?: TuningRange;
}

export interface TrainingTuningArgs {
  /** Instance type of each trial. Default `ml.m5.xlarge`. */
  instanceType?: string;
  /** Trials in total (1-500). Default 4. */
  maxJobs?: number;
  /** Trials at once (1-100, <= maxJobs). Default 2. */
  maxParallelJobs?: number;
  /** `Auto` stops trials that are unlikely to beat the best one. Default `Auto`. */
  earlyStopping?: EarlyStopping;
  /** Run-time limit of each trial, hours (at most 120). Default 2. */
  maxRuntimeHours?: number;
  /** Search space. Defaults: lr 1e-4..1e-1 (log scale), batch size 32/64/128, epochs 2..5. */
  ranges?: TuningRangesArgs;
}

/** The metric the tuning job optimizes. */
export interface MetricObjectiveArgs {
  metricName: string;
  type: ObjectiveType;
}

/** Metric definitions and the tuning objective. */
export interface TrainingMetricsArgs {
  definitions: ts.MetricDefinition[];
  objective: MetricObjectiveArgs;
}

export interface TrainingClusterArgs {
  /** The partition, region and account. Default: looked up with the AWS provider (getPartition, getRegion, getCallerIdentity). */
  context?: pulumi.Input<AwsContext>;
  /** The artifact store, by bucket name (and dataset prefix). Required. */
  storage: ArtifactStoreRef;
  /** The uploaded `sourcedir.tar.gz` (a `SourceBundle`'s outputs), in the same bucket as `storage`. Required. */
  sourceBundle: SourceBundleRefArgs;
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
  role?: ts.TrainingRoleArgs;
  /** VPC mode: subnets and security groups of the jobs. Omit to run outside a VPC. */
  network?: ts.TrainingNetwork;
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
  distribution?: TrainingDistribution;
  /** Metric definitions and tuning objective. Default: read from training/metrics.json. */
  metrics?: TrainingMetricsArgs;
  /**
   * Minutes `pulumi up` waits for the training job (its create timeout), 1-720. Default 50: below
   * the one-hour default of AWS role and IAM Identity Center sessions, so the deploy's credentials
   * outlast the wait. A job that runs longer keeps running; see docs/deploy.md.
   */
  waitMinutes?: number;
  tags?: Tags;
}
export type TrainingClusterArgsMatch = Expect<SameArgNames<ts.TrainingClusterArgs, TrainingClusterArgs>>;

/** Arguments passed through as Inputs (the rest are made plain first; see adapt). */
export const inputs: readonly string[] = [
  "context",
  "kmsKeyArn",
  "kmsAliasArn",
  "volumeKmsKeyArn",
  "role.arn",
  "network.subnetIds",
  "network.securityGroupIds",
];

/** SageMaker training of the package's training code: a scoped role, a training job and an optional tuning job. */
export class TrainingCluster extends pulumi.ComponentResource {
  readonly roleArn: pulumi.Output<string>;
  /** The created role's name (none with `role.arn`). */
  readonly roleName: pulumi.Output<string | undefined>;
  readonly imageUri: pulumi.Output<string>;
  readonly trainingJobName: pulumi.Output<string | undefined>;
  /** `s3://<bucket>/models/<trainingJobName>/output/model.tar.gz`: an endpoint's `modelDataUrl`. */
  readonly modelDataUrl: pulumi.Output<string | undefined>;
  readonly tuningJobName: pulumi.Output<string | undefined>;

  constructor(name: string, args: TrainingClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super(token("TrainingCluster"), name, {}, opts);
    // Jobs wait for the bundle's upload: the resources its outputs came from.
    const upload = dependenciesOf(args.sourceBundle)[0];
    const out = adapt(this, `TrainingCluster ${name}`, args, inputs, (a, opts) => {
      const cluster = new ts.TrainingCluster(
        name,
        {
          ...a,
          context: awsContext(a.context, this),
          storage: storeOf(a.storage),
          sourceBundle: { ...a.sourceBundle, resource: upload },
        },
        opts,
      );
      return {
        roleArn: cluster.roleArn,
        roleName: cluster.roleName,
        imageUri: cluster.imageUri,
        trainingJobName: cluster.trainingJobName,
        modelDataUrl: cluster.modelDataUrl,
        tuningJobName: cluster.tuningJobName,
      };
    });
    this.roleArn = out.roleArn;
    this.roleName = out.roleName;
    this.imageUri = out.imageUri;
    this.trainingJobName = out.trainingJobName;
    this.modelDataUrl = out.modelDataUrl;
    this.tuningJobName = out.tuningJobName;
    this.registerOutputs({
      roleArn: this.roleArn,
      imageUri: this.imageUri,
      trainingJobName: this.trainingJobName,
      modelDataUrl: this.modelDataUrl,
      tuningJobName: this.tuningJobName,
    });
  }
}
