import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { SourceBundleRef } from "../source-bundle";
import { AwsContext, arn } from "../shared/aws-context";
import { parseIpv4Cidr, NARROWEST_ADMIN_PREFIX } from "../shared/cidr";
import {
  allow,
  kmsUse,
  policyDocument,
  PolicyStatement,
  s3ReadKey,
  s3ReadPrefix,
  s3WritePrefix,
  serviceTrustPolicy,
  toJson,
} from "../shared/iam";
import { hashedName } from "../shared/naming";
import { Tags, componentTags } from "../shared/tags";
import { dlamiParameterName } from "./dlami";
import { TrainerRun, trainerUserData } from "./user-data";

export * from "./dlami";
export * from "./user-data";

/** Instance type per mode when none is given. */
export const EC2_TRAINER_INSTANCE_TYPES = { gpu: "g4dn.xlarge", cpu: "m5.xlarge" } as const;

/** Where the trainer reads and writes in the artifact store (an `ArtifactStore` fits). */
export interface Ec2TrainerStorage {
  bucketName: string;
  datasetPrefix: string;
  prefixes: { models: string };
}

export interface Ec2TrainerArgs {
  context: pulumi.Input<AwsContext>;
  storage: Ec2TrainerStorage;
  sourceBundle: SourceBundleRef;
  /** KMS key (or alias) ARN: root volume and the objects it reads and writes. Required. */
  kmsKeyArn: pulumi.Input<string>;
  /** Names the role, instance profile and instance (`Name` tag). Required, deterministic. */
  namePrefix: string;
  /** VPC of the trainer's security group. Required. */
  vpcId: pulumi.Input<string>;
  /** A private subnet (no public IP is ever assigned). Required. */
  subnetId: pulumi.Input<string>;
  /** `gpu` (Deep Learning AMI on a GPU type) or `cpu`. Default `cpu`. */
  mode?: "gpu" | "cpu";
  /** Default: `g4dn.xlarge` for gpu, `m5.xlarge` for cpu. */
  instanceType?: string;
  /** Root volume, GB (the DLAMI's own snapshot needs most of the default). Default 100. */
  volumeSizeGb?: number;
  /** Hard stop: the instance powers off (and terminates) after this many hours. Default 4. */
  maxRuntimeHours?: number;
  /** Default `{ arch: "resnet50", lr: 0.001, batchSize: 32, epochs: 5, pretrained: true }`. */
  hyperparameters?: Partial<TrainerRun["hyperparameters"]>;
  /** Store key of the backbone's ImageNet state dict (the trainer has no internet). Default none. */
  pretrainedWeightsKey?: string;
  /** Allow SSH (port 22) from this CIDR only; /16 or narrower, never 0.0.0.0/0. Default: no inbound rule. */
  sshCidr?: string;
  /** Session Manager access through the instance role (no inbound port). Default true. */
  sessionManager?: boolean;
  /** PyTorch line of the Deep Learning AMI. Default `2.13`. */
  dlamiPytorchVersion?: string;
  /** Public SSM parameter holding the AMI id. Default: the DLAMI's, see `dlamiParameterName`. */
  amiParameterName?: string;
  tags?: Tags;
}

const DEFAULTS = {
  mode: "cpu" as const,
  volumeSizeGb: 100,
  maxRuntimeHours: 4,
  sessionManager: true,
  hyperparameters: { arch: "resnet50", lr: 0.001, batchSize: 32, epochs: 5, pretrained: true },
};

/** Prefix of the trainer's output under the models prefix: `models/ec2/<runId>/output/`. */
export const EC2_OUTPUT_FOLDER = "ec2";

