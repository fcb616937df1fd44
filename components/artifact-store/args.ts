/** The arguments of `ArtifactStore`, their defaults (one place) and their schema. */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import {
  awsContextArg,
  bool,
  int,
  pattern,
  resolveArgs,
  tagsSchema,
  withDefaults,
} from "../shared/arg-schema";
import { NAME_PATTERNS } from "../shared/aws-facts";
import { kmsKeyArnArg } from "../shared/kms";
import { AwsContext } from "../shared/aws-context";
import { Tags } from "../shared/tags";

export interface ArtifactStoreArgs {
  /** Globally unique bucket name; required so ARNs are known at preview. */
  bucketName: string;
  /**
   * The KMS key's ARN for SSE-KMS (an Output such as `key.arn` is fine). Not an alias: S3 documents
   * key ids, key ARNs and alias names here and recommends the key ARN. Required: the store is never unencrypted.
   */
  kmsKeyArn: pulumi.Input<string>;
  /** The partition, region and account (see `lookupAwsContext`). Required. */
  context: pulumi.Input<AwsContext>;
  /** Prefix of the dataset (train/, valid/, test/ below it). Default `datasets/dog-images`. */
  datasetPrefix?: string;
  /** Days to keep noncurrent object versions (1-3650). Default 30. */
  noncurrentVersionExpirationDays?: number;
  /** Let `pulumi destroy` delete a non-empty bucket. Default false. */
  forceDestroy?: boolean;
  tags?: Tags;
}

export const ARTIFACT_STORE_DEFAULTS = {
  datasetPrefix: "datasets/dog-images",
  noncurrentVersionExpirationDays: 30,
  forceDestroy: false,
} as const;

/** The settings a stack can choose; the stack config composes these (with ARTIFACT_STORE_DEFAULTS). */
export const artifactStoreFields = {
  datasetPrefix: pattern(
    NAME_PATTERNS.s3KeyPrefix,
    "an S3 key prefix such as datasets/dog-images (no leading or trailing slash)",
  ),
  noncurrentVersionExpirationDays: int(1, 3650),
  forceDestroy: bool(),
};

export const artifactStoreArgsSchema = z.strictObject({
  bucketName: pattern(
    NAME_PATTERNS.s3Bucket,
    "an S3 bucket name: 3-63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit",
  ),
  kmsKeyArn: kmsKeyArnArg("S3 default bucket encryption"),
  context: awsContextArg(),
  ...withDefaults(artifactStoreFields, ARTIFACT_STORE_DEFAULTS),
  tags: tagsSchema.optional(),
});

export type ResolvedArtifactStoreArgs = z.output<typeof artifactStoreArgsSchema>;

/** Applies the defaults and checks every argument; throws a ComponentArgsError naming each problem. */
export function resolveArtifactStoreArgs(name: string, args: ArtifactStoreArgs): ResolvedArtifactStoreArgs {
  return resolveArgs("ArtifactStore", name, artifactStoreArgsSchema, args);
}
