/** The arguments of `Ec2Trainer`, their defaults (one place) and their schema. */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { sourceBundleRefArg } from "../source-bundle/args";
import type { SourceBundleRef } from "../source-bundle";
import {
  bool,
  cidr,
  input,
  int,
  num,
  oneOf,
  pattern,
  problem,
  ref,
  resolveArgs,
  tagsSchema,
  text,
  withDefaults,
  artifactStoreArg,
  awsContextArg,
} from "../shared/arg-schema";
import { isGpuType, NAME_PATTERNS } from "../shared/aws-facts";
import { kmsAliasArnArg, kmsKeyArnArg } from "../shared/kms";
import { AwsContext } from "../shared/aws-context";
import { NARROWEST_ADMIN_PREFIX, parseIpv4Cidr } from "../shared/cidr";
import {
  HYPERPARAMETER_DEFAULTS,
  HyperparametersArgs,
  hyperparametersSchema,
} from "../shared/hyperparameters";
import { instanceTypeSchema } from "../shared/instance-types";
import { Tags } from "../shared/tags";
import { DEFAULT_DLAMI_PYTORCH_VERSION } from "./dlami";

/** Where the trainer reads and writes in the artifact store (an `ArtifactStore` fits). */
export interface Ec2TrainerStorage {
  bucketName: string;
  datasetPrefix: string;
  prefixes: { models: string };
}

export interface Ec2TrainerArgs {
  /** The partition, region and account (see `lookupAwsContext`). Required. */
  context: pulumi.Input<AwsContext>;
  /** The artifact store (or the same shape). Required. */
  storage: Ec2TrainerStorage;
  /** The uploaded `sourcedir.tar.gz` (see `SourceBundle`). Required. */
  sourceBundle: SourceBundleRef;
  /**
   * The KMS key's ARN for the root volume (an Output such as `key.arn` is fine). Not an alias: EC2
   * reports a volume's key by its ARN, so an alias would read as a replacement on every `pulumi up`.
   * Required.
   */
  kmsKeyArn: pulumi.Input<string>;
  /** An alias ARN of the same key, known at preview: the role's KMS grant names it. Default: `kmsKeyArn`. */
  kmsAliasArn?: pulumi.Input<string>;
  /** Names the role, instance profile and instance (`Name` tag). Required, deterministic. */
  namePrefix: string;
  /** VPC of the trainer's security group. Required. */
  vpcId: pulumi.Input<string>;
  /** A private subnet (no public IP is ever assigned). Required. */
  subnetId: pulumi.Input<string>;
  /** `gpu` (Deep Learning AMI on a GPU type) or `cpu`. Default `cpu`. */
  mode?: "gpu" | "cpu";
  /** An EC2 instance type AWS offers (a GPU type for `gpu`). Default: `g4dn.xlarge` for gpu, `m5.xlarge` for cpu. */
  instanceType?: string;
  /** Root volume, GB (30-16384; the DLAMI's own snapshot needs most of the default). Default 100. */
  volumeSizeGb?: number;
  /** Hard stop: the instance powers off (and terminates) after this many hours (at most 168). Default 4. */
  maxRuntimeHours?: number;
  /** Default `{ arch: "resnet50", lr: 0.001, batchSize: 32, epochs: 5, pretrained: true }`. */
  hyperparameters?: HyperparametersArgs;
  /** Store key of the backbone's ImageNet state dict (the trainer has no internet). Default none. */
  pretrainedWeightsKey?: string;
  /** Allow SSH (port 22) from this CIDR only; /16 or narrower, never 0.0.0.0/0. Default: no inbound rule. */
  sshCidr?: string;
  /** Session Manager access through the instance role (no inbound port). Default true. */
  sessionManager?: boolean;
  /**
   * Declare the instance (the training run). False keeps the role, instance profile and security
   * group and starts nothing (inputs not uploaded yet, or the run already finished). Default true.
   */
  launch?: boolean;
  /** An explicit run id, part of the run's id: change it to train unchanged inputs again. Default: none. */
  runId?: string;
  /** PyTorch line of the Deep Learning AMI. Default `2.13`. */
  dlamiPytorchVersion?: string;
  /** Public SSM parameter holding the AMI id. Default: the DLAMI's, see `dlamiParameterName`. */
  amiParameterName?: string;
  tags?: Tags;
}

export const EC2_TRAINER_DEFAULTS = {
  mode: "cpu",
  /** Instance type per mode when none is given. */
  instanceTypes: { gpu: "g4dn.xlarge", cpu: "m5.xlarge" },
  volumeSizeGb: 100,
  maxRuntimeHours: 4,
  sessionManager: true,
  launch: true,
  dlamiPytorchVersion: DEFAULT_DLAMI_PYTORCH_VERSION,
  hyperparameters: HYPERPARAMETER_DEFAULTS,
} as const;

