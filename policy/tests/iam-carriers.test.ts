/**
 * Coverage that matches "any stack": every resource type of @pulumi/aws's `iam` and `ssoadmin`
 * modules, and every carrier-like type elsewhere, is either a carrier the wildcard policy judges
 * (lib/iam-carriers.ts) or listed as not a carrier with the reason. A new type in @pulumi/aws
 * fails this test until it is classified.
 */
import { IAM_CARRIERS, NOT_CARRIERS, PERMISSIONS_BOUNDARIES } from "../lib/iam-carriers";
import { resourceTokens } from "./aws-types";

const tokens = resourceTokens();
const carrierLike = tokens.filter(
  (t) =>
    /^aws:(iam|ssoadmin)\//.test(t) ||
    /(Polic(y|ies)Attachments?(Exclusive)?|InlinePolicy|ManagedPolic(y|ies))(:|$)/.test(t.split(":").pop()!),
);

test("the installed @pulumi/aws is read: its IAM and Identity Center types are there", () => {
  expect(tokens.length).toBeGreaterThan(1000);
  expect(carrierLike).toEqual(
    expect.arrayContaining([
      "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive",
      "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive",
      "aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment",
      "aws:ssoadmin/customerManagedPolicyAttachment:CustomerManagedPolicyAttachment",
      "aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy",
    ]),
  );
});

test.each(carrierLike)("%s is a handled carrier or listed as not a carrier", (token) => {
  const handled = token in IAM_CARRIERS;
  const listed = token in NOT_CARRIERS;
  expect({ token, handled, listed }).toEqual({ token, handled: !listed, listed: !handled });
});

test("every classified type exists in the installed @pulumi/aws (no stale entries)", () => {
  const all = new Set(tokens);
  const classified = [
    ...Object.keys(IAM_CARRIERS),
    ...Object.keys(NOT_CARRIERS),
    ...Object.keys(PERMISSIONS_BOUNDARIES),
  ];
  expect(classified.filter((t) => !all.has(t))).toEqual([]);
});