/** Checks args that other programs pass without our stack config; one message per problem. */
export function validateEc2TrainerArgs(name: string, a: Ec2TrainerArgs): void {
  const problems: string[] = [];
  if (a.mode !== undefined && a.mode !== "gpu" && a.mode !== "cpu")
    problems.push(`mode must be "gpu" or "cpu" (got ${JSON.stringify(a.mode)})`);
  if (a.instanceType !== undefined && !/^[a-z][a-z0-9-]*\.[a-z0-9]+$/.test(a.instanceType))
    problems.push(`instanceType must be an EC2 instance type such as m5.xlarge (got "${a.instanceType}")`);
  if (a.mode === "gpu" && a.instanceType && !/^(g|p)\d/.test(a.instanceType))
    problems.push(`mode "gpu" needs a GPU instance type such as g4dn.xlarge (got "${a.instanceType}")`);
  if (a.volumeSizeGb !== undefined && (!Number.isInteger(a.volumeSizeGb) || a.volumeSizeGb < 30))
    problems.push(`volumeSizeGb must be a whole number >= 30 (got ${a.volumeSizeGb})`);
  if (a.maxRuntimeHours !== undefined && !(a.maxRuntimeHours > 0 && a.maxRuntimeHours <= 7 * 24))
    problems.push(`maxRuntimeHours must be > 0 and <= 168 (got ${a.maxRuntimeHours})`);
  if (a.sshCidr !== undefined) {
    const cidr = parseIpv4Cidr(a.sshCidr);
    if (!cidr) problems.push(`sshCidr must be an IPv4 CIDR such as 203.0.113.7/32 (got "${a.sshCidr}")`);
    else if (cidr.prefixLength < NARROWEST_ADMIN_PREFIX)
      problems.push(
        `sshCidr must be a /${NARROWEST_ADMIN_PREFIX} or narrower range, ideally your own /32; SSH is never opened to the internet (got "${a.sshCidr}")`,
      );
  }
  const hp = a.hyperparameters ?? {};
  if (hp.lr !== undefined && !(hp.lr > 0)) problems.push(`hyperparameters.lr must be > 0 (got ${hp.lr})`);
  for (const key of ["batchSize", "epochs"] as const)
    if (hp[key] !== undefined && (!Number.isInteger(hp[key]) || hp[key]! < 1))
      problems.push(`hyperparameters.${key} must be a whole number >= 1 (got ${hp[key]})`);
  if (hp.arch !== undefined && !/^[a-z0-9_]+$/.test(hp.arch))
    problems.push(
      `hyperparameters.arch must be a torchvision model name such as resnet50 (got "${hp.arch}")`,
    );
  if (!/^[a-z0-9](-*[a-z0-9])*$/.test(a.namePrefix) || a.namePrefix.length > 56)
    problems.push(
      `namePrefix must be lower-case letters, digits and hyphens, at most 56 characters (got "${a.namePrefix}")`,
    );
  if (problems.length) throw new Error(`Ec2Trainer ${name}: ${problems.join("; ")}`);
}

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
 * run id is a new instance.
 */
export class Ec2Trainer extends pulumi.ComponentResource {
  readonly role: aws.iam.Role;
  readonly instanceProfile: aws.iam.InstanceProfile;
  readonly securityGroup: aws.ec2.SecurityGroup;
  readonly instance: aws.ec2.Instance;
  readonly runId: string;
  readonly instanceType: string;
  /** `s3://<bucket>/models/ec2/<runId>/output/model.tar.gz`, known at preview. */
  readonly modelDataUrl: string;
  readonly amiParameterName: string;
  readonly instanceId: pulumi.Output<string>;

  constructor(name: string, args: Ec2TrainerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ml-platform:training:Ec2Trainer", name, {}, opts);
    validateEc2TrainerArgs(name, args);
    const a = {
      ...DEFAULTS,
      ...args,
      hyperparameters: { ...DEFAULTS.hyperparameters, ...args.hyperparameters },
    };
    const tags = componentTags(a.tags, "ec2-trainer");
    const ctx = pulumi.output(a.context);
    this.instanceType = a.instanceType ?? EC2_TRAINER_INSTANCE_TYPES[a.mode];
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

    this.role = new aws.iam.Role(
      `${name}-role`,
      {
        name: a.namePrefix,
        description: `Instance role of the EC2 trainer ${a.namePrefix}`,
        assumeRolePolicy: ctx.apply((c) => toJson(serviceTrustPolicy(c, "ec2"))),
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
        policy: pulumi.all([ctx, a.kmsKeyArn]).apply(([c, kmsKeyArn]) =>
          toJson(
            policyDocument(
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
          ),
        ),
      },
      { parent: this },
    );
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
