import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { s3BucketArn } from "../shared/aws-context";
import { componentTags } from "../shared/tags";
import { ArtifactStoreArgs, resolveArtifactStoreArgs } from "./args";

/** The key layout inside the store. Roles are scoped to these prefixes, never to the whole bucket. */
export const ARTIFACT_PREFIXES = {
  /** Source bundles (`sourcedir.tar.gz`) for training jobs and the EC2 trainer. */
  code: "code",
  /** Training output: `<models>/<jobName>/output/model.tar.gz`. */
  models: "models",
  /** Spot-training checkpoints. */
  checkpoints: "checkpoints",
  /** Notebook users' scratch space. */
  notebooks: "notebooks",
  /** Endpoint data capture. */
  dataCapture: "data-capture",
} as const;

/** The dataset's folders below `datasetPrefix`, in ImageFolder layout (SPLITS in training/train.py). */
export const DATASET_SPLITS = ["train", "valid", "test"] as const;

/**
 * S3 bucket for datasets, code bundles and model artifacts: SSE-KMS with a bucket key, versioning,
 * all public access blocked, bucket-owner-enforced ownership, a TLS-only bucket policy, and a
 * lifecycle rule for old versions and abandoned uploads.
 */
export class ArtifactStore extends pulumi.ComponentResource {
  readonly bucket: aws.s3.Bucket;
  /** The bucket name (known at preview). */
  readonly bucketName: string;
  /** `arn:<partition>:s3:::<bucketName>`, known at preview. */
  readonly bucketArn: pulumi.Output<string>;
  readonly datasetPrefix: string;
  readonly prefixes = ARTIFACT_PREFIXES;

  constructor(name: string, args: ArtifactStoreArgs, opts?: pulumi.ComponentResourceOptions) {
    // Validate before registering anything, so a bad call leaves nothing half-declared.
    const a = resolveArtifactStoreArgs(name, args);
    super("ml-platform:storage:ArtifactStore", name, {}, opts);
    const tags = componentTags(a.tags, "artifact-store");
    this.bucketName = a.bucketName;
    this.datasetPrefix = a.datasetPrefix;
    const ctx = pulumi.output(a.context);
    this.bucketArn = ctx.apply((c) => s3BucketArn(c, a.bucketName));
    const child = { parent: this };

    this.bucket = new aws.s3.Bucket(
      name,
      { bucket: a.bucketName, forceDestroy: a.forceDestroy, tags },
      child,
    );
    // Sub-resources name the bucket by its known name, so guardrails can match them at preview.
    const bucket = a.bucketName;
    const dependsOn = { parent: this, dependsOn: [this.bucket] };

    new aws.s3.BucketOwnershipControls(
      name,
      { bucket, rule: { objectOwnership: "BucketOwnerEnforced" } },
      dependsOn,
    );
    new aws.s3.BucketPublicAccessBlock(
      name,
      {
        bucket,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      dependsOn,
    );
    new aws.s3.BucketVersioning(name, { bucket, versioningConfiguration: { status: "Enabled" } }, dependsOn);
    new aws.s3.BucketServerSideEncryptionConfiguration(
      name,
      {
        bucket,
        rules: [
          {
            applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: a.kmsKeyArn },
            bucketKeyEnabled: true,
          },
        ],
      },
      dependsOn,
    );
    new aws.s3.BucketLifecycleConfiguration(
      name,
      {
        bucket,
        rules: [
          {
            id: "expire-noncurrent-versions",
            status: "Enabled",
            filter: {},
            noncurrentVersionExpiration: { noncurrentDays: a.noncurrentVersionExpirationDays },
          },
          {
            id: "abort-incomplete-uploads",
            status: "Enabled",
            filter: {},
            abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
          },
        ],
      },
      dependsOn,
    );
    new aws.s3.BucketPolicy(
      name,
      { bucket, policy: ctx.apply((c) => JSON.stringify(tlsOnlyBucketPolicy(s3BucketArn(c, a.bucketName)))) },
      dependsOn,
    );
    this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn });
  }

  /** `s3://<bucket>/<prefix>/`. */
  uri(prefix: string): string {
    return `s3://${this.bucketName}/${prefix.replace(/^\/+|\/+$/g, "")}/`;
  }
}

/** Denies every request that does not use TLS 1.2 or newer. */
export function tlsOnlyBucketPolicy(bucketArn: string) {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [bucketArn, `${bucketArn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
      {
        Sid: "DenyOutdatedTls",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [bucketArn, `${bucketArn}/*`],
        Condition: { NumericLessThan: { "s3:TlsVersion": "1.2" } },
      },
    ],
  };
}
