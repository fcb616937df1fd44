import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AwsContext, sagemakerArn } from "../shared/aws-context";
import {
  allow,
  kmsUse,
  logsWrite,
  passRole,
  PolicyStatement,
  s3ReadPrefix,
  s3ReadWritePrefix,
} from "../shared/iam";
import { serviceRole } from "../shared/service-role";
import { Tags, componentTags } from "../shared/tags";
import { idleStopScript } from "./idle-stop-script";

export { idleStopScript } from "./idle-stop-script";

/** Where the notebook reads and writes in the artifact store (an `ArtifactStore` fits). */
export interface NotebookStorage {
  bucketName: string;
  datasetPrefix: string;
  prefixes: { notebooks: string; models: string; code: string };
}

export interface NotebookInstanceArgs {
  /** Notebook instance name (also names its role and lifecycle config). Required, deterministic. */
  notebookName: string;
  /** Execution role name. Default `<notebookName>-notebook` (64 chars max). */
  roleName?: string;
  context: pulumi.Input<AwsContext>;
  storage: NotebookStorage;
  /** KMS key or alias ARN for the ML storage volume. Required. */
  kmsKeyArn: pulumi.Input<string>;
  /** Private subnet for the instance; required unless `directInternetAccess` is true. */
  subnetId?: pulumi.Input<string>;
  securityGroupIds?: pulumi.Input<string>[];
  /** Default `ml.t3.medium`. */
  instanceType?: string;
  /** ML storage volume, GB. Default 5. */
  volumeSizeGb?: number;
  /** Stop after this many idle minutes (5-1440). Default 60. */
  idleStopMinutes?: number;
  /** Default false: traffic goes through the VPC and its endpoints only. */
  directInternetAccess?: boolean;
  /** Default false: users cannot become root on the instance. */
  rootAccess?: boolean;
  /** Default `notebook-al2-v3`. */
  platformIdentifier?: string;
  /** The training role the notebook may pass to SageMaker (and no other). Omit to allow none. */
  trainingRoleArn?: pulumi.Input<string>;
  /** Training and tuning jobs the notebook may start, describe and stop: names starting with this. */
  jobNamePrefix?: string;
  tags?: Tags;
}

const DEFAULTS = {
  instanceType: "ml.t3.medium",
  volumeSizeGb: 5,
  idleStopMinutes: 60,
  directInternetAccess: false,
  rootAccess: false,
  platformIdentifier: "notebook-al2-v3",
};

/**
 * A SageMaker notebook instance with its own least-privilege role: root access off, no direct
 * internet (VPC subnet), KMS-encrypted volume, IMDSv2, and an on-start script that stops it when idle.
 */
export class NotebookInstance extends pulumi.ComponentResource {
  readonly instance: aws.sagemaker.NotebookInstance;
  readonly role: aws.iam.Role;
  /** Role ARN assembled from known parts (known at preview). */
  readonly roleArn: pulumi.Output<string>;
  readonly notebookName: string;
  /** The Jupyter URL (after creation). */
  readonly url: pulumi.Output<string>;

  constructor(name: string, args: NotebookInstanceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ml-platform:notebook:NotebookInstance", name, {}, opts);
    const a = { ...DEFAULTS, ...args };
    if (!a.directInternetAccess && !a.subnetId)
      throw new Error(
        `NotebookInstance ${name}: subnetId is required when directInternetAccess is false (the instance reaches AWS through the VPC)`,
      );
    const roleName = a.roleName ?? `${a.notebookName}-notebook`.slice(0, 64);
    const tags = componentTags(a.tags, "notebook");
    const ctx = pulumi.output(a.context);
    this.notebookName = a.notebookName;

    const { role, policy, arn } = serviceRole(
      name,
      {
        roleName,
        service: "sagemaker",
        description: `Execution role of notebook instance ${a.notebookName}`,
        context: ctx,
        statements: pulumi
          .all([ctx, a.kmsKeyArn, a.trainingRoleArn])
          .apply(([c, kmsKeyArn, trainingRoleArn]) => notebookStatements(c, a, kmsKeyArn, trainingRoleArn)),
        tags,
      },
      this,
    );
    this.role = role;
    this.roleArn = arn;

    const lifecycle = new aws.sagemaker.NotebookInstanceLifecycleConfiguration(
      `${name}-lifecycle`,
      {
        name: `${a.notebookName}-idle-stop`.slice(0, 63),
        // The API takes the script base64-encoded.
        onStart: Buffer.from(idleStopScript(a.idleStopMinutes), "utf8").toString("base64"),
      },
      { parent: this },
    );

    this.instance = new aws.sagemaker.NotebookInstance(
      name,
      {
        name: a.notebookName,
        instanceType: a.instanceType,
        roleArn: this.roleArn,
        kmsKeyId: a.kmsKeyArn,
        volumeSize: a.volumeSizeGb,
        subnetId: a.subnetId,
        securityGroups: a.securityGroupIds,
        directInternetAccess: a.directInternetAccess ? "Enabled" : "Disabled",
        rootAccess: a.rootAccess ? "Enabled" : "Disabled",
        platformIdentifier: a.platformIdentifier,
        lifecycleConfigName: lifecycle.name,
        instanceMetadataServiceConfiguration: { minimumInstanceMetadataServiceVersion: "2" },
        tags,
      },
      { parent: this, dependsOn: [this.role, policy] },
    );
    this.url = this.instance.url;
    this.registerOutputs({ notebookName: this.notebookName, roleArn: this.roleArn, url: this.url });
  }
}

/** The notebook role's statements: its prefixes, its key, its own instance and logs, its jobs. */
export function notebookStatements(
  ctx: AwsContext,
  a: Pick<NotebookInstanceArgs, "notebookName" | "storage" | "jobNamePrefix">,
  kmsKeyArn: string,
  trainingRoleArn: string | undefined,
): PolicyStatement[] {
  const { bucketName, datasetPrefix, prefixes } = a.storage;
  const statements: PolicyStatement[] = [
    ...s3ReadWritePrefix(ctx, bucketName, datasetPrefix, "Dataset"),
    ...s3ReadWritePrefix(ctx, bucketName, prefixes.notebooks, "Scratch"),
    ...s3ReadPrefix(ctx, bucketName, prefixes.models, "Models"),
    kmsUse(ctx, kmsKeyArn),
    ...logsWrite(ctx, ["/aws/sagemaker/NotebookInstances"]),
    allow(
      "StopSelfWhenIdle",
      ["sagemaker:DescribeNotebookInstance", "sagemaker:StopNotebookInstance"],
      [sagemakerArn(ctx, "notebook-instance", a.notebookName)],
    ),
  ];
  if (a.jobNamePrefix) {
    statements.push(
      allow(
        "DriveOwnJobs",
        [
          "sagemaker:CreateTrainingJob",
          "sagemaker:DescribeTrainingJob",
          "sagemaker:StopTrainingJob",
          "sagemaker:CreateHyperParameterTuningJob",
          "sagemaker:DescribeHyperParameterTuningJob",
          "sagemaker:StopHyperParameterTuningJob",
          "sagemaker:AddTags",
        ],
        [
          sagemakerArn(ctx, "training-job", `${a.jobNamePrefix}*`),
          sagemakerArn(ctx, "hyper-parameter-tuning-job", `${a.jobNamePrefix}*`),
        ],
      ),
    );
  }
  if (trainingRoleArn)
    statements.push(passRole(trainingRoleArn, "sagemaker.amazonaws.com", "PassTrainingRoleOnly"));
  return statements;
}
