/** PlatformKey for Pulumi programs in any language (see components/platform-key). */
import * as pulumi from "@pulumi/pulumi";
import * as ts from "../../components/platform-key";
import type { AwsContext } from "../../components/shared/aws-context";
import type { Tags } from "../../components/shared/tags";
import { adapt, awsContext, Expect, SameArgNames, token } from "./adapter";

export interface PlatformKeyArgs {
  /** Alias name without `alias/`, e.g. `ml-platform-dev`. Required: the alias ARN is what other components use. */
  aliasName: string;
  /** The partition, region and account. Default: looked up with the AWS provider (getPartition, getRegion, getCallerIdentity). */
  context?: pulumi.Input<AwsContext>;
  /** Days before a scheduled deletion takes effect, 7-30 (KMS's limits). Default 30. */
  deletionWindowDays?: number;
  tags?: Tags;
}
export type PlatformKeyArgsMatch = Expect<SameArgNames<ts.PlatformKeyArgs, PlatformKeyArgs>>;

/** Arguments passed through as Inputs (the rest are made plain first; see adapt). */
export const inputs: readonly string[] = ["context"];

/** A customer-managed KMS key with rotation and an alias. */
export class PlatformKey extends pulumi.ComponentResource {
  /** The alias ARN, known at preview: what other components take as `kmsKeyArn`. */
  readonly aliasArn: pulumi.Output<string>;
  /** The key's ARN (unknown until the key exists). */
  readonly keyArn: pulumi.Output<string>;

  constructor(name: string, args: PlatformKeyArgs, opts?: pulumi.ComponentResourceOptions) {
    super(token("PlatformKey"), name, {}, opts);
    const out = adapt(this, `PlatformKey ${name}`, args, inputs, (a, opts) => {
      const key = new ts.PlatformKey(name, { ...a, context: awsContext(a.context, this) }, opts);
      return { aliasArn: key.aliasArn, keyArn: key.keyArn };
    });
    this.aliasArn = out.aliasArn;
    this.keyArn = out.keyArn;
    this.registerOutputs({ aliasArn: this.aliasArn, keyArn: this.keyArn });
  }
}
