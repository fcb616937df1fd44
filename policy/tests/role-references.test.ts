/**
 * The one table of role-taking properties (lib/role-references.ts) against the argument types of
 * the installed @pulumi/aws: every role-like property of the resources in the pack's scope is in
 * the table or listed as not a role reference, and every path in the table exists.
 */
import { NOT_ROLE_REFERENCES, ROLE_REFERENCES } from "../lib/role-references";
import { argumentPaths, resourceTokens } from "./aws-types";

/** The modules in the pack's scope: SageMaker, Lambda, EC2, Batch, ECS, Step Functions, EventBridge, Auto Scaling, IAM. */
const SCOPE = /^aws:(sagemaker|lambda|batch|ecs|sfn|cloudwatch|scheduler|pipes|ec2|appautoscaling|iam)\//;
const ROLE_LIKE = /role|profile/i;

const inScope = resourceTokens().filter((t) => SCOPE.test(t));
const show = (path: readonly string[]) => path.join(".").replace(/\.\[\]/g, "[]");

test.each(inScope)("%s: every role-like argument is in the table or explained", (token) => {
  const covered = (ROLE_REFERENCES[token] ?? []).map((r) => show(r.path));
  const missing = argumentPaths(token, ROLE_LIKE).filter(
    (p) =>
      !covered.some((c) => c === p || c.startsWith(`${p}.`)) &&
      !Object.keys(NOT_ROLE_REFERENCES).some(
        (k) =>
          k === `${token} ${p}` || `${token} ${p}`.startsWith(`${k}.`) || `${token} ${p}`.startsWith(`${k}[`),
      ),
  );
  expect(missing).toEqual([]);
});

test.each(Object.entries(ROLE_REFERENCES))("%s: every path in the table is an argument", (token, refs) => {
  const paths = argumentPaths(token, /./);
  for (const r of refs) {
    expect(paths).toContain(show(r.path));
  }
});
