import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { dependOnCollaborators } from "../shared/dependencies";
import { aliasOrKey } from "../shared/kms";
import { serviceRole } from "../shared/service-role";
import { componentTags } from "../shared/tags";
import { resolveTrainingArgs, TrainingClusterArgs } from "./args";
import { jobSettings, trainingJobName, tuningJobName } from "./job-names";
import {
  CHECKPOINT_LOCAL_PATH,
  checkpointUri,
  JobSettings,
  modelArtifactUrl,
  trainingJobInputs,
  tuningJobInputs,
  TuningSettings,
} from "./job-spec";
import { hasInstanceStorage, PYTORCH_TRAINING_REPOSITORY, pytorchTrainingImageTag } from "./pytorch-image";
import { trainingRoleStatements } from "./training-role";

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
    // Validate before registering anything, so a bad call leaves nothing half-declared.
    const a = resolveTrainingArgs(name, args);
    // Jobs and the role name the store's bucket and the bundle's key: those come first.
    super(
      "ml-platform:training:TrainingCluster",
      name,
      {},
      dependOnCollaborators(opts, a.storage, a.sourceBundle),
    );
    const tuning: TuningSettings | undefined = a.tuning;
    const tags = componentTags(a.tags, "training");
    const ctx = pulumi.output(a.context);
    const bundle = a.sourceBundle;

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
    if (a.role?.arn !== undefined) {
      this.roleArn = pulumi.output(a.role.arn);
    } else {
      const roleName = a.role?.name ?? `${a.jobNamePrefix}-training`.slice(0, 64);
      this.roleName = roleName;
      const { role, policy, arn } = serviceRole(
        name,
        {
          roleName,
          service: "sagemaker",
          description: `SageMaker training and tuning jobs named ${a.jobNamePrefix}-*`,
          context: ctx,
          statements: pulumi
            .all([ctx, aliasOrKey(a), trainingImage.registryId])
            .apply(([c, kmsKeyArn, registryId]) =>
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
          tags,
        },
        this,
      );
      this.role = role;
      this.roleArn = arn;
      dependsOn.push(role, policy);
    }

    // What the jobs are built from (the image's registry path, the key ARN on the volumes), and
    // what their names hash (values known before deploy; see job-names.ts).
    const key = aliasOrKey(a);
    const volumeKey = a.volumeKmsKeyArn ?? a.kmsKeyArn;
    // Built with the key as the grants name it, so every field is known at preview; the volume key
    // (the key ARN, unknown until the key exists) is set on its own field only.
    const settings = (imageUri: pulumi.Input<string>) =>
      pulumi
        .all([ctx, this.roleArn, key, imageUri])
        .apply(([c, roleArn, kmsKeyArn, uri]): JobSettings =>
          jobSettings(a, c, { imageUri: uri, roleArn, kmsKeyArn, volumeKmsKeyArn: kmsKeyArn }),
        );
    // ResourceConfig.VolumeKmsKeyId takes only key ids and key ARNs; instance types with local NVMe
    // storage take no volume key at all (job-spec.ts resourceConfig).
    const resources = (
      config: pulumi.Output<ReturnType<typeof trainingJobInputs>["resourceConfig"]>,
      type: string,
    ) => ({
      instanceType: config.apply((r) => r.instanceType),
      instanceCount: config.apply((r) => r.instanceCount),
      volumeSizeInGb: config.apply((r) => r.volumeSizeInGb),
      volumeKmsKeyId: hasInstanceStorage(type) ? undefined : volumeKey,
    });
    const nameInputs = pulumi.all([ctx, this.roleArn, key]);
    const vpcConfig = a.network
      ? { subnets: a.network.subnetIds, securityGroupIds: a.network.securityGroupIds }
      : undefined;

    if (a.trainingJob) {
      const s = settings(trainingImage.registryPath);
      const inputs = s.apply(trainingJobInputs);
      // VPC subnet and security-group ids are unknown at preview and a finished job's network is
      // history, so the name leaves them out (and their changes are ignored).
      const jobName = nameInputs.apply(([c, roleArn, k]) => trainingJobName(a, c, roleArn, k));
      // Bounded below common credential lifetimes (see waitMinutes); a longer job keeps running.
      const waitMinutes = a.waitMinutes;
      this.trainingJob = new aws.sagemaker.TrainingJob(
        `${name}-job`,
        {
          trainingJobName: jobName,
          roleArn: inputs.roleArn,
          algorithmSpecification: inputs.algorithmSpecification,
          hyperParameters: inputs.hyperParameters,
          inputDataConfigs: inputs.inputDataConfigs,
          outputDataConfig: inputs.outputDataConfig,
          resourceConfig: resources(inputs.resourceConfig, a.instanceType),
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
          // The provider waits for Completed or Stopped (internal/service/sagemaker/training_job.go,
          // waitTrainingJobCreated) up to this timeout; a job still running then goes on.
          timeouts: { create: minutes(waitMinutes), delete: "45m" },
          tags,
        },
        {
          parent: this,
          dependsOn,
          customTimeouts: { create: minutes(waitMinutes), delete: "45m" },
          ignoreChanges: ["vpcConfig"],
          // The provider records a job only once it is Completed or Stopped, so a job in the state
          // is history. A program that stops declaring it (its artifact exists, the run is done)
          // must not delete it: the engine forgets it and SageMaker keeps its record and metrics.
          retainOnDelete: true,
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
      const tuningName = nameInputs.apply(([c, roleArn, k]) => tuningJobName(a, tuning, c, roleArn, k));
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
            resourceConfig: resources(
              definition.apply((t) => t.resourceConfig),
              tuning.instanceType,
            ),
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
