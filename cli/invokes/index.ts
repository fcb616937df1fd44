/**
 * Offline answers to invokes, as `pulumi preview` gets them from the provider: pure provider
 * functions computed exactly (`getPolicyDocument`), account look-ups from the authorization-details
 * export, the deployment context with realistic values. Anything else has no faithful answer: its
 * result is unknown (never `{}`), and the plan lists what could not be checked because of it.
 */
import { answerAccountLookup } from "./account";
import { answerAwsContext } from "./aws-context";
import { getPolicyDocument, POLICY_DOCUMENT_TOKEN } from "./policy-document";
import { InvokeContext, InvokeOutcome } from "./types";

export { InvokeError } from "./errors";
export { MOCK_ACCOUNT_ID } from "./aws-context";
export type { AccountExport, InvokeContext, InvokeOutcome } from "./types";

/** Throws InvokeError where the provider would answer with an error. */
export function answerInvoke(
  token: string,
  args: Record<string, unknown>,
  ctx: InvokeContext,
): InvokeOutcome {
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
