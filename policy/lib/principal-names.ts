/**
 * How findings name an IAM role or user, one rule for every policy of the pack (policy/README.md,
 * "Naming roles and users"): by its IAM name, the name AWS shows in the console, in CloudTrail and
 * in ARNs; for a role or user this stack creates, followed by its Pulumi resource name (always, even
 * when the two are equal: it says the principal is the stack's, and leads to the code). When the IAM name is not known at preview (no `name`
 * input: the provider names it at deploy), by its Pulumi resource name alone: `role (Pulumi resource "r")`.
 */
import { PolicyResource } from "@pulumi/policy";
import { stringProp } from "./props";

export type PrincipalKind = "role" | "IAM user";

/** A role or user this stack does not create: its IAM name only. */
export function accountPrincipalLabel(kind: PrincipalKind, iamName: string): string {
  return `${kind} "${iamName}"`;
}

/**
 * A role or user of this stack (`resource`); `iamName` when the caller resolved it otherwise (e.g.
 * from a reference), else the resource's `name` input.
 */
export function stackPrincipalLabel(
  kind: PrincipalKind,
  resource: Pick<PolicyResource, "name" | "props">,
  iamName: string | undefined = stringProp(resource.props, "name"),
): string {
  return iamName === undefined || iamName === ""
    ? `${kind} (Pulumi resource "${resource.name}")`
    : `${kind} "${iamName}" (Pulumi resource "${resource.name}")`;
}
