/**
 * The composition of components for one stack. `createPlatform` takes validated config and the
 * AWS context and declares everything; stacks/index.ts is the Pulumi entry point that calls it.
 * It is async: before it declares training runs it asks the artifact store what is already there
 * (stacks/training-runs.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import { ArtifactStore } from "../components/artifact-store";
import { Network, servicesOf } from "../components/network";
import { NotebookInstance } from "../components/notebook";
import { PlatformKey } from "../components/platform-key";
import { AwsContext } from "../components/shared/aws-context";
import { NAME_LIMITS, naming } from "../components/shared/naming";
import { platformTags } from "../components/shared/tags";
import { PlatformConfig } from "./config";
import { fromConfig } from "./config-keys";
import { platformKms } from "./kms";
import { createServing } from "./serving";
import { interfaceEndpointNeeds, stackInterfaceEndpoints } from "./interface-endpoints";
import { createTraining, TrainingOutputs } from "./training";

/** Stack outputs, for people and for other stacks (`pulumi stack output`). */
export interface PlatformOutputs extends TrainingOutputs {
  /** True while the stack is parked (`ml-platform:parked`). */
  parked: boolean;
  /** The services that have an interface endpoint in the stack's VPC. */
  interfaceEndpoints: string[];
  artifactBucket: string;
  /** The key's ARN, and its alias ARN when the stack has one. */
  kmsKeyArn: pulumi.Input<string>;
  kmsAliasArn?: pulumi.Input<string>;
  vpcId: pulumi.Output<string>;
  notebookName?: string;
  notebookUrl?: pulumi.Output<string>;
  endpointName?: string;
  /** ARN of the inference function's `live` alias (what callers invoke). */
  functionArn?: pulumi.Output<string>;
  functionName?: string;
  functionUrl?: pulumi.Output<string>;
}

export interface StackIdentity {
  project: string;
  stack: string;
}

