import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AwsContext, arn } from "../shared/aws-context";
import { allow, kmsUse, PolicyStatement, s3ReadKey, s3ReadPrefix, s3WritePrefix } from "../shared/iam";
import { serviceRole } from "../shared/service-role";
import { hashedName } from "../shared/naming";
import { componentTags } from "../shared/tags";
import { Ec2TrainerArgs, resolveEc2TrainerArgs } from "./args";
import { dlamiParameterName } from "./dlami";
import { trainerUserData } from "./user-data";

/** Prefix of the trainer's output under the models prefix: `models/ec2/<runId>/output/`. */
export const EC2_OUTPUT_FOLDER = "ec2";

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

/**
 * A one-shot EC2 training box: the Deep Learning AMI (GPU or CPU instance) in a private subnet,
 * IMDSv2 only, KMS-encrypted root volume, no public IP and no inbound rule (Session Manager
 * instead; SSH only from an explicit CIDR), an instance role scoped to its S3 prefixes, and user
 * data that trains once, uploads `models/ec2/<runId>/output/model.tar.gz` and powers off; the
 * instance terminates on shutdown. The run id hashes everything that shapes the run, and a new
 * run id is a new instance. Parked, everything but the instance is declared.
 */
export class Ec2Trainer extends pulumi.ComponentResource {
  readonly role: aws.iam.Role;
  readonly instanceProfile: aws.iam.InstanceProfile;
  readonly securityGroup: aws.ec2.SecurityGroup;
  /** The instance; absent while parked. */
  readonly instance?: aws.ec2.Instance;
  readonly runId: string;
  readonly instanceType: string;
  /** `s3://<bucket>/models/ec2/<runId>/output/model.tar.gz`, known at preview. */
  readonly modelDataUrl: string;
  readonly amiParameterName: string;
  /** Absent while parked. */
  readonly instanceId?: pulumi.Output<string>;

  constructor(name: string, args: Ec2TrainerArgs, opts?: pulumi.ComponentResourceOptions) {
    // Validate before registering anything, so a bad call leaves nothing half-declared.
    const a = resolveEc2TrainerArgs(name, args);
    super("ml-platform:training:Ec2Trainer", name, {}, opts);
    const tags = componentTags(a.tags, "ec2-trainer");
    const ctx = pulumi.output(a.context);
    this.instanceType = a.instanceType;
    this.amiParameterName = a.amiParameterName ?? dlamiParameterName(a.dlamiPytorchVersion);
    const pretrainedWeightsKey = a.hyperparameters.pretrained ? a.pretrainedWeightsKey : undefined;

    // Everything that shapes the run; a change is a new run id, new user data and a new instance.
    this.runId = hashedName(
      "run",
      {
        mode: a.mode,
        instanceType: this.instanceType,
        hyperparameters: a.hyperparameters,
        bundleSha256: a.sourceBundle.sha256,
        datasetPrefix: a.storage.datasetPrefix,
        pretrainedWeightsKey,
        maxRuntimeHours: a.maxRuntimeHours,
      },
      20,
      12,
    );
    const modelsPrefix = a.storage.prefixes.models.replace(/^\/+|\/+$/g, "");
    const outputPrefix = `${modelsPrefix}/${EC2_OUTPUT_FOLDER}/${this.runId}/output`;
    this.modelDataUrl = `s3://${a.storage.bucketName}/${outputPrefix}/model.tar.gz`;

    const { role, policy } = serviceRole(
      name,
      {
        roleName: a.namePrefix,
        service: "ec2",
        description: `Instance role of the EC2 trainer ${a.namePrefix}`,
        context: ctx,
        statements: pulumi.all([ctx, a.kmsKeyArn]).apply(([c, kmsKeyArn]) =>
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

    if (a.parked) {
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
        // A newer DLAMI release must not start another (billed) run; EC2 reports the volume's key
        // by key ARN where we pass the alias ARN, which would otherwise read as a replacement.
        ignoreChanges: ["ami", "rootBlockDevice.kmsKeyId"],
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
