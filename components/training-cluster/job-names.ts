/**
 * The names of a cluster's jobs, from its arguments alone. Every TrainingJob field forces
 * replacement and SageMaker keeps a job's name until the job is deleted, so a name is a hash of
 * everything that shapes the job (and the code bundle's sha256, and the explicit run id): a change
 * is a new job, no change is no new job. The names are computed from values known before anything
 * exists (the image by repository and tag, the role and key by the ARNs the stack assembles), so a
 * program can ask, before it declares the jobs, whether a job's model artifact is already there
 * (stacks/training-runs.ts) and `pulumi preview` shows the real names.
 */
import { AwsContext, iamRoleArn } from "../shared/aws-context";
import { hashedName } from "../shared/naming";
import { aliasOrKey } from "../shared/kms";
import {
  JOB_NAME_LIMITS,
  ResolvedTrainingClusterArgs,
  resolveTrainingArgs,
  TrainingClusterArgs,
  TUNING_HASH_LENGTH,
  TUNING_MARKER,
} from "./args";
import {
  JobSettings,
  modelArtifactUrl,
  trainingJobInputs,
  tuningJobInputs,
  TuningSettings,
} from "./job-spec";
import { loadTrainingMetrics } from "./metrics";
import { PYTORCH_TRAINING_REPOSITORY, pytorchTrainingImageTag } from "./pytorch-image";

export const TRAINING_MARKER = "train";
export const TRAINING_HASH_LENGTH = 12;

/** What names the image, the role and the keys in a job's hash (strings known before deploy). */
export interface JobReferences {
  /** The image's registry path, or (for names) `pytorch-training:<tag>`. */
  imageUri: string;
  roleArn: string;
  /** Job output (and checkpoints): the alias ARN when there is one. */
  kmsKeyArn: string;
  /** The instances' volumes: the key ARN (for names: the same identity as `kmsKeyArn`). */
  volumeKmsKeyArn: string;
}

/** `pytorch-training:<tag>`: the image as the names know it (the registry path follows from the region). */
export const imageIdentity = (
  a: Pick<ResolvedTrainingClusterArgs, "frameworkVersion" | "pythonVersion">,
  instanceType: string,
) =>
  `${PYTORCH_TRAINING_REPOSITORY}:${pytorchTrainingImageTag(a.frameworkVersion, a.pythonVersion, instanceType)}`;

/** The settings a job is built from. */
export function jobSettings(
  a: ResolvedTrainingClusterArgs,
  ctx: AwsContext,
  refs: JobReferences,
): JobSettings {
  return {
    region: ctx.region,
    bucketName: a.storage.bucketName,
    datasetPrefix: a.storage.datasetPrefix,
    modelsPrefix: a.storage.prefixes.models,
    checkpointsPrefix: a.storage.prefixes.checkpoints,
    bundleKey: a.sourceBundle.key,
    bundleSha256: a.sourceBundle.sha256,
    imageUri: refs.imageUri,
    roleArn: refs.roleArn,
    kmsKeyArn: refs.kmsKeyArn,
    volumeKmsKeyArn: refs.volumeKmsKeyArn,
    instanceType: a.instanceType,
    instanceCount: a.instanceCount,
    volumeSizeGb: a.volumeSizeGb,
    maxRuntimeHours: a.maxRuntimeHours,
    spot: a.spot,
    maxWaitHours: a.maxWaitHours,
    hyperparameters: a.hyperparameters,
    pretrainedWeightsKey: a.pretrainedWeightsKey,
    distribution: a.distribution,
    metrics: a.metrics ?? loadTrainingMetrics(),
  };
}

/** The identities the names hash: `pytorch-training:<tag>`, the role ARN, the key as the grants name it. */
function nameReferences(
  a: ResolvedTrainingClusterArgs,
  roleArn: string,
  key: string,
  instanceType: string,
): JobReferences {
  // A separate volume key counts when it is a plain ARN; as an Output it is not known before deploy.
  const volume = typeof a.volumeKmsKeyArn === "string" ? a.volumeKmsKeyArn : key;
  return { imageUri: imageIdentity(a, instanceType), roleArn, kmsKeyArn: key, volumeKmsKeyArn: volume };
}

const withRun = (a: ResolvedTrainingClusterArgs, spec: object) =>
  a.runId === undefined ? spec : { ...spec, runId: a.runId };

/** `<prefix>-train-<12 hex>`. `key` is the key identity: `kmsAliasArn`, else `kmsKeyArn`. */
export function trainingJobName(
  a: ResolvedTrainingClusterArgs,
  ctx: AwsContext,
  roleArn: string,
  key: string,
): string {
  const s = jobSettings(a, ctx, nameReferences(a, roleArn, key, a.instanceType));
  return hashedName(
    `${a.jobNamePrefix}-${TRAINING_MARKER}`,
    withRun(a, { ...trainingJobInputs(s), bundleSha256: s.bundleSha256 }),
    JOB_NAME_LIMITS.training,
    TRAINING_HASH_LENGTH,
  );
}

/** `<prefix>-hpo-<8 hex>`. */
export function tuningJobName(
  a: ResolvedTrainingClusterArgs,
  tuning: TuningSettings,
  ctx: AwsContext,
  roleArn: string,
  key: string,
): string {
  const s = jobSettings(a, ctx, nameReferences(a, roleArn, key, tuning.instanceType));
  return hashedName(
    `${a.jobNamePrefix}-${TUNING_MARKER}`,
    withRun(a, { ...tuningJobInputs(s, tuning), bundleSha256: s.bundleSha256 }),
    JOB_NAME_LIMITS.tuning,
    TUNING_HASH_LENGTH,
  );
}

/** The role a cluster's jobs run as, when its ARN is known without deploying (a name, or an ARN string). */
export function plannedRoleArn(a: ResolvedTrainingClusterArgs, ctx: AwsContext): string | undefined {
  if (a.role?.arn !== undefined) return typeof a.role.arn === "string" ? a.role.arn : undefined;
  return iamRoleArn(ctx, a.role?.name ?? `${a.jobNamePrefix}-training`.slice(0, 64));
}

export interface PlannedJobs {
  trainingJobName?: string;
  /** `s3://<bucket>/models/<trainingJobName>/output/model.tar.gz`. */
  modelDataUrl?: string;
  tuningJobName?: string;
}

/**
 * The job names `new TrainingCluster(name, args)` would declare, before declaring anything.
 * Undefined when a name depends on a value only known later (a role or key given as an Output).
 */
export function plannedJobs(
  name: string,
  args: TrainingClusterArgs,
  ctx: AwsContext,
  /** The value `kmsAliasArn ?? kmsKeyArn` will have, when that is an Output whose value the caller knows. */
  keyIdentity?: string,
): PlannedJobs | undefined {
  const a = resolveTrainingArgs(name, args);
  const roleArn = plannedRoleArn(a, ctx);
  const key = keyIdentity ?? aliasOrKey(a);
  if (roleArn === undefined || typeof key !== "string") return undefined;
  const out: PlannedJobs = {};
  if (a.trainingJob) {
    out.trainingJobName = trainingJobName(a, ctx, roleArn, key);
    out.modelDataUrl = modelArtifactUrl(
      { bucketName: a.storage.bucketName, modelsPrefix: a.storage.prefixes.models },
      out.trainingJobName,
    );
  }
  if (a.tuning) out.tuningJobName = tuningJobName(a, a.tuning, ctx, roleArn, key);
  return out;
}
