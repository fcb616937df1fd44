import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AwsContext, arn } from "../shared/aws-context";
import { allow, kmsUse, PolicyStatement, s3ReadKey, s3ReadPrefix, s3WritePrefix } from "../shared/iam";
import { serviceRole } from "../shared/service-role";
import { dependOnCollaborators } from "../shared/dependencies";
import { aliasOrKey } from "../shared/kms";
import { hashedName } from "../shared/naming";
import { componentTags } from "../shared/tags";
import { Ec2TrainerArgs, ResolvedEc2TrainerArgs, resolveEc2TrainerArgs } from "./args";
import { dlamiParameterName } from "./dlami";
import { EC2_RUN_STATUS_FILE, trainerUserData } from "./user-data";

/** Prefix of the trainer's output under the models prefix: `models/ec2/<runId>/output/`. */
export const EC2_OUTPUT_FOLDER = "ec2";
export { EC2_RUN_STATUS_FILE } from "./user-data";

/** The instance role: its dataset, its code bundle (and weights), its output folder, the key, Session Manager. */
export function ec2TrainerStatements(
  ctx: AwsContext,
  s: {
    bucketName: string;
    datasetPrefix: string;
    bundleKey: string;
    outputPrefix: string;
    kmsKeyArn: string;
    pretrainedWeightsKey?: string;
    sessionManager: boolean;
  },
): PolicyStatement[] {
  const statements: PolicyStatement[] = [
    ...s3ReadPrefix(ctx, s.bucketName, s.datasetPrefix, "Dataset"),
    ...s3ReadKey(ctx, s.bucketName, s.bundleKey, "CodeBundle"),
    ...(s.pretrainedWeightsKey
      ? s3ReadKey(ctx, s.bucketName, s.pretrainedWeightsKey, "PretrainedWeights")
      : []),
    ...s3WritePrefix(ctx, s.bucketName, s.outputPrefix, "Models"),
    kmsUse(ctx, s.kmsKeyArn),
  ];
  if (s.sessionManager) {
    // Session Manager's minimal instance permissions (no Run Command, no parameters, no S3).
    statements.push(
      allow("SessionManagerRegistration", ["ssm:UpdateInstanceInformation"], [arn(ctx, "ec2", "instance/*")]),
      // The message channels have no resource-level permissions.
      allow(
        "SessionManagerChannels",
        [
          "ssmmessages:CreateControlChannel",
          "ssmmessages:CreateDataChannel",
          "ssmmessages:OpenControlChannel",
          "ssmmessages:OpenDataChannel",
        ],
        ["*"],
      ),
    );
  }
  return statements;
}

/** Where a run's output goes, from its resolved arguments. */
function runOf(a: ResolvedEc2TrainerArgs): Ec2TrainerRun {
  const pretrainedWeightsKey = a.hyperparameters.pretrained ? a.pretrainedWeightsKey : undefined;
  // Everything that shapes the run; a change is a new run id, new user data and a new instance.
  const runId = hashedName(
    "run",
    {
      mode: a.mode,
      instanceType: a.instanceType,
      hyperparameters: a.hyperparameters,
      bundleSha256: a.sourceBundle.sha256,
      datasetPrefix: a.storage.datasetPrefix,
      pretrainedWeightsKey,
      maxRuntimeHours: a.maxRuntimeHours,
      ...(a.runId === undefined ? {} : { runId: a.runId }),
    },
    20,
    12,
  );
  const modelsPrefix = a.storage.prefixes.models.replace(/^\/+|\/+$/g, "");
  const outputPrefix = `${modelsPrefix}/${EC2_OUTPUT_FOLDER}/${runId}/output`;
  const outputUri = `s3://${a.storage.bucketName}/${outputPrefix}/`;
  return {
    runId,
    modelsPrefix,
    outputPrefix,
    outputUri,
    modelDataUrl: `${outputUri}model.tar.gz`,
    statusUri: `${outputUri}${EC2_RUN_STATUS_FILE}`,
  };
}

export interface Ec2TrainerRun {
  runId: string;
  modelsPrefix: string;
  /** `models/ec2/<runId>/output` (no trailing slash). */
  outputPrefix: string;
  /** `s3://<bucket>/models/ec2/<runId>/output/`. */
  outputUri: string;
  modelDataUrl: string;
  /** The run's end marker, written on any exit. */
  statusUri: string;
}

/** The run `new Ec2Trainer(name, args)` would start, before declaring anything (validates the args). */
export function plannedEc2Run(name: string, args: Ec2TrainerArgs): Ec2TrainerRun {
  return runOf(resolveEc2TrainerArgs(name, args));
}

/**
 * A one-shot EC2 training box: the Deep Learning AMI (GPU or CPU instance) in a private subnet,
 * IMDSv2 only, KMS-encrypted root volume, no public IP and no inbound rule (Session Manager
 * instead; SSH only from an explicit CIDR), an instance role scoped to its S3 prefixes, and user
 * data that trains once, uploads `models/ec2/<runId>/output/model.tar.gz` and powers off; the
 * instance terminates on shutdown. The run id hashes everything that shapes the run, and a new
 * run id is a new instance. With `launch: false` (a finished run, or a parked stack) everything but
 * the instance is declared.
 */
export class Ec2Trainer extends pulumi.ComponentResource {
  readonly role: aws.iam.Role;
  readonly instanceProfile: aws.iam.InstanceProfile;
  readonly securityGroup: aws.ec2.SecurityGroup;
  /** The run's instance; undefined with `launch: false`. */
  readonly instance?: aws.ec2.Instance;
  readonly runId: string;
  readonly instanceType: string;
  /** `s3://<bucket>/models/ec2/<runId>/output/model.tar.gz`, known at preview. */
  readonly modelDataUrl: string;
  /** `s3://<bucket>/models/ec2/<runId>/output/`: the model, `output.tar.gz`, `trainer.log`, `run-status.json`. */
  readonly outputUri: string;
  readonly amiParameterName: string;
  readonly instanceId?: pulumi.Output<string>;

