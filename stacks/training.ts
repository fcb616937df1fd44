/**
 * The training part of a stack: the code bundle, the SageMaker training cluster (training job,
 * tuning job, training role) and the EC2 trainer, each behind its config toggle, and the model
 * artifact the serving part deploys (`modelDataUrl`).
 *
 * Runs are declared only when their inputs are in the artifact store, and not again once their
 * output is (stacks/training-runs.ts; docs/deploy.md): the first `pulumi up` on an empty account
 * creates the base and says what to upload; the next one trains; serving follows from the artifact.
 */
import * as pulumi from "@pulumi/pulumi";
import { ArtifactStore, DATASET_SPLITS } from "../components/artifact-store";
import { Ec2Trainer, Ec2TrainerArgs, plannedEc2Run } from "../components/ec2-trainer";
import { Network } from "../components/network";
import { AwsContext } from "../components/shared/aws-context";
import { Tags } from "../components/shared/tags";
import { SourceBundle } from "../components/source-bundle";
import { plannedJobs, TrainingCluster, TrainingClusterArgs } from "../components/training-cluster";
import { PlatformConfig } from "./config";
import { fromConfig } from "./config-keys";
import {
  checkTrainingInputs,
  listObjects,
  objectExists,
  RunState,
  splitS3Uri,
  TrainingStatus,
  waitingForDataMessage,
} from "./training-runs";

/** Stack outputs of the training part. */
export interface TrainingOutputs {
  /** The training job whose model the endpoint serves (when training is enabled). */
  trainingJobName?: pulumi.Input<string>;
  /** The model artifact to serve: the training job's (`model.source: training-job`) or `model.url`. */
  modelDataUrl?: pulumi.Input<string>;
  tuningJobName?: pulumi.Input<string>;
  trainingRoleArn?: pulumi.Output<string>;
  sourceBundleUri?: string;
  ec2TrainerInstanceId?: pulumi.Output<string>;
  ec2TrainerModelDataUrl?: string;
  /** Where each run stands, and what to upload while data is missing. */
  trainingStatus?: TrainingStatus;
}

export interface TrainingPlacement {
  context: AwsContext;
  store: ArtifactStore;
  network: Network;
  /** The key's ARN (fields that take no alias) and an alias ARN known at preview (grants, job output). */
  kmsKeyArn: pulumi.Input<string>;
  kmsAliasArn?: pulumi.Input<string>;
  /** The key as job names know it (stacks/kms.ts): a string known before anything exists. */
  kmsIdentity: string;
  tags: Tags;
  /** Physical names fixed by the platform (the notebook passes the same role). */
  trainingRoleName: string;
  jobNamePrefix: string;
  ec2TrainerName: string;
}

/** Where the training components' arguments come from in the stack config. */
const TRAINING_SOURCE = {
  section: ["training"],
  from: { tuning: ["tuning"] },
  program: [
    "context",
    "storage",
    "sourceBundle",
    "kmsKeyArn",
    "kmsAliasArn",
    "jobNamePrefix",
    "role",
    "network",
    "trainingJob",
    "tags",
  ],
};
const EC2_TRAINER_SOURCE = {
  section: ["ec2Trainer"],
  from: {
    hyperparameters: ["training", "hyperparameters"],
    pretrainedWeightsKey: ["training", "pretrainedWeightsKey"],
  },
  program: [
    "context",
    "storage",
    "sourceBundle",
    "kmsKeyArn",
    "kmsAliasArn",
    "namePrefix",
    "vpcId",
    "subnetId",
    "launch",
    "tags",
  ],
};

