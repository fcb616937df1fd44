import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AwsContext, iamRoleArn } from "./aws-context";
import { policyDocument, PolicyStatement, serviceTrustPolicy, toJson } from "./iam";
import { Tags } from "./tags";

export interface ServiceRoleArgs {
  /** Physical role name; deterministic, so the ARN is known at preview. */
  roleName: string;
  /** The service that assumes the role: `sagemaker`, `lambda`, `ec2`. */
  service: string;
  description: string;
  context: pulumi.Input<AwsContext>;
  /** The role's only permissions, as one inline policy named `least-privilege`. */
  statements: pulumi.Input<PolicyStatement[]>;
  /** Resources the statements name by literal ARN (a log group of the same component): the policy waits for them. */
  policyDependsOn?: pulumi.Resource[];
  tags?: Tags;
}

export interface ServiceRole {
  role: aws.iam.Role;
  policy: aws.iam.RolePolicy;
  /**
   * `arn:<partition>:iam::<account>:role/<roleName>`, known at preview (unlike `role.arn`), and tied
   * to the role (its URN is known at preview), so whatever takes it depends on the role.
   */
  arn: pulumi.Output<string>;
}

/**
 * A role one AWS service assumes on this account's behalf, with exactly one inline policy.
 * Children are `<name>-role` and `<name>-policy` under `parent`. Pass `arn` (with `dependsOn` on
 * `role` and `policy`) to whatever takes the role, so policies that read it see a known value.
 */
export function serviceRole(name: string, args: ServiceRoleArgs, parent: pulumi.Resource): ServiceRole {
  const ctx = pulumi.output(args.context);
  const role = new aws.iam.Role(
    `${name}-role`,
    {
      name: args.roleName,
      description: args.description,
      assumeRolePolicy: ctx.apply((c) => toJson(serviceTrustPolicy(c, args.service))),
      maxSessionDuration: 3600,
      tags: args.tags,
    },
    { parent },
  );
  const policy = new aws.iam.RolePolicy(
    `${name}-policy`,
    {
      // The known name, not role.name: the attachment stays judgeable at preview.
      role: args.roleName,
      name: "least-privilege",
      policy: pulumi.output(args.statements).apply((statements) => toJson(policyDocument(statements))),
    },
    { parent, dependsOn: [role, ...(args.policyDependsOn ?? [])] },
  );
  return { role, policy, arn: pulumi.all([ctx, role.urn]).apply(([c]) => iamRoleArn(c, args.roleName)) };
}
