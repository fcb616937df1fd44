/** The arguments of `SourceBundle`, their defaults (one place) and their schema. */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { ARTIFACT_PREFIXES } from "../artifact-store";
import { collaborator, pattern, resolveArgs, tagsSchema, text, withDefaults } from "../shared/arg-schema";
import type { SourceBundleRef } from "./source-bundle";
import { NAME_PATTERNS } from "../shared/aws-facts";
import { kmsKeyArnArg } from "../shared/kms";
import { Tags } from "../shared/tags";

/** The project's training/ folder (train.py, inference.py, metrics.json). */
export const DEFAULT_TRAINING_DIR = path.resolve(__dirname, "..", "..", "training");

export interface SourceBundleArgs {
  /** Bucket of the artifact store (known name). Required. */
  bucketName: string;
  /**
   * The KMS key's ARN for the object's SSE-KMS (an Output such as `key.arn` is fine). Not an alias:
   * S3 reports the object's key by its ARN, so an alias would read as a change on every `pulumi up`. Required.
   */
  kmsKeyArn: pulumi.Input<string>;
  /** Folder to bundle (must contain train.py). Default: the project's `training/`. */
  sourceDir?: string;
  /** Key prefix. Default `code`. */
  codePrefix?: string;
  tags?: Tags;
}

export const SOURCE_BUNDLE_DEFAULTS = {
  sourceDir: DEFAULT_TRAINING_DIR,
  codePrefix: ARTIFACT_PREFIXES.code,
} as const;

export const sourceBundleFields = {
  sourceDir: text("a folder path"),
  codePrefix: pattern(
    NAME_PATTERNS.s3KeyPrefix,
    "an S3 key prefix such as code (no leading or trailing slash)",
  ),
};

export const sourceBundleArgsSchema = z.strictObject({
  bucketName: pattern(NAME_PATTERNS.s3Bucket, "an S3 bucket name (the artifact store's)"),
  kmsKeyArn: kmsKeyArnArg("S3 object encryption"),
  ...withDefaults(sourceBundleFields, SOURCE_BUNDLE_DEFAULTS),
  tags: tagsSchema.optional(),
});

export type ResolvedSourceBundleArgs = z.output<typeof sourceBundleArgsSchema>;

/** Applies the defaults and checks every argument; throws a ComponentArgsError naming each problem. */
export function resolveSourceBundleArgs(name: string, args: SourceBundleArgs): ResolvedSourceBundleArgs {
  return resolveArgs("SourceBundle", name, sourceBundleArgsSchema, args);
}

/** A `sourceBundle` argument of the training components: an uploaded bundle (a `SourceBundle` fits). */
export const sourceBundleRefArg = () =>
  collaborator<SourceBundleRef>("the uploaded code bundle (see SourceBundle)", [
    "bucketName",
    "key",
    "sha256",
  ]);
