/**
 * How a component refers to its KMS key. AWS takes different identifier forms in different fields
 * (docs/kms.md is the table, with sources; test/foundation/kms-fields.test.ts pins every KMS field
 * of our stacks to it):
 * - `kmsKeyArn`, the key's ARN (an Output such as `key.arn` is fine), goes wherever AWS documents
 *   only key ids and key ARNs (notebook volume, training volumes, EBS, S3 objects and bucket
 *   defaults, Lambda, CloudWatch Logs), or reports the key back by its ARN (so an alias would show
 *   a diff on every `pulumi up`);
 * - `kmsAliasArn`, an alias ARN known at preview, goes where AWS documents alias ARNs (SageMaker
 *   job output, endpoint volumes, data capture) and into IAM grants (`kms:ResourceAliases`), so
 *   guardrails judge those values at preview. Without it, those places get `kmsKeyArn`.
 * The guardrails count a key reference that is unknown at preview as "a customer-managed key is set".
 */
import * as pulumi from "@pulumi/pulumi";
import { input, optionalInput } from "./arg-schema";

/** `alias/<name>` or `arn:...:alias/<name>`. */
export const isAliasReference = (value: string): boolean => /(^|:)alias\//.test(value);

export interface KmsReference {
  /** The key's ARN (or id). Required. */
  kmsKeyArn: pulumi.Input<string>;
  /** An alias ARN of the same key, known at preview. Default: `kmsKeyArn`. */
  kmsAliasArn?: pulumi.Input<string>;
}

/** The reference for IAM grants and for fields that accept an alias: the alias when given. */
export const aliasOrKey = (k: KmsReference): pulumi.Input<string> => k.kmsAliasArn ?? k.kmsKeyArn;

/**
 * A `kmsKeyArn` argument for fields that take no alias: a plain string that is an alias is refused
 * (an Output is checked by AWS when it is known).
 */
export const kmsKeyArnArg = (usedFor: string) =>
  input<string>(`the KMS key's ARN for ${usedFor}`).superRefine((v, ctx) => {
    if (typeof v === "string" && isAliasReference(v))
      ctx.addIssue({
        code: "custom",
        message:
          `must be the KMS key's ARN (arn:<partition>:kms:<region>:<account>:key/<id>), not an alias: AWS takes no alias for ${usedFor}; ` +
          "pass the alias ARN as kmsAliasArn (IAM grants and the fields that accept aliases use it)",
      });
  });

/** A `kmsAliasArn` argument: an alias ARN, or nothing. */
export const kmsAliasArnArg = () =>
  optionalInput<string>().superRefine((v, ctx) => {
    if (typeof v === "string" && !/^arn:[^:]+:kms:[^:]+:\d{12}:alias\/.+$/.test(v))
      ctx.addIssue({
        code: "custom",
        message: "must be a KMS alias ARN (arn:<partition>:kms:<region>:<account>:alias/<name>)",
      });
  });
