/** SourceBundle for Pulumi programs in any language (see components/source-bundle). */
import * as pulumi from "@pulumi/pulumi";
import * as ts from "../../components/source-bundle";
import type { Tags } from "../../components/shared/tags";
import { adapt, Expect, SameArgNames, token } from "./adapter";

export interface SourceBundleArgs {
  /** Bucket of the artifact store (known name). Required. */
  bucketName: string;
  /**
   * The KMS key's ARN for the object's SSE-KMS (an Output such as `key.arn` is fine). Not an alias:
   * S3 reports the object's key by its ARN, so an alias would read as a change on every `pulumi up`. Required.
   */
  kmsKeyArn: pulumi.Input<string>;
  /** Folder to bundle (must contain train.py), on the machine that runs the program. Default: the package's training code. */
  sourceDir?: string;
  /** Key prefix. Default `code`. */
  codePrefix?: string;
  tags?: Tags;
}
export type SourceBundleArgsMatch = Expect<SameArgNames<ts.SourceBundleArgs, SourceBundleArgs>>;

/** Arguments passed through as Inputs (the rest are made plain first; see adapt). */
export const inputs: readonly string[] = ["kmsKeyArn"];

/** The training code as a deterministic `sourcedir.tar.gz` at a content-addressed key of the store. */
export class SourceBundle extends pulumi.ComponentResource {
  readonly bucketName: pulumi.Output<string>;
  /** `code/<first 16 hex of sha256>/sourcedir.tar.gz`. */
  readonly key: pulumi.Output<string>;
  /** Hex sha256 of the archive. */
  readonly sha256: pulumi.Output<string>;
  /** `s3://<bucket>/<key>`. */
  readonly uri: pulumi.Output<string>;
  /** The archive's entries. */
  readonly files: pulumi.Output<string[]>;

  constructor(name: string, args: SourceBundleArgs, opts?: pulumi.ComponentResourceOptions) {
    super(token("SourceBundle"), name, {}, opts);
    const out = adapt(this, `SourceBundle ${name}`, args, inputs, (a, opts) => {
      const bundle = new ts.SourceBundle(name, a, opts);
      return {
        bucketName: bundle.bucketName,
        key: bundle.key,
        sha256: bundle.sha256,
        uri: bundle.uri,
        files: bundle.files,
      };
    });
    this.bucketName = out.bucketName;
    this.key = out.key;
    this.sha256 = out.sha256;
    this.uri = out.uri;
    this.files = out.files;
    this.registerOutputs({ bucketName: this.bucketName, key: this.key, sha256: this.sha256, uri: this.uri });
  }
}
