/** Ec2Trainer for Pulumi programs in any language (see components/ec2-trainer). */
import * as pulumi from "@pulumi/pulumi";
import * as ts from "../../components/ec2-trainer";
import type { HyperparametersArgs } from "../../components/shared/hyperparameters";
import type { AwsContext } from "../../components/shared/aws-context";
import type { Tags } from "../../components/shared/tags";
import {
  adapt,
  ArtifactStoreRef,
  awsContext,
  dependenciesOf,
  Expect,
  SameArgNames,
  SourceBundleRefArgs,
  storeOf,
  token,
} from "./adapter";

/** GPU (Deep Learning AMI on a GPU type) or CPU training on EC2. */
export const Ec2TrainerMode = {
  Gpu: "gpu",
  Cpu: "cpu",
} as const;
export type Ec2TrainerMode = (typeof Ec2TrainerMode)[keyof typeof Ec2TrainerMode];

export interface Ec2TrainerArgs {
  /** The partition, region and account. Default: looked up with the AWS provider (getPartition, getRegion, getCallerIdentity). */
  context?: pulumi.Input<AwsContext>;
  /** The artifact store, by bucket name (and dataset prefix). Required. */
  storage: ArtifactStoreRef;
  /** The uploaded `sourcedir.tar.gz` (a `SourceBundle`'s outputs). Required. */
  sourceBundle: SourceBundleRefArgs;
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
  mode?: Ec2TrainerMode;
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
export type Ec2TrainerArgsMatch = Expect<SameArgNames<ts.Ec2TrainerArgs, Ec2TrainerArgs>>;

/** Arguments passed through as Inputs (the rest are made plain first; see adapt). */
export const inputs: readonly string[] = ["context", "kmsKeyArn", "kmsAliasArn", "vpcId", "subnetId"];

/** The same training on one EC2 instance that shuts itself down (terminates) when done. */
export class Ec2Trainer extends pulumi.ComponentResource {
  /** The run's instance; none with `launch: false`. */
  readonly instanceId: pulumi.Output<string | undefined>;
  /** Hash of the run's inputs: a new run is a new instance. */
  readonly runId: pulumi.Output<string>;
  readonly instanceType: pulumi.Output<string>;
  /** Where the run uploads `model.tar.gz` (known at preview). */
  readonly modelDataUrl: pulumi.Output<string>;
  /** `s3://<bucket>/models/ec2/<runId>/output/`: the model, `output.tar.gz`, `trainer.log`, `run-status.json`. */
  readonly outputUri: pulumi.Output<string>;
  readonly amiParameterName: pulumi.Output<string>;

  constructor(name: string, args: Ec2TrainerArgs, opts?: pulumi.ComponentResourceOptions) {
    super(token("Ec2Trainer"), name, {}, opts);
    const upload = dependenciesOf(args.sourceBundle)[0];
    const out = adapt(this, `Ec2Trainer ${name}`, args, inputs, (a, opts) => {
      const trainer = new ts.Ec2Trainer(
        name,
        {
          ...a,
          context: awsContext(a.context, this),
          storage: storeOf(a.storage),
          sourceBundle: { ...a.sourceBundle, resource: upload },
        },
        opts,
      );
      return {
        instanceId: trainer.instanceId,
        runId: trainer.runId,
        instanceType: trainer.instanceType,
        modelDataUrl: trainer.modelDataUrl,
        outputUri: trainer.outputUri,
        amiParameterName: trainer.amiParameterName,
      };
    });
    this.instanceId = out.instanceId;
    this.runId = out.runId;
    this.instanceType = out.instanceType;
    this.modelDataUrl = out.modelDataUrl;
    this.outputUri = out.outputUri;
    this.amiParameterName = out.amiParameterName;
    this.registerOutputs({
      instanceId: this.instanceId,
      runId: this.runId,
      modelDataUrl: this.modelDataUrl,
    });
  }
}
