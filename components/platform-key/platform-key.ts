import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { arn, kmsAliasArn } from "../shared/aws-context";
import { componentTags } from "../shared/tags";
import { PlatformKeyArgs, resolvePlatformKeyArgs } from "./args";

/**
 * A customer-managed KMS key the stack owns, with rotation on and an alias. Components get both:
 * `keyArn` where AWS takes only a key ARN, `aliasArn` (known at preview) where AWS documents alias
 * ARNs and in IAM grants (see components/shared/kms.ts and docs/kms.md). Each carries the resource
 * it names as a dependency, so whatever uses it is created after the key (or the alias).
 */
export class PlatformKey extends pulumi.ComponentResource {
  readonly key: aws.kms.Key;
  readonly alias: aws.kms.Alias;
  /**
   * `arn:<partition>:kms:<region>:<account>:alias/<aliasName>`, known at preview, and tied to the
   * alias resource (its URN is known at preview), so consumers depend on the alias.
   */
  readonly aliasArn: pulumi.Output<string>;
  /** The key's ARN (known only after creation). */
  readonly keyArn: pulumi.Output<string>;

  constructor(name: string, args: PlatformKeyArgs, opts?: pulumi.ComponentResourceOptions) {
    // Validate before registering anything, so a bad call leaves nothing half-declared.
    const a = resolvePlatformKeyArgs(name, args);
    super("ml-platform:security:PlatformKey", name, {}, opts);
    const deletionWindowDays = a.deletionWindowDays;
    const tags = componentTags(a.tags, "kms");
    const ctx = pulumi.output(a.context);

    this.key = new aws.kms.Key(
      name,
      {
        description: `Data key for ${a.aliasName}: S3 artifacts, notebook and training volumes, endpoints`,
        enableKeyRotation: true,
        deletionWindowInDays: deletionWindowDays,
        // Key administration stays with the account's IAM policies; no principal gets key use here.
        policy: ctx.apply((c) =>
          JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              {
                Sid: "AccountAdministersKeyThroughIam",
                Effect: "Allow",
                Principal: { AWS: arn(c, "iam", "root", { region: false }) },
                Action: "kms:*",
                Resource: "*",
              },
            ],
          }),
        ),
        tags,
      },
      { parent: this },
    );
    this.alias = new aws.kms.Alias(
      name,
      { name: `alias/${a.aliasName}`, targetKeyId: this.key.keyId },
      { parent: this },
    );
    this.aliasArn = pulumi.all([ctx, this.alias.urn]).apply(([c]) => kmsAliasArn(c, a.aliasName));
    this.keyArn = this.key.arn;
    this.registerOutputs({ aliasArn: this.aliasArn, keyArn: this.keyArn });
  }
}
