import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { SourceBundleRef } from "../source-bundle";
import { AwsContext, iamRoleArn } from "../shared/aws-context";
import { policyDocument, serviceTrustPolicy, toJson } from "../shared/iam";
import { hashedName } from "../shared/naming";
import { Tags, componentTags } from "../shared/tags";
import {
  CHECKPOINT_LOCAL_PATH,
  checkpointUri,
  DistributionMode,
  Hyperparameters,
  JobSettings,
  maxWaitSeconds,
  modelArtifactUrl,
  trainingJobInputs,
  tuningJobInputs,
  TuningSettings,
} from "./job-spec";
import { loadTrainingMetrics, TrainingMetrics } from "./metrics";
import { processorOf, PYTORCH_TRAINING_REPOSITORY, pytorchTrainingImageTag } from "./pytorch-image";
import { trainingRoleStatements } from "./training-role";

export * from "./job-spec";
export * from "./metrics";
export * from "./pytorch-image";
export * from "./training-role";

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

export interface TrainingTuningArgs {
  /** Instance type of each trial. Default `ml.m5.xlarge`. */
  instanceType?: string;
  /** Trials in total. Default 4. */
  maxJobs?: number;
  /** Trials at once (<= maxJobs). Default 2. */
  maxParallelJobs?: number;
  /** `Auto` stops trials that are unlikely to beat the best one. Default `Auto`. */
  earlyStopping?: "Auto" | "Off";
  /** Run-time limit of each trial, hours. Default 2. */
  maxRuntimeHours?: number;
  /** Search space. Defaults: lr 1e-4..1e-1 (log scale), batch size 32/64/128, epochs 2..5. */
  ranges?: Partial<TuningSettings["ranges"]>;
}

export interface TrainingClusterArgs {
  context: pulumi.Input<AwsContext>;
  storage: TrainingStorage;
  /** The uploaded `sourcedir.tar.gz` (see `SourceBundle`). Required. */
  sourceBundle: SourceBundleRef;
  /** KMS key or alias ARN: job output, checkpoints and the S3 objects the role reads. Required. */
  kmsKeyArn: pulumi.Input<string>;
  /** KMS key for the instances' ML storage volumes. Default `kmsKeyArn`. */
  volumeKmsKeyArn?: pulumi.Input<string>;
  /**
   * Every job name starts with this; the role's S3 and log permissions are limited to it. Tuning
   * job names are limited to 32 characters, so keep it to 19 when tuning is on. Required.
   */
  jobNamePrefix: string;
  /** `{ name }`: create the training role with this name (default `<jobNamePrefix>-training`). `{ arn }`: use yours. */
  role?: { name?: string } | { arn: pulumi.Input<string> };
  /** VPC mode: subnets and security groups of the jobs. Omit to run outside a VPC. */
  network?: TrainingNetwork;
  /** Declare the training job. Default true. */
  trainingJob?: boolean;
  /** Declare a hyperparameter tuning job with these settings. Default: none. */
  tuning?: TrainingTuningArgs;
  /** Default `ml.m5.xlarge`. */
  instanceType?: string;
  /** Instances of the training job; 2+ is distributed training. Default 1. */
  instanceCount?: number;
  /** ML storage volume per instance, GB. Default 30. */
  volumeSizeGb?: number;
  /** Run-time limit of the training job, hours. Default 4. */
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
  hyperparameters?: Partial<Hyperparameters>;
  /** Store key of the backbone's ImageNet state dict; jobs have no internet to download it. Default none. */
  pretrainedWeightsKey?: string;
  /** `hosts` (one process per instance, default) or `torchrun` (one per GPU; GPU types only). */
  distribution?: DistributionMode;
  /** Metric definitions and tuning objective. Default: read from training/metrics.json. */
  metrics?: TrainingMetrics;
  /** Extra minutes `pulumi up` waits for the training job beyond its own limits. Default 60. */
  waitMarginMinutes?: number;
  tags?: Tags;
}