/** Instance type per mode when none is given. */
export const EC2_TRAINER_INSTANCE_TYPES = EC2_TRAINER_DEFAULTS.instanceTypes;

/** The settings a stack can choose; the stack config composes these (with EC2_TRAINER_DEFAULTS). */
export const ec2TrainerFields = {
  mode: oneOf(["gpu", "cpu"]),
  instanceType: instanceTypeSchema("ec2"),
  volumeSizeGb: int(30, 16384),
  maxRuntimeHours: num(0, 7 * 24, true),
  sshCidr: cidr("an IPv4 CIDR of your own address, such as 203.0.113.7/32").refine(
    (c) => (parseIpv4Cidr(c)?.prefixLength ?? 0) >= NARROWEST_ADMIN_PREFIX,
    {
      error: `must be a /${NARROWEST_ADMIN_PREFIX} or narrower range, ideally your own /32; SSH is never opened to the internet`,
    },
  ),
  sessionManager: bool(),
  /** An explicit run id in the run's id: change it to train unchanged inputs again. */
  runId: pattern(/^[a-zA-Z0-9-]{1,32}$/, "1-32 letters, digits and hyphens, such as 2"),
};

/** Cross-argument rules (the stack config runs them on its `ec2Trainer` section too). */
export function checkEc2Trainer(
  e: { mode: "gpu" | "cpu"; instanceType?: string },
  ctx: z.RefinementCtx,
): void {
  if (e.mode === "gpu" && e.instanceType !== undefined && !isGpuType(e.instanceType))
    problem(
      ctx,
      ["instanceType"],
      `must be a GPU instance type such as g4dn.xlarge when ${ref("mode")} is "gpu" (got "${e.instanceType}")`,
    );
}

const {
  instanceTypes: _types,
  hyperparameters: _hp,
  dlamiPytorchVersion: _v,
  launch: _l,
  ...scalarDefaults
} = EC2_TRAINER_DEFAULTS;

export const ec2TrainerArgsSchema = z
  .strictObject({
    context: awsContextArg(),
    storage: artifactStoreArg<Ec2TrainerStorage>(),
    sourceBundle: sourceBundleRefArg(),
    kmsKeyArn: kmsKeyArnArg("the EC2 root volume"),
    kmsAliasArn: kmsAliasArnArg(),
    namePrefix: pattern(
      /^[a-z0-9](-*[a-z0-9]){0,55}$/,
      "lower-case letters, digits and hyphens, at most 56 characters",
    ),
    vpcId: input<string>("the VPC id of the trainer's security group"),
    subnetId: input<string>("a private subnet id"),
    ...withDefaults(ec2TrainerFields, scalarDefaults),
    instanceType: ec2TrainerFields.instanceType.optional(),
    sshCidr: ec2TrainerFields.sshCidr.optional(),
    runId: ec2TrainerFields.runId.optional(),
    launch: bool().default(EC2_TRAINER_DEFAULTS.launch),
    hyperparameters: hyperparametersSchema,
    pretrainedWeightsKey: pattern(
      NAME_PATTERNS.s3KeyPrefix,
      "an S3 object key such as weights/resnet50-11ad3fa6.pth (no leading or trailing slash)",
    ).optional(),
    dlamiPytorchVersion: pattern(/^\d+\.\d+$/, "a PyTorch minor version such as 2.13").default(
      EC2_TRAINER_DEFAULTS.dlamiPytorchVersion,
    ),
    amiParameterName: text("an SSM parameter name").optional(),
    tags: tagsSchema.optional(),
  })
  .superRefine(checkEc2Trainer)
  .transform((a) => ({ ...a, instanceType: a.instanceType ?? EC2_TRAINER_DEFAULTS.instanceTypes[a.mode] }));

export type ResolvedEc2TrainerArgs = z.output<typeof ec2TrainerArgsSchema>;

/** Applies the defaults and checks every argument; throws a ComponentArgsError naming each problem. */
export function resolveEc2TrainerArgs(name: string, args: Ec2TrainerArgs): ResolvedEc2TrainerArgs {
  return resolveArgs("Ec2Trainer", name, ec2TrainerArgsSchema, args);
}

/** Checks args that other programs pass without our stack config; one message per problem. */
export function validateEc2TrainerArgs(name: string, args: Ec2TrainerArgs): void {
  resolveEc2TrainerArgs(name, args);
}
