/**
 * The stack's KMS key in the forms AWS takes (components/shared/kms.ts, docs/kms.md): the key ARN
 * for fields that take no alias, the alias ARN (known at preview) for grants and the fields that
 * document alias ARNs, and the identity job names hash (a string known before anything exists).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PlatformKey } from "../components/platform-key";
import { AwsContext, kmsAliasArn } from "../components/shared/aws-context";
import { isAliasReference } from "../components/shared/kms";

export interface PlatformKms {
  /** The key's ARN; an Output of the key (or of the alias lookup) carries the dependency. */
  kmsKeyArn: pulumi.Input<string>;
  /** The alias ARN, tied to the alias resource when the stack owns it. */
  kmsAliasArn?: pulumi.Input<string>;
  /** How names and plans refer to the key: the alias ARN, else the key ARN. */
  identity: string;
}

/**
 * The stack's own key (`key`), or the one config names: a key ARN is used as is; an alias ARN is
 * resolved to its key ARN with `aws.kms.getAlias` (aliases are per account and region, so a key of
 * another account must be given by key ARN).
 */
export function platformKms(
  key: PlatformKey | undefined,
  configured: string | undefined,
  context: AwsContext,
  aliasName?: string,
): PlatformKms {
  if (key)
    return { kmsKeyArn: key.keyArn, kmsAliasArn: key.aliasArn, identity: kmsAliasArn(context, aliasName!) };
  const given = configured!;
  if (!isAliasReference(given)) return { kmsKeyArn: given, identity: given };
  const name = given.slice(given.indexOf("alias/"));
  return {
    kmsKeyArn: aws.kms.getAliasOutput({ name }).targetKeyArn,
    kmsAliasArn: given,
    identity: given,
  };
}