export const TRAINING_DEFAULTS = {
  instanceType: "ml.m5.xlarge",
  instanceCount: 1,
  volumeSizeGb: 30,
  maxRuntimeHours: 4,
  spot: false,
  frameworkVersion: "2.1",
  pythonVersion: "py310",
  distribution: "hosts" as DistributionMode,
  waitMarginMinutes: 60,
  hyperparameters: {
    arch: "resnet50",
    lr: 0.001,
    batchSize: 32,
    epochs: 5,
    pretrained: true,
  } as Hyperparameters,
  tuning: {
    instanceType: "ml.m5.xlarge",
    maxJobs: 4,
    maxParallelJobs: 2,
    earlyStopping: "Auto" as const,
    maxRuntimeHours: 2,
    ranges: { lr: { min: 0.0001, max: 0.1 }, batchSize: [32, 64, 128], epochs: { min: 2, max: 5 } },
  },
};

/** SageMaker caps training job names at 63 characters and tuning job names at 32. */
export const JOB_NAME_LIMITS = { training: 63, tuning: 32 } as const;
const TUNING_HASH_LENGTH = 8;
const TUNING_MARKER = "hpo";
const TRAINING_MARKER = "train";
const TRAINING_HASH_LENGTH = 12;

/** Checks args that other programs pass without our stack config; throws one message per problem. */
export function validateTrainingArgs(name: string, a: TrainingClusterArgs): void {
  const problems: string[] = [];
  const wholeAtLeast = (value: number | undefined, min: number, what: string) => {
    if (value !== undefined && (!Number.isInteger(value) || value < min))
      problems.push(`${what} must be a whole number >= ${min} (got ${value})`);
  };
  const positive = (value: number | undefined, what: string) => {
    if (value !== undefined && !(value > 0)) problems.push(`${what} must be > 0 (got ${value})`);
  };
  if (!/^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/.test(a.jobNamePrefix))
    problems.push(`jobNamePrefix must be letters, digits and inner hyphens (got "${a.jobNamePrefix}")`);
  wholeAtLeast(a.instanceCount, 1, "instanceCount");
  wholeAtLeast(a.volumeSizeGb, 1, "volumeSizeGb");
  positive(a.maxRuntimeHours, "maxRuntimeHours");
  if (a.maxRuntimeHours !== undefined && a.maxRuntimeHours > 28 * 24)
    problems.push(
      `maxRuntimeHours must be at most 672 (28 days, SageMaker's limit) (got ${a.maxRuntimeHours})`,
    );
  if (a.maxWaitHours !== undefined) {
    if (!a.spot) problems.push("maxWaitHours is only used with spot: true");
    else if (a.maxWaitHours < (a.maxRuntimeHours ?? TRAINING_DEFAULTS.maxRuntimeHours))
      problems.push(`maxWaitHours must be >= maxRuntimeHours (got ${a.maxWaitHours})`);
  }
  const hp = a.hyperparameters ?? {};
  positive(hp.lr, "hyperparameters.lr");
  wholeAtLeast(hp.batchSize, 1, "hyperparameters.batchSize");
  wholeAtLeast(hp.epochs, 1, "hyperparameters.epochs");
  try {
    const type = a.instanceType ?? TRAINING_DEFAULTS.instanceType;
    if (a.distribution === "torchrun" && processorOf(type) !== "gpu")
      problems.push(`distribution "torchrun" launches one process per GPU; ${type} has none (use "hosts")`);
  } catch (err) {
    problems.push((err as Error).message);
  }
  if (a.tuning) {
    const t = a.tuning;
    wholeAtLeast(t.maxJobs, 1, "tuning.maxJobs");
    wholeAtLeast(t.maxParallelJobs, 1, "tuning.maxParallelJobs");
    const maxJobs = t.maxJobs ?? TRAINING_DEFAULTS.tuning.maxJobs;
    if ((t.maxParallelJobs ?? TRAINING_DEFAULTS.tuning.maxParallelJobs) > maxJobs)
      problems.push(
        `tuning.maxParallelJobs must be <= tuning.maxJobs (got ${t.maxParallelJobs} > ${maxJobs})`,
      );
    positive(t.maxRuntimeHours, "tuning.maxRuntimeHours");
    const r = t.ranges ?? {};
    if (r.lr && !(r.lr.min > 0 && r.lr.min < r.lr.max))
      problems.push(`tuning.ranges.lr must have 0 < min < max (got ${r.lr.min}..${r.lr.max})`);
    if (
      r.epochs &&
      !(
        Number.isInteger(r.epochs.min) &&
        Number.isInteger(r.epochs.max) &&
        r.epochs.min >= 1 &&
        r.epochs.min < r.epochs.max
      )
    )
      problems.push(
        `tuning.ranges.epochs must be whole numbers with 1 <= min < max (got ${r.epochs.min}..${r.epochs.max})`,
      );
    if (r.batchSize && (r.batchSize.length === 0 || !r.batchSize.every((b) => Number.isInteger(b) && b >= 1)))
      problems.push(
        `tuning.ranges.batchSize must list whole numbers >= 1 (got ${JSON.stringify(r.batchSize)})`,
      );
    const room = JOB_NAME_LIMITS.tuning - TUNING_HASH_LENGTH - `-${TUNING_MARKER}-`.length;
    if (a.jobNamePrefix.length > room)
      problems.push(
        `jobNamePrefix must be at most ${room} characters when tuning is on (tuning job names are limited to ${JOB_NAME_LIMITS.tuning}); got ${a.jobNamePrefix.length}`,
      );
  }
  if (problems.length) throw new Error(`TrainingCluster ${name}: ${problems.join("; ")}`);
}

