/**
 * Offline answers to invokes, as `pulumi preview` gets them from the provider: pure provider
 * functions computed exactly (`getPolicyDocument`), account look-ups from the authorization-details
 * export, the deployment context with realistic values. Anything else has no faithful answer: its
 * result is unknown (never `{}`), and the plan lists what could not be checked because of it.
 */
import { answerAccountLookup } from "./account";
import { answerAwsContext } from "./aws-context";
import { answerKmsAlias, KMS_ALIAS_TOKEN } from "./kms-alias";
import { getPolicyDocument, POLICY_DOCUMENT_TOKEN } from "./policy-document";
import { answerS3Objects, S3_OBJECTS_TOKEN } from "./s3-objects";
import { InvokeContext, InvokeOutcome } from "./types";

export { InvokeError } from "./errors";
export { MOCK_ACCOUNT_ID } from "./aws-context";
export type { AccountExport, InvokeContext, InvokeOutcome } from "./types";
export type { S3World } from "./s3-objects";

/** Throws InvokeError where the provider would answer with an error. */
export function answerInvoke(
  token: string,
  args: Record<string, unknown>,
  ctx: InvokeContext,
): InvokeOutcome {
  if (token === S3_OBJECTS_TOKEN) return answerS3Objects(args, ctx.s3);
  if (token === KMS_ALIAS_TOKEN) return answerKmsAlias(args, ctx);
  if (token === POLICY_DOCUMENT_TOKEN) {
    const { result, warnings } = getPolicyDocument(args);
    return { answer: result, warnings };
  }
  return (
    answerAwsContext(token, args, ctx) ??
    answerAccountLookup(token, args, ctx.inventory) ?? {
      unknown:
        "the plan has no offline answer for this function (it would ask the provider, which needs the cloud)",
    }
  );
}
