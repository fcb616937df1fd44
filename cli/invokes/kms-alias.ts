/**
 * Offline answer to `aws.kms.getAlias` (token `aws:kms/getAlias:getAlias`): a program that was
 * given a key by alias looks up the key ARN behind it (KMS DescribeKey / ListAliases; the
 * provider's data source returns `targetKeyArn` and `targetKeyId`). The plan answers with a
 * deterministic key id derived from the alias, in the account and region of the run.
 */
import { createHash } from "node:crypto";
import { partitionOf } from "../aws-partitions";
import { MOCK_ACCOUNT_ID } from "./aws-context";
import { InvokeContext, InvokeOutcome } from "./types";

export const KMS_ALIAS_TOKEN = "aws:kms/getAlias:getAlias";

export function answerKmsAlias(args: Record<string, unknown>, ctx: InvokeContext): InvokeOutcome {
  const region = (args.region as string | undefined) ?? ctx.region;
  const partition = partitionOf(region)?.partition ?? "aws";
  const name = String(args.name ?? "");
  const hex = createHash("sha256").update(name).digest("hex");
  const keyId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
  const base = `arn:${partition}:kms:${region}:${MOCK_ACCOUNT_ID}`;
  return {
    answer: {
      name,
      arn: `${base}:${name}`,
      targetKeyId: keyId,
      targetKeyArn: `${base}:key/${keyId}`,
      id: `${base}:${name}`,
    },
  };
}
