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
import { dependOnCollaborators } from "../shared/dependencies";
import { aliasOrKey } from "../shared/kms";
import { componentTags } from "../shared/tags";
import { homeBackupPrefix, NotebookInstanceArgs, resolveNotebookArgs } from "./args";
import { notebookOnStartScript } from "./lifecycle-script";

/**
 * A SageMaker notebook instance with its own least-privilege role: root access off, no direct
 * internet (VPC subnet), KMS-encrypted volume, IMDSv2, and an on-start script that stops it when
 * idle and backs its home folder up to the store (so a new volume, e.g. after parking, gets it back).
 * Parked, only the role and the lifecycle configuration are declared.
 */
export class NotebookInstance extends pulumi.ComponentResource {
  /** The instance; absent while parked. */
  readonly instance?: aws.sagemaker.NotebookInstance;
  readonly role: aws.iam.Role;
  /** Role ARN assembled from known parts (known at preview). */
  readonly roleArn: pulumi.Output<string>;
  readonly notebookName: string;
  /** The Jupyter URL (after creation); absent while parked. */
  readonly url?: pulumi.Output<string>;
  /** `s3://<bucket>/<notebooks>/<notebookName>/home/`: where the home folder is backed up. */
  readonly homeBackupUri: string;

  constructor(name: string, args: NotebookInstanceArgs, opts?: pulumi.ComponentResourceOptions) {
    // Validate before registering anything, so a bad call leaves nothing half-declared.
    const a = resolveNotebookArgs(name, args);
    // Its role names the store's bucket: the store comes first.
    super("ml-platform:notebook:NotebookInstance", name, {}, dependOnCollaborators(opts, a.storage));
    const roleName = a.roleName;
    const tags = componentTags(a.tags, "notebook");
    const ctx = pulumi.output(a.context);
    this.notebookName = a.notebookName;
    const backupPrefix = homeBackupPrefix(a.storage, a.notebookName);
    this.homeBackupUri = `s3://${a.storage.bucketName}/${backupPrefix}/`;

    const { role, policy, arn } = serviceRole(
      name,
      {
        roleName,
        service: "sagemaker",
        description: `Execution role of notebook instance ${a.notebookName}`,
        context: ctx,
        statements: pulumi
          .all([ctx, aliasOrKey(a), a.trainingRoleArn])
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
        onStart: Buffer.from(
          notebookOnStartScript({
            idleMinutes: a.idleStopMinutes,
            backupMinutes: a.homeBackupMinutes,
            bucketName: a.storage.bucketName,
            backupPrefix,
          }),
          "utf8",
        ).toString("base64"),
      },
      // The script names the store's bucket: after the store when it is a resource (its children).
      { parent: this, dependsOn: pulumi.Resource.isInstance(args.storage) ? [args.storage] : [] },
    );

    if (a.parked) {
      this.registerOutputs({ notebookName: this.notebookName, roleArn: this.roleArn });
      return;
    }
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
    // Its own folder: scratch space, and the home-folder backup under `home/`. No delete.
    ...s3ReadWritePrefix(ctx, bucketName, `${prefixes.notebooks}/${a.notebookName}`, "OwnFolder"),
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