export async function createPlatform(
  config: PlatformConfig,
  id: StackIdentity,
  context: AwsContext,
): Promise<PlatformOutputs> {
  const names = naming(id.project, id.stack);
  const tags = platformTags({
    ...id,
    owner: config.owner,
    costCenter: config.costCenter,
    extra: config.tags,
  });
  /** Physical names are fixed here so any component can name another's ARN at preview. */
  const physical = {
    notebook: names.name("notebook", NAME_LIMITS.sagemaker),
    notebookRole: names.name("notebook", NAME_LIMITS.iamRole),
    trainingRole: names.name("training", NAME_LIMITS.iamRole),
    jobPrefix: names.name([], 40),
    // Bucket names are global: account and region keep them unique and still known at preview.
    bucket: names.name(["artifacts", context.accountId, context.region], NAME_LIMITS.s3Bucket),
    kmsAlias: names.name("data", NAME_LIMITS.kmsAlias),
    endpoint: names.name("endpoint", NAME_LIMITS.sagemaker),
    endpointRole: names.name("endpoint", NAME_LIMITS.iamRole),
    inferenceFunction: names.name("inference", NAME_LIMITS.lambda),
    inferenceFunctionRole: names.name("inference", NAME_LIMITS.iamRole),
  };

  const key =
    config.kms.mode === "create"
      ? fromConfig(
          { section: ["kms"], program: ["aliasName", "context", "tags"] },
          () =>
            new PlatformKey("platform-key", {
              aliasName: physical.kmsAlias,
              context,
              deletionWindowDays: config.kms.deletionWindowDays,
              tags,
            }),
        )
      : undefined;
  // The key in the forms AWS takes (components/shared/kms.ts, docs/kms.md).
  const kms = platformKms(key, config.kms.keyArn, context, physical.kmsAlias);
  const { kmsKeyArn, kmsAliasArn } = kms;

  // What the switched-on components call inside the VPC, with config's additions and drops.
  const endpoints = stackInterfaceEndpoints(config);
  for (const warning of endpoints.warnings) pulumi.log.warn(warning);
  if (config.network.mode === "existing" && !config.parked) {
    const needed = servicesOf(interfaceEndpointNeeds(config));
    if (needed.length > 0)
      pulumi.log.info(
        `network.mode "existing": the workloads call these interface endpoints, which your VPC must provide: ${needed.join(", ")}`,
      );
  }
  const network = fromConfig({ section: ["network"], program: ["namePrefix", "region", "tags"] }, () =>
    config.network.mode === "create"
      ? new Network("network", {
          mode: "create",
          namePrefix: names.name("vpc"),
          cidr: config.network.cidr,
          region: context.region,
          availabilityZoneCount: config.network.availabilityZoneCount,
          interfaceEndpoints: endpoints.services,
          interfaceEndpointAzCount: config.network.interfaceEndpointAzCount,
          tags,
        })
      : new Network("network", {
          mode: "existing",
          vpcId: config.network.vpcId!,
          subnetIds: config.network.subnetIds!,
          vpcCidr: config.network.vpcCidr!,
          tags,
        }),
  );

  const store = fromConfig(
    { section: ["artifactStore"], program: ["bucketName", "kmsKeyArn", "context", "tags"] },
    () =>
      new ArtifactStore("artifacts", {
        bucketName: physical.bucket,
        kmsKeyArn,
        context,
        datasetPrefix: config.artifactStore.datasetPrefix,
        noncurrentVersionExpirationDays: config.artifactStore.noncurrentVersionExpirationDays,
        forceDestroy: config.artifactStore.forceDestroy,
        tags,
      }),
  );

  // ---- training: code bundle, SageMaker training/tuning jobs, EC2 trainer (stacks/training.ts) ----
  // Before the notebook: it may pass the training role, so it is created after the role.
  const training = await createTraining(config, {
    context,
    store,
    network,
    kmsKeyArn,
    kmsAliasArn,
    kmsIdentity: kms.identity,
    tags,
    trainingRoleName: physical.trainingRole,
    jobNamePrefix: physical.jobPrefix,
    ec2TrainerName: names.name("ec2-trainer", NAME_LIMITS.iamRole),
  });
  // ---- end training ----

  const trainingEnabled = config.training.enabled || config.tuning.enabled;
  const notebookSource = {
    section: ["notebook"],
    program: [
      "notebookName",
      "roleName",
      "context",
      "storage",
      "kmsKeyArn",
      "kmsAliasArn",
      "subnetId",
      "securityGroupIds",
      "trainingRoleArn",
      "jobNamePrefix",
      "parked",
      "tags",
    ],
  };
  const notebook = config.notebook.enabled
    ? fromConfig(
        notebookSource,
        () =>
          new NotebookInstance("notebook", {
            notebookName: physical.notebook,
            roleName: physical.notebookRole,
            context,
            storage: store,
            kmsKeyArn,
            kmsAliasArn,
            subnetId: config.notebook.directInternetAccess ? undefined : network.subnetIds[0],
            securityGroupIds: [network.workloadSecurityGroupId],
            instanceType: config.notebook.instanceType,
            volumeSizeGb: config.notebook.volumeSizeGb,
            idleStopMinutes: config.notebook.idleStopMinutes,
            homeBackupMinutes: config.notebook.homeBackupMinutes,
            directInternetAccess: config.notebook.directInternetAccess,
            rootAccess: config.notebook.rootAccess,
            platformIdentifier: config.notebook.platformIdentifier,
            // The assembled ARN, tied to the role resource: the notebook's policy waits for the role.
            trainingRoleArn: trainingEnabled ? training.trainingRoleArn : undefined,
            jobNamePrefix: trainingEnabled ? physical.jobPrefix : undefined,
            parked: config.parked,
            tags,
          }),
      )
    : undefined;

  // ---- serving: endpoint + inference function (stacks/serving.ts) ----
  const serving = createServing({
    config,
    context,
    names: physical,
    store,
    kmsKeyArn,
    kmsAliasArn,
    // The artifact and data capture are in the store: the endpoint comes after it.
    dependsOn: [store],
    // The training job's artifact (model.source "training-job") or model.url.
    modelDataUrl: training.modelDataUrl,
    tags,
  });
  // ---- end serving ----

  return {
    ...training,
    parked: config.parked,
    interfaceEndpoints: network.interfaceEndpointServices,
    artifactBucket: store.bucketName,
    kmsKeyArn,
    kmsAliasArn,
    vpcId: network.vpcId,
    notebookName: notebook?.notebookName,
    notebookUrl: notebook?.url,
    ...serving,
  };
}
