/**
 * The training part of a stack: the code bundle, the SageMaker training cluster (training job,
 * tuning job, training role) and the EC2 trainer, each behind its config toggle, and the model
 * artifact the serving part deploys (`modelDataUrl`).
 */
import * as pulumi from "@pulumi/pulumi";
import { ArtifactStore } from "../components/artifact-store";
import { Ec2Trainer } from "../components/ec2-trainer";
import { Network } from "../components/network";
import { AwsContext } from "../components/shared/aws-context";
import { Tags } from "../components/shared/tags";
import { SourceBundle } from "../components/source-bundle";
import { TrainingCluster } from "../components/training-cluster";
import { PlatformConfig } from "./config";
import { fromConfig } from "./config-keys";

/** Stack outputs of the training part. */
export interface TrainingOutputs {
  /** The training job whose model the endpoint serves (when training is enabled). */
  trainingJobName?: pulumi.Output<string>;
  /** The model artifact to serve: the training job's (`model.source: training-job`) or `model.url`. */
  modelDataUrl?: pulumi.Input<string>;
  tuningJobName?: pulumi.Output<string>;
  trainingRoleArn?: pulumi.Output<string>;
  sourceBundleUri?: string;
  ec2TrainerInstanceId?: pulumi.Output<string>;
  ec2TrainerModelDataUrl?: string;
}

export interface TrainingPlacement {
  context: AwsContext;
  store: ArtifactStore;
  network: Network;
  kmsKeyArn: pulumi.Input<string>;
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
    "jobNamePrefix",
    "role",
    "network",
    "trainingJob",
    "parked",
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
    "namePrefix",
    "vpcId",
    "subnetId",
    "parked",
    "tags",
  ],
};

export function createTraining(config: PlatformConfig, p: TrainingPlacement): TrainingOutputs {
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
      new SourceBundle("training-code", {
        bucketName: p.store.bucketName,
        kmsKeyArn: p.kmsKeyArn,
        tags: p.tags,
      }),
  );

  const cluster =
    training.enabled || tuning.enabled
      ? fromConfig(
          TRAINING_SOURCE,
          () =>
            new TrainingCluster("training", {
              context: p.context,
              storage: p.store,
              sourceBundle: bundle,
              kmsKeyArn: p.kmsKeyArn,
              jobNamePrefix: p.jobNamePrefix,
              role: { name: p.trainingRoleName },
              network: {
                subnetIds: p.network.subnetIds,
                securityGroupIds: [p.network.workloadSecurityGroupId],
              },
              trainingJob: training.enabled,
              tuning: tuning.enabled
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
              parked: config.parked,
              tags: p.tags,
            }),
        )
      : undefined;

  const trainer = ec2Trainer.enabled
    ? fromConfig(
        EC2_TRAINER_SOURCE,
        () =>
          new Ec2Trainer("ec2-trainer", {
            context: p.context,
            storage: p.store,
            sourceBundle: bundle,
            kmsKeyArn: p.kmsKeyArn,
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
            parked: config.parked,
            tags: p.tags,
          }),
      )
    : undefined;

  return {
    trainingJobName: cluster?.trainingJobName,
    modelDataUrl: config.model.source === "training-job" ? cluster?.modelDataUrl : modelUrl,
    tuningJobName: cluster?.tuningJobName,
    trainingRoleArn: cluster?.roleArn,
    sourceBundleUri: bundle.uri,
    ec2TrainerInstanceId: trainer?.instanceId,
    ec2TrainerModelDataUrl: trainer?.modelDataUrl,
  };
}