export async function createTraining(config: PlatformConfig, p: TrainingPlacement): Promise<TrainingOutputs> {
  const { training, tuning, ec2Trainer } = config;
  const modelUrl = config.model.source === "url" ? config.model.url : undefined;
  if (!training.enabled && !tuning.enabled && !ec2Trainer.enabled) return { modelDataUrl: modelUrl };

  const hyperparameters = training.hyperparameters;
  if (hyperparameters.pretrained && !training.pretrainedWeightsKey)
    pulumi.log.warn(
      "training.hyperparameters.pretrained is true but training.pretrainedWeightsKey is not set: jobs and the " +
        "EC2 trainer have no internet access to download ImageNet weights, so train.py will stop with an error. " +
        "Upload the backbone's state dict to the artifact store and set training.pretrainedWeightsKey.",
    );

  const bundle = fromConfig(
    { section: ["training"], program: ["bucketName", "kmsKeyArn", "sourceDir", "codePrefix", "tags"] },
    () =>
      new SourceBundle(
        "training-code",
        { bucketName: p.store.bucketName, kmsKeyArn: p.kmsKeyArn, tags: p.tags },
        // The object names the bucket by its known name: the store (and its encryption) first.
        { dependsOn: [p.store] },
      ),
  );

  const clusterArgs = (trainingJob: boolean, withTuning: boolean): TrainingClusterArgs => ({
    context: p.context,
    storage: p.store,
    sourceBundle: bundle,
    kmsKeyArn: p.kmsKeyArn,
    kmsAliasArn: p.kmsAliasArn,
    jobNamePrefix: p.jobNamePrefix,
    role: { name: p.trainingRoleName },
    network: {
      subnetIds: p.network.subnetIds,
      securityGroupIds: [p.network.workloadSecurityGroupId],
    },
    trainingJob,
    tuning: withTuning
      ? {
          instanceType: tuning.instanceType,
          maxJobs: tuning.maxJobs,
          maxParallelJobs: tuning.maxParallelJobs,
          earlyStopping: tuning.earlyStopping,
          maxRuntimeHours: tuning.maxRuntimeHours,
          ranges: tuning.ranges,
        }
      : undefined,
    instanceType: training.instanceType,
    instanceCount: training.instanceCount,
    volumeSizeGb: training.volumeSizeGb,
    maxRuntimeHours: training.maxRuntimeHours,
    spot: training.spot,
    maxWaitHours: training.maxWaitHours,
    frameworkVersion: training.frameworkVersion,
    pythonVersion: training.pythonVersion,
    hyperparameters,
    pretrainedWeightsKey: training.pretrainedWeightsKey,
    runId: training.runId,
    waitMinutes: training.waitMinutes,
    tags: p.tags,
  });
  const ec2Args = (launch: boolean): Ec2TrainerArgs => ({
    context: p.context,
    storage: p.store,
    sourceBundle: bundle,
    kmsKeyArn: p.kmsKeyArn,
    kmsAliasArn: p.kmsAliasArn,
    namePrefix: p.ec2TrainerName,
    vpcId: p.network.vpcId,
    subnetId: p.network.subnetIds[0],
    mode: ec2Trainer.mode,
    // Unset: the component's default for the mode.
    instanceType: ec2Trainer.instanceType,
    volumeSizeGb: ec2Trainer.volumeSizeGb,
    maxRuntimeHours: ec2Trainer.maxRuntimeHours,
    hyperparameters,
    pretrainedWeightsKey: training.pretrainedWeightsKey,
    sshCidr: ec2Trainer.sshCidr,
    sessionManager: ec2Trainer.sessionManager,
    runId: ec2Trainer.runId,
    launch,
    tags: p.tags,
  });

  // ---- what is in the store: inputs, and the output of runs that already finished ----
  const bucket = p.store.bucketName;
  const planned =
    training.enabled || tuning.enabled
      ? fromConfig(TRAINING_SOURCE, () =>
          plannedJobs("training", clusterArgs(training.enabled, tuning.enabled), p.context, p.kmsIdentity),
        )
      : undefined;
  const ec2Run = ec2Trainer.enabled
    ? fromConfig(EC2_TRAINER_SOURCE, () => plannedEc2Run("ec2-trainer", ec2Args(true)))
    : undefined;
  const inputs = await checkTrainingInputs(
    bucket,
    p.store.datasetPrefix,
    DATASET_SPLITS,
    hyperparameters.pretrained ? training.pretrainedWeightsKey : undefined,
  );
  const ready = inputs.bucketExists && inputs.missing.length === 0;
  const status: TrainingStatus = {};
  if (training.enabled)
    status.trainingJob =
      inputs.bucketExists &&
      planned?.modelDataUrl &&
      (await objectExists(bucket, splitS3Uri(planned.modelDataUrl).key))
        ? "finished"
        : ready
          ? "start"
          : "waiting for data";
  if (tuning.enabled) status.tuningJob = ready ? "start" : "waiting for data";
  let ec2Failed = false;
  if (ec2Run) {
    const output = inputs.bucketExists
      ? await listObjects(bucket, splitS3Uri(ec2Run.outputUri).key)
      : { keys: [] as string[] };
    const over = output.keys.includes(splitS3Uri(ec2Run.statusUri).key);
    ec2Failed = over && !output.keys.includes(splitS3Uri(ec2Run.modelDataUrl).key);
    status.ec2Trainer = over ? "finished" : ready ? "start" : "waiting for data";
  }
  // Parked (ml-platform:parked, docs/deploy.md): a run that would start now is held, and starts on
  // the first `pulumi up` after unparking; a finished run stays finished.
  if (config.parked)
    for (const run of ["trainingJob", "tuningJob", "ec2Trainer"] as const)
      if (status[run] === "start") status[run] = "parked";
  const waiting = (Object.entries(status) as [string, RunState][])
    .filter(([, s]) => s === "waiting for data")
    .map(([run]) => RUN_LABELS[run]);
  if (waiting.length > 0) {
    status.dataToUpload = inputs.missing;
    pulumi.log.warn(waitingForDataMessage(inputs.missing, waiting));
  }
  if (ec2Failed && ec2Run)
    pulumi.log.warn(
      `EC2 trainer run ${ec2Run.runId} ended without a model (its log: ${ec2Run.outputUri}trainer.log); it is not ` +
        "started again by itself. Fix the cause, then change a run input or set ml-platform:ec2Trainer.runId to train again.",
    );

  // ---- the components ----
  const cluster =
    training.enabled || tuning.enabled
      ? fromConfig(
          TRAINING_SOURCE,
          () =>
            new TrainingCluster(
              "training",
              clusterArgs(status.trainingJob === "start", status.tuningJob === "start"),
            ),
        )
      : undefined;
  if (cluster?.trainingJobName)
    pulumi.log.info(
      `training job ${planned?.trainingJobName}: \`pulumi up\` waits up to ${training.waitMinutes} minutes for it. If it ` +
        "fails, fix the cause and set ml-platform:training.runId to a new value (SageMaker keeps a failed job's name until " +
        "the job is deleted); if it is still running then, it goes on, and the next `pulumi up` after it completes serves its model.",
      cluster.trainingJob,
    );

  const trainer = ec2Run
    ? fromConfig(
        EC2_TRAINER_SOURCE,
        () => new Ec2Trainer("ec2-trainer", ec2Args(status.ec2Trainer === "start")),
      )
    : undefined;

  const servedModel =
    config.model.source !== "training-job"
      ? modelUrl
      : status.trainingJob === "finished" || status.trainingJob === "parked"
        ? // Known before the job runs; parked, the endpoint keeps its role (which names the model) and
          // declares no model, so the stack's identity does not depend on the run.
          planned?.modelDataUrl
        : cluster?.modelDataUrl;
  return {
    trainingJobName: training.enabled ? planned?.trainingJobName : undefined,
    modelDataUrl: servedModel,
    tuningJobName: cluster?.tuningJobName,
    trainingRoleArn: cluster?.roleArn,
    sourceBundleUri: bundle.uri,
    ec2TrainerInstanceId: trainer?.instanceId,
    ec2TrainerModelDataUrl: trainer?.modelDataUrl,
    trainingStatus: status,
  };
}

const RUN_LABELS: Record<string, string> = {
  trainingJob: "the training job",
  tuningJob: "the tuning job",
  ec2Trainer: "the EC2 trainer run",
};
