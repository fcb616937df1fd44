/** The reviewed list of AWS-managed policies that grant SageMaker wildcards (data/aws-managed-wildcard-policies.json). */
import list from "../data/aws-managed-wildcard-policies.json";
import { awsManagedPolicyPath } from "./arn";

export interface WildcardManagedPolicy {
  readonly name: string;
  readonly path: string;
  /** The broadest grant found in its default version, for the message. */
  readonly grants: string;
}

// AWS-managed policy names are unique across paths, so the name alone identifies the policy.
const BY_NAME = new Map<string, WildcardManagedPolicy>(list.policies.map((p) => [p.name, p]));

/** The list entry for an AWS-managed policy ARN (any partition), or undefined if it is not on the list. */
export function wildcardManagedPolicy(arn: string): WildcardManagedPolicy | undefined {
  const path = awsManagedPolicyPath(arn.trim());
  if (!path) {
    return undefined;
  }
  const name = path.split("/").pop() ?? path;
  return BY_NAME.get(name);
}