/** Go duration (`timeouts.create`) and Pulumi custom timeout for waiting `minutes`. */
const minutes = (m: number) => `${Math.ceil(m)}m`;

/**
 * SageMaker training for the PyTorch entry point in training/: an optional training job
 * (multi-instance with torch.distributed, waits until done), an optional hyperparameter tuning
 * job (does not wait), and the training role they run as, scoped to the store's prefixes, the
 * image's repository and the jobs' own logs. Jobs run network-isolated in the VPC with
 * inter-container encryption and KMS on volumes and output. Job names are `<prefix>-...-<hash of
 * every input>`, so a change is a new job (SageMaker jobs cannot be updated) and no change is a no-op.
 */
export class TrainingCluster extends pulumi.ComponentResource {
  readonly role?: aws.iam.Role;
  /** The training role's ARN, assembled from known parts (known at preview). */
  readonly roleArn: pulumi.Output<string>;
  readonly roleName?: string;
  /** Training image of the training job (or of the tuning trials when there is no training job). */
  readonly imageUri: pulumi.Output<string>;
  readonly trainingJob?: aws.sagemaker.TrainingJob;
  readonly trainingJobName?: pulumi.Output<string>;
  /**
   * `s3://<bucket>/models/<trainingJobName>/output/model.tar.gz`, known at preview; it depends on
   * the training job, so consumers wait until the job has written the artifact.
   */
  readonly modelDataUrl?: pulumi.Output<string>;
  readonly tuningJob?: aws.sagemaker.HyperParameterTuningJob;
  readonly tuningJobName?: pulumi.Output<string>;