  constructor(name: string, args: Ec2TrainerArgs, opts?: pulumi.ComponentResourceOptions) {
    // Validate before registering anything, so a bad call leaves nothing half-declared.
    const a = resolveEc2TrainerArgs(name, args);
    // The role and the user data name the store's bucket and the bundle's key: those come first.
    super(
      "ml-platform:training:Ec2Trainer",
      name,
      {},
      dependOnCollaborators(opts, a.storage, a.sourceBundle),
    );
    const tags = componentTags(a.tags, "ec2-trainer");
    const ctx = pulumi.output(a.context);
    this.instanceType = a.instanceType;
    this.amiParameterName = a.amiParameterName ?? dlamiParameterName(a.dlamiPytorchVersion);
    const pretrainedWeightsKey = a.hyperparameters.pretrained ? a.pretrainedWeightsKey : undefined;

    const run = runOf(a);
    this.runId = run.runId;
    const modelsPrefix = run.modelsPrefix;
    const outputPrefix = run.outputPrefix;
    this.outputUri = run.outputUri;
    this.modelDataUrl = run.modelDataUrl;

    const { role, policy } = serviceRole(
      name,
      {
        roleName: a.namePrefix,
        service: "ec2",
        description: `Instance role of the EC2 trainer ${a.namePrefix}`,
        context: ctx,
        statements: pulumi.all([ctx, aliasOrKey(a)]).apply(([c, kmsKeyArn]) =>
          ec2TrainerStatements(c, {
            bucketName: a.storage.bucketName,
            datasetPrefix: a.storage.datasetPrefix,
            bundleKey: a.sourceBundle.key,
            // The whole ec2/ folder: older runs' output stays where it is, nothing else is writable.
            outputPrefix: `${modelsPrefix}/${EC2_OUTPUT_FOLDER}`,
            kmsKeyArn,
            pretrainedWeightsKey,
            sessionManager: a.sessionManager,
          }),
        ),
        tags,
      },
      this,
    );
    this.role = role;
    this.instanceProfile = new aws.iam.InstanceProfile(
      `${name}-profile`,
      { name: a.namePrefix, role: a.namePrefix, tags },
      { parent: this, dependsOn: [this.role] },
    );

    this.securityGroup = new aws.ec2.SecurityGroup(
      `${name}-sg`,
      {
        vpcId: a.vpcId,
        description: a.sshCidr
          ? "EC2 trainer: SSH from one admin range, HTTPS out"
          : "EC2 trainer: nothing in (Session Manager), HTTPS out",
        ingress: a.sshCidr
          ? [
              {
                description: "SSH from the configured admin range",
                protocol: "tcp",
                fromPort: 22,
                toPort: 22,
                cidrBlocks: [a.sshCidr],
              },
            ]
          : [],
        // The subnets have no NAT or internet gateway: 443 reaches the VPC endpoints and S3 only.
        egress: [
          {
            description: "HTTPS to VPC endpoints and S3",
            protocol: "tcp",
            fromPort: 443,
            toPort: 443,
            cidrBlocks: ["0.0.0.0/0"],
          },
        ],
        tags: { ...tags, Name: a.namePrefix },
      },
      { parent: this },
    );

    if (!a.launch) {
      this.registerOutputs({ runId: this.runId, modelDataUrl: this.modelDataUrl, roleName: a.namePrefix });
      return;
    }
    const ami = aws.ssm.getParameterOutput({ name: this.amiParameterName }, { parent: this });
    const userData = ctx.apply((c) =>
      trainerUserData({
        runId: this.runId,
        region: c.region,
        bucketName: a.storage.bucketName,
        datasetPrefix: a.storage.datasetPrefix,
        bundleKey: a.sourceBundle.key,
        outputPrefix,
        mode: a.mode,
        hyperparameters: a.hyperparameters,
        pretrainedWeightsKey,
        maxRuntimeHours: a.maxRuntimeHours,
      }),
    );

    this.instance = new aws.ec2.Instance(
      name,
      {
        ami: ami.value,
        instanceType: this.instanceType,
        subnetId: a.subnetId,
        vpcSecurityGroupIds: [this.securityGroup.id],
        associatePublicIpAddress: false,
        iamInstanceProfile: a.namePrefix,
        instanceInitiatedShutdownBehavior: "terminate",
        // IMDSv2 only; one hop, since only processes on the host (not containers) read credentials.
        metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
        rootBlockDevice: {
          encrypted: true,
          kmsKeyId: a.kmsKeyArn,
          volumeType: "gp3",
          volumeSize: a.volumeSizeGb,
          deleteOnTermination: true,
        },
        userDataBase64: userData.apply((u) => Buffer.from(u, "utf8").toString("base64")),
        userDataReplaceOnChange: true,
        tags: { ...tags, Name: a.namePrefix, "ml-platform:run-id": this.runId },
      },
      {
        parent: this,
        dependsOn: [
          this.instanceProfile,
          policy,
          ...(a.sourceBundle.resource ? [a.sourceBundle.resource] : []),
        ],
        // A newer DLAMI release must not start another (billed) run. The volume's key is passed as
        // the key ARN, which is how EC2 reports it back, so it reads as no change.
        ignoreChanges: ["ami"],
      },
    );
    this.instanceId = this.instance.id;
    this.registerOutputs({
      instanceId: this.instanceId,
      runId: this.runId,
      modelDataUrl: this.modelDataUrl,
      roleName: a.namePrefix,
    });
  }
}
