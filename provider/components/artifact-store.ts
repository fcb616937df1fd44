/** ArtifactStore for Pulumi programs in any language (see components/artifact-store). */
import * as pulumi from "@pulumi/pulumi";
import * as ts from "../../components/artifact-store";
import type { AwsContext } from "../../components/shared/aws-context";
import type { Tags } from "../../components/shared/tags";
import { adapt, awsContext, Expect, SameArgNames, token } from "./adapter";

export interface ArtifactStoreArgs {
  /** Globally unique bucket name; required so ARNs are known at preview. */
  bucketName: string;
  /**
   * The KMS key's ARN for SSE-KMS (an Output such as `key.arn` is fine). Not an alias: S3 documents
   * key ids, key ARNs and alias names here and recommends the key ARN. Required: the store is never unencrypted.
   */
  kmsKeyArn: pulumi.Input<string>;
  /** The partition, region and account. Default: looked up with the AWS provider (getPartition, getRegion, getCallerIdentity). */
  context?: pulumi.Input<AwsContext>;
  /** Prefix of the dataset (train/, valid/, test/ below it). Default `datasets/dog-images`. */
  datasetPrefix?: string;
  /** Days to keep noncurrent object versions (1-3650). Default 30. */
  noncurrentVersionExpirationDays?: number;
  /** Let `pulumi destroy` delete a non-empty bucket. Default false. */
  forceDestroy?: boolean;
  tags?: Tags;
}
export type ArtifactStoreArgsMatch = Expect<SameArgNames<ts.ArtifactStoreArgs, ArtifactStoreArgs>>;

/** The store's fixed key prefixes. */
export interface ArtifactPrefixes {
  /** Source bundles (`sourcedir.tar.gz`) for training jobs and the EC2 trainer. */
  code: string;
  /** Training output: `<models>/<jobName>/output/model.tar.gz`. */
  models: string;
  /** Spot-training checkpoints. */
  checkpoints: string;
  /** Notebook users' scratch space. */
  notebooks: string;
  /** Endpoint data capture. */
  dataCapture: string;
}

/** Arguments passed through as Inputs (the rest are made plain first; see adapt). */
export const inputs: readonly string[] = ["kmsKeyArn", "context"];

/** S3 bucket for datasets, code bundles and model artifacts: SSE-KMS, versioned, private, TLS-only. */
export class ArtifactStore extends pulumi.ComponentResource {
  readonly bucketName: pulumi.Output<string>;
  readonly bucketArn: pulumi.Output<string>;
  readonly datasetPrefix: pulumi.Output<string>;
  readonly prefixes: pulumi.Output<ArtifactPrefixes>;

  constructor(name: string, args: ArtifactStoreArgs, opts?: pulumi.ComponentResourceOptions) {
    super(token("ArtifactStore"), name, {}, opts);
    const out = adapt(this, `ArtifactStore ${name}`, args, inputs, (a, opts) => {
      const store = new ts.ArtifactStore(name, { ...a, context: awsContext(a.context, this) }, opts);
      return {
        bucketName: store.bucketName,
        bucketArn: store.bucketArn,
        datasetPrefix: store.datasetPrefix,
        prefixes: { ...store.prefixes },
      };
    });
    this.bucketName = out.bucketName;
    this.bucketArn = out.bucketArn;
    this.datasetPrefix = out.datasetPrefix;
    this.prefixes = out.prefixes;
    this.registerOutputs({
      bucketName: this.bucketName,
      bucketArn: this.bucketArn,
      datasetPrefix: this.datasetPrefix,
      prefixes: this.prefixes,
    });
  }
}
export type ArtifactPrefixesMatch = Expect<SameArgNames<typeof ts.ARTIFACT_PREFIXES, ArtifactPrefixes>>;