  constructor(name: string, args: TrainingClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ml-platform:training:TrainingCluster", name, {}, opts);
    validateTrainingArgs(name, args);
    const d = TRAINING_DEFAULTS;
    const a = {
      ...d,
      ...args,
      trainingJob: args.trainingJob ?? true,
      hyperparameters: { ...d.hyperparameters, ...args.hyperparameters },
    };
    const tuning: TuningSettings | undefined = args.tuning
      ? {
          ...d.tuning,
          ...args.tuning,
          ranges: { ...d.tuning.ranges, ...args.tuning.ranges },
        }
      : undefined;
    const metrics = args.metrics ?? loadTrainingMetrics();
    const tags = componentTags(a.tags, "training");
    const ctx = pulumi.output(a.context);
    const bundle = a.sourceBundle;
    if (bundle.bucketName !== a.storage.bucketName)
      throw new Error(
        `TrainingCluster ${name}: the source bundle is in bucket ${bundle.bucketName}, but storage is ${a.storage.bucketName}; upload it to the same store`,
      );

    // One image per processor kind: the tuning trials may run on another instance family.
    const images = new Map<string, pulumi.Output<aws.sagemaker.GetPrebuiltEcrImageResult>>();
    const imageFor = (instanceType: string) => {
      const tag = pytorchTrainingImageTag(a.frameworkVersion, a.pythonVersion, instanceType);
      if (!images.has(tag))
        images.set(
          tag,
          aws.sagemaker.getPrebuiltEcrImageOutput(
            { repositoryName: PYTORCH_TRAINING_REPOSITORY, imageTag: tag },
            { parent: this },
          ),
        );
      return images.get(tag)!;
    };
    const trainingImage = imageFor(a.instanceType);
    const tuningImage = tuning ? imageFor(tuning.instanceType) : undefined;
    this.imageUri = (a.trainingJob || !tuningImage ? trainingImage : tuningImage).registryPath;

    // The role: created here with a deterministic name, or the caller's.
    const dependsOn: pulumi.Resource[] = bundle.resource ? [bundle.resource] : [];
    if (args.role && "arn" in args.role) {
      this.roleArn = pulumi.output(args.role.arn);
    } else {
      const roleName = args.role?.name ?? `${a.jobNamePrefix}-training`.slice(0, 64);
      this.roleName = roleName;
      this.role = new aws.iam.Role(
        `${name}-role`,
        {
          name: roleName,
          description: `SageMaker training and tuning jobs named ${a.jobNamePrefix}-*`,
          assumeRolePolicy: ctx.apply((c) => toJson(serviceTrustPolicy(c, "sagemaker"))),
          maxSessionDuration: 3600,
          tags,
        },
        { parent: this },
      );
      const policy = new aws.iam.RolePolicy(
        `${name}-policy`,
        {
          role: this.role.name,
          name: "least-privilege",
          policy: pulumi
            .all([ctx, a.kmsKeyArn, trainingImage.registryId])
            .apply(([c, kmsKeyArn, registryId]) =>
              toJson(
                policyDocument(
                  trainingRoleStatements(c, {
                    bucketName: a.storage.bucketName,
                    datasetPrefix: a.storage.datasetPrefix,
                    codePrefix: a.storage.prefixes.code,
                    modelsPrefix: a.storage.prefixes.models,
                    checkpointsPrefix: a.storage.prefixes.checkpoints,
                    jobNamePrefix: a.jobNamePrefix,
                    kmsKeyArn,
                    imageRegistryId: registryId,
                    imageRepository: PYTORCH_TRAINING_REPOSITORY,
                    pretrainedWeightsKey: a.hyperparameters.pretrained ? a.pretrainedWeightsKey : undefined,
                    vpc: a.network !== undefined,
                  }),
                ),
              ),
            ),
        },
        { parent: this },
      );
      this.roleArn = ctx.apply((c) => iamRoleArn(c, roleName));
      dependsOn.push(this.role, policy);
    }

    const settings = (imageUri: pulumi.Input<string>) =>
      pulumi
        .all([ctx, this.roleArn, a.kmsKeyArn, a.volumeKmsKeyArn ?? a.kmsKeyArn, imageUri])
        .apply(([c, roleArn, kmsKeyArn, volumeKmsKeyArn, uri]): JobSettings => ({
          region: c.region,
          bucketName: a.storage.bucketName,
          datasetPrefix: a.storage.datasetPrefix,
          modelsPrefix: a.storage.prefixes.models,
          checkpointsPrefix: a.storage.prefixes.checkpoints,
          bundleKey: bundle.key,
          bundleSha256: bundle.sha256,
          imageUri: uri,
          roleArn,
          kmsKeyArn,
          volumeKmsKeyArn,
          instanceType: a.instanceType,
          instanceCount: a.instanceCount,
          volumeSizeGb: a.volumeSizeGb,
          maxRuntimeHours: a.maxRuntimeHours,
          spot: a.spot,
          maxWaitHours: a.maxWaitHours,
          hyperparameters: a.hyperparameters,
          pretrainedWeightsKey: a.pretrainedWeightsKey,
          distribution: a.distribution,
          metrics,
        }));
    const vpcConfig = a.network
      ? { subnets: a.network.subnetIds, securityGroupIds: a.network.securityGroupIds }
      : undefined;

    if (a.trainingJob) {
      const s = settings(trainingImage.registryPath);
      const inputs = s.apply(trainingJobInputs);
      // The hash covers every input that shapes the job plus the bundle's content; VPC ids are
      // unknown at preview and a finished job's network is history, so they are left out (and ignored).
      const jobName = pulumi
        .all([s, inputs])
        .apply(([st, i]) =>
          hashedName(
            `${a.jobNamePrefix}-${TRAINING_MARKER}`,
            { ...i, bundleSha256: st.bundleSha256 },
            JOB_NAME_LIMITS.training,
            TRAINING_HASH_LENGTH,
          ),
        );
      const waitMinutes = (a.spot ? maxWaitSeconds(a) : a.maxRuntimeHours * 3600) / 60 + a.waitMarginMinutes;
      this.trainingJob = new aws.sagemaker.TrainingJob(
        `${name}-job`,
        {
          trainingJobName: jobName,
          roleArn: inputs.roleArn,
          algorithmSpecification: inputs.algorithmSpecification,
          hyperParameters: inputs.hyperParameters,
          inputDataConfigs: inputs.inputDataConfigs,
          outputDataConfig: inputs.outputDataConfig,
          resourceConfig: inputs.resourceConfig,
          stoppingCondition: inputs.stoppingCondition,
          enableManagedSpotTraining: inputs.enableManagedSpotTraining,
          enableNetworkIsolation: inputs.enableNetworkIsolation,
          enableInterContainerTrafficEncryption: inputs.enableInterContainerTrafficEncryption,
          checkpointConfig: a.spot
            ? {
                s3Uri: jobName.apply((n) =>
                  checkpointUri(
                    { bucketName: a.storage.bucketName, checkpointsPrefix: a.storage.prefixes.checkpoints },
                    n,
                  ),
                ),
                localPath: CHECKPOINT_LOCAL_PATH,
              }
            : undefined,
          vpcConfig,
          // The provider waits for Completed/Stopped; its default (45 minutes) is too short for training.
          timeouts: { create: minutes(waitMinutes), delete: "45m" },
          tags,
        },
        {
          parent: this,
          dependsOn,
          customTimeouts: { create: minutes(waitMinutes), delete: "45m" },
          ignoreChanges: ["vpcConfig"],
        },
      );
      this.trainingJobName = jobName;
      // Built from the known job name, and tied to the job resource (its URN is known at preview),
      // so whatever consumes the artifact (the endpoint's model) is created after the job ends.
      const job = this.trainingJob;
      this.modelDataUrl = pulumi
        .all([jobName, job.urn])
        .apply(([n]) =>
          modelArtifactUrl({ bucketName: a.storage.bucketName, modelsPrefix: a.storage.prefixes.models }, n),
        );
    }

    if (tuning && tuningImage) {
      const s = settings(tuningImage.registryPath);
      const inputs = s.apply((st) => tuningJobInputs(st, tuning));
      const definition = inputs.trainingJobDefinition;
      const tuningName = pulumi
        .all([s, inputs])
        .apply(([st, i]) =>
          hashedName(
            `${a.jobNamePrefix}-${TUNING_MARKER}`,
            { ...i, bundleSha256: st.bundleSha256 },
            JOB_NAME_LIMITS.tuning,
            TUNING_HASH_LENGTH,
          ),
        );
      this.tuningJob = new aws.sagemaker.HyperParameterTuningJob(
        `${name}-tuning`,
        {
          name: tuningName,
          config: inputs.config,
          // Field by field, so the VPC ids (unknown at preview) leave every other field known.
          trainingJobDefinition: {
            roleArn: definition.apply((t) => t.roleArn),
            algorithmSpecification: definition.apply((t) => t.algorithmSpecification),
            staticHyperParameters: definition.apply((t) => t.staticHyperParameters),
            inputDataConfigs: definition.apply((t) => t.inputDataConfigs),
            outputDataConfig: definition.apply((t) => t.outputDataConfig),
            resourceConfig: definition.apply((t) => t.resourceConfig),
            stoppingCondition: definition.apply((t) => t.stoppingCondition),
            enableManagedSpotTraining: definition.apply((t) => t.enableManagedSpotTraining),
            enableNetworkIsolation: definition.apply((t) => t.enableNetworkIsolation),
            enableInterContainerTrafficEncryption: definition.apply(
              (t) => t.enableInterContainerTrafficEncryption,
            ),
            vpcConfig,
          },
          tags,
        },
        { parent: this, dependsOn, ignoreChanges: ["trainingJobDefinition.vpcConfig"] },
      );
      this.tuningJobName = tuningName;
    }

    this.registerOutputs({
      roleArn: this.roleArn,
      imageUri: this.imageUri,
      trainingJobName: this.trainingJobName,
      modelDataUrl: this.modelDataUrl,
      tuningJobName: this.tuningJobName,
    });
  }
}
