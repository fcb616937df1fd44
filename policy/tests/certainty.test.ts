/**
 * Certainty survives unknowns (issue 9, item 2): one value unknown at preview never erases a
 * finding that is already certain, and "could not check" is reported only for the verdicts that
 * depend on the unknown value. Each case here failed open before: the certain finding was lost.
 */
import * as path from "path";
import { clearInventoryCache } from "../lib/inventory";
import { T } from "../lib/resource-types";
import { allPolicies } from "../policies";
import {
  PackClient,
  TestResource,
  UNKNOWN,
  findingsOf,
  startInProcessAnalyzer,
  unchecked,
  urnOf,
} from "./util";

const AUTH = path.join(__dirname, "fixtures", "authorization-details.json");
const NOW = new Date("2026-11-20T00:00:00Z");

let client: PackClient;
let stop: () => void;
beforeAll(async () => {
  ({ client, stop } = await startInProcessAnalyzer(allPolicies({ now: () => NOW })));
});
afterAll(() => stop());
beforeEach(async () => {
  clearInventoryCache();
  await client.configure({
    "iam-no-stale-roles": { inventoryFile: AUTH },
    "iam-require-mfa": { checkAccount: false },
  });
});

const doc = (...Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });

test("Statement[1] with an unknown Resource does not hide Statement[0]'s sagemaker:* on *", async () => {
  const policy: TestResource = {
    type: T.iamPolicy,
    name: "mixed",
    props: {
      policy: {
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Action: "sagemaker:*", Resource: "*" },
          { Effect: "Allow", Action: "sagemaker:InvokeEndpoint", Resource: UNKNOWN },
        ],
      },
    },
  };
  const result = await client.preview([policy]);
  const v = findingsOf(result, "sagemaker-no-wildcard-permissions");
  expect(v).toHaveLength(1);
  expect(v[0]).toMatchObject({ enforcementLevel: "mandatory", urn: urnOf(T.iamPolicy, "mixed") });
  expect(v[0].message).toMatch(/Statement\[0\]: Action "sagemaker:\*"/);
  // Statement[1] really depends on the unknown Resource: that part is "could not check".
  const u = unchecked(result).filter((d) => d.policyName === "sagemaker-no-wildcard-permissions");
  expect(u).toHaveLength(1);
  expect(u[0].enforcementLevel).toBe("advisory");
  expect(u[0].message).toMatch(/Statement\[1\]|Statement\.1|\.policy/);
});

test("a Role's unknown inline policy does not hide AdministratorAccess in managedPolicyArns", async () => {
  const role: TestResource = {
    type: T.iamRole,
    name: "app",
    props: {
      assumeRolePolicy: doc({
        Effect: "Allow",
        Principal: { Service: "lambda.amazonaws.com" },
        Action: "sts:AssumeRole",
      }),
      inlinePolicies: [{ name: "data", policy: UNKNOWN }],
      managedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"],
    },
  };
  const result = await client.preview([role]);
  const v = findingsOf(result, "sagemaker-no-wildcard-permissions");
  expect(v).toHaveLength(1);
  expect(v[0].message).toMatch(/managedPolicyArns\[0\]: attaches the AWS-managed policy AdministratorAccess/);
  expect(unchecked(result).map((d) => d.policyName)).toEqual(["sagemaker-no-wildcard-permissions"]);
});

test("a PolicyAttachment whose roles list holds the stack's own role still judges the literal stale role", async () => {
  const ownRole: TestResource = {
    type: T.iamRole,
    name: "own",
    props: {
      assumeRolePolicy: doc({
        Effect: "Allow",
        Principal: { Service: "sagemaker.amazonaws.com" },
        Action: "sts:AssumeRole",
      }),
    },
  };
  const attach: TestResource = {
    type: T.iamPolicyAttachment,
    name: "shared",
    props: {
      policyArn: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
      roles: [UNKNOWN, "legacy-sagemaker-role"],
    },
    propertyDependencies: { roles: [urnOf(T.iamRole, "own")] },
  };
  const result = await client.preview([ownRole, attach]);
  const v = findingsOf(result, "iam-no-stale-roles");
  expect(v).toHaveLength(1);
  expect(v[0].message).toMatch(/role "legacy-sagemaker-role" \(roles of PolicyAttachment "shared"\)/);
  expect(v[0].urn).toBe(urnOf(T.iamPolicyAttachment, "shared"));
});

test("one unrelated policy with an unknown document does not switch off the console-user MFA check", async () => {
  const result = await client.preview([
    { type: T.iamUser, name: "alice", props: { name: "alice" } },
    {
      type: T.iamUserLoginProfile,
      name: "alice-login",
      props: { user: "alice" },
      propertyDependencies: { user: [urnOf(T.iamUser, "alice")] },
    },
    // Bob's policy is built from a bucket ARN, unknown at preview; it applies to bob only.
    { type: T.iamUser, name: "bob", props: { name: "bob" } },
    { type: T.iamUserPolicy, name: "bob-data", props: { user: "bob", policy: UNKNOWN } },
  ]);
  const v = findingsOf(result, "iam-require-mfa");
  expect(v).toHaveLength(1);
  expect(v[0].message).toMatch(/IAM user "alice" has console access/);
  expect(v[0].urn).toBe(urnOf(T.iamUser, "alice"));
  expect(unchecked(result).filter((d) => d.policyName === "iam-require-mfa")).toEqual([]);
});
