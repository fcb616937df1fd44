import * as path from "path";
import { clearInventoryCache } from "../lib/inventory";
import { T } from "../lib/resource-types";
import { makeIamNoStaleRoles } from "../policies/iam-no-stale-roles";
import { AnalyzerClient, TestResource, UNKNOWN, startInProcessAnalyzer, urnOf, violationsOf } from "./util";

const POLICY = "iam-no-stale-roles";
const AUTH = path.join(__dirname, "fixtures", "authorization-details.json");
const ACCOUNT = "111122223333";
const NOW = new Date("2026-11-20T00:00:00Z");
const roleArn = (name: string, account = ACCOUNT) => `arn:aws:iam::${account}:role/${name}`;

let client: AnalyzerClient;
let stop: () => void;

beforeAll(async () => {
  ({ client, stop } = await startInProcessAnalyzer([makeIamNoStaleRoles(() => NOW)]));
});
afterAll(() => stop());
beforeEach(async () => {
  clearInventoryCache();
  await client.configure({ [POLICY]: { inventoryFile: AUTH } });
});

async function check(resources: TestResource[]) {
  const result = await client.analyzeStack(resources);
  return { result, v: violationsOf(result, POLICY) };
}

const notebook = (role: unknown): TestResource => ({
  type: T.sagemakerNotebookInstance,
  name: "notebook",
  props: { instanceType: "ml.t3.medium", roleArn: role },
});

describe("violations: roles used but not created, unused too long", () => {
  const cases: [string, TestResource[], RegExp][] = [
    [
      "notebook roleArn, last used long ago",
      [notebook(roleArn("legacy-sagemaker-role"))],
      /role "legacy-sagemaker-role" \(roleArn of NotebookInstance "notebook"\) .* was last used 1039 days ago \(2024-01-15, us-east-1\), more than maxUnusedDays 90/,
    ],
    [
      "Lambda role never used since creation",
      [{ type: T.lambdaFunction, name: "fn", props: { role: roleArn("never-used-old") } }],
      /role "never-used-old" \(role of Function "fn"\) .* has no recorded use since it was created 688 days ago/,
    ],
    [
      "training job roleArn",
      [
        {
          type: T.sagemakerTrainingJob,
          name: "train",
          props: { roleArn: roleArn("legacy-sagemaker-role"), trainingJobName: "t" },
        },
      ],
      /roleArn of TrainingJob "train"/,
    ],
    [
      "model executionRoleArn",
      [
        {
          type: T.sagemakerModel,
          name: "model",
          props: { executionRoleArn: roleArn("legacy-sagemaker-role") },
        },
      ],
      /executionRoleArn of Model "model"/,
    ],
    [
      "instance profile by role name",
      [{ type: T.iamInstanceProfile, name: "profile", props: { role: "never-used-old" } }],
      /role "never-used-old" \(role of InstanceProfile "profile"\)/,
    ],
    [
      "tuning job definition roleArn",
      [
        {
          type: T.sagemakerHyperParameterTuningJob,
          name: "hpo",
          props: { name: "hpo", trainingJobDefinition: { roleArn: roleArn("legacy-sagemaker-role") } },
        },
      ],
      /trainingJobDefinition\.roleArn of HyperParameterTuningJob "hpo"/,
    ],
    [
      "iam:PassRole statement",
      [
        {
          type: T.iamRolePolicy,
          name: "pass",
          props: {
            role: UNKNOWN,
            policy: JSON.stringify({
              Version: "2012-10-17",
              Statement: [{ Effect: "Allow", Action: "iam:PassRole", Resource: roleArn("never-used-old") }],
            }),
          },
        },
      ],
      /iam:PassRole resource of RolePolicy "pass"/,
    ],
    [
      "attaching a policy to an existing stale role",
      [
        {
          type: T.iamRolePolicyAttachment,
          name: "attach",
          props: { role: "legacy-sagemaker-role", policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" },
        },
      ],
      /role of RolePolicyAttachment "attach"/,
    ],
    [
      "a role that is not in the account",
      [notebook(roleArn("typo-role"))],
      /role "typo-role" .* is not in the account according to offline authorization-details export/,
    ],
  ];
  test.each(cases)("%s", async (_name, resources, message) => {
    const { v } = await check(resources);
    expect(v).toHaveLength(1);
    expect(v[0].enforcementLevel).toBe("mandatory");
    expect(v[0].severity).toBe("high");
    expect(v[0].message).toMatch(message);
    expect(v[0].message).toMatch(/Fix: /);
    expect(v[0].urn).toBe(urnOf(resources[0].type, resources[0].name!));
  });

  test("the message names the offline source", async () => {
    const { v } = await check([notebook(roleArn("legacy-sagemaker-role"))]);
    expect(v[0].message).toContain(`source: offline authorization-details export ${AUTH}`);
  });

  test("maxUnusedDays from config", async () => {
    await client.configure({ [POLICY]: { inventoryFile: AUTH, maxUnusedDays: 10 } });
    const { v } = await check([notebook(roleArn("service-role/recent-role"))]);
    expect(v[0].message).toMatch(/was last used 18 days ago .* more than maxUnusedDays 10/);
  });

  test("account scope audits every role except service-linked ones", async () => {
    await client.configure({ [POLICY]: { inventoryFile: AUTH, scope: "account" } });
    const { v } = await check([]);
    expect(v.map((d) => d.message.match(/role "([^"]+)"/)![1])).toEqual([
      "legacy-sagemaker-role",
      "never-used-old",
    ]);
    expect(v[0].message).toMatch(/^.*\naccount audit: role "legacy-sagemaker-role"/);
    expect(v[0].urn).toBe("");
  });

  test("the inventory can come from the environment", async () => {
    process.env.ML_PLATFORM_IAM_INVENTORY = AUTH;
    try {
      await client.configure();
      const { v } = await check([notebook(roleArn("legacy-sagemaker-role"))]);
      expect(v).toHaveLength(1);
    } finally {
      delete process.env.ML_PLATFORM_IAM_INVENTORY;
    }
  });
});

describe("clean", () => {
  const createdRole: TestResource = {
    type: T.iamRole,
    name: "notebook-role",
    props: { name: "ml-platform-dev-notebook", assumeRolePolicy: "{}" },
  };
  const cases: [string, TestResource[]][] = [
    [
      "role created in the stack, referenced by its known ARN",
      [createdRole, notebook(roleArn("ml-platform-dev-notebook"))],
    ],
    ["role created in the stack, ARN unknown during preview", [createdRole, notebook(UNKNOWN)]],
    ["recently used role", [notebook(roleArn("service-role/recent-role"))]],
    [
      "young role never used yet",
      [{ type: T.lambdaFunction, name: "fn", props: { role: roleArn("never-used-new") } }],
    ],
    [
      "another account's role is not judged with this account's facts",
      [notebook(roleArn("legacy-sagemaker-role", "444455556666"))],
    ],
    [
      "PassRole on a wildcard is not one role",
      [
        {
          type: T.iamPolicy,
          name: "p",
          props: {
            policy: {
              Version: "2012-10-17",
              Statement: [
                { Effect: "Allow", Action: "iam:PassRole", Resource: `arn:aws:iam::${ACCOUNT}:role/ml-*` },
              ],
            },
          },
        },
      ],
    ],
    [
      "Deny PassRole does not use a role",
      [
        {
          type: T.iamPolicy,
          name: "p",
          props: {
            policy: {
              Version: "2012-10-17",
              Statement: [
                { Effect: "Deny", Action: "iam:PassRole", Resource: roleArn("legacy-sagemaker-role") },
              ],
            },
          },
        },
      ],
    ],
    [
      "service principals and non-role ARNs are not role references",
      [{ type: T.lambdaFunction, name: "fn", props: { role: `arn:aws:iam::${ACCOUNT}:user/alice` } }],
    ],
  ];
  test.each(cases)("%s", async (_name, resources) => {
    const { v } = await check(resources);
    expect(v).toEqual([]);
  });

  test("exemptRoleNames", async () => {
    await client.configure({ [POLICY]: { inventoryFile: AUTH, exemptRoleNames: ["Legacy-SageMaker-Role"] } });
    const { result } = await check([notebook(roleArn("legacy-sagemaker-role"))]);
    expect(result.diagnostics).toEqual([]);
    expect(result.notApplicable[0].reason).toBe("the stack uses no IAM role that it does not create");
  });

  test("no account facts: not applicable, with the reason and the roles it could not check", async () => {
    await client.configure();
    const { result } = await check([notebook(roleArn("legacy-sagemaker-role"))]);
    expect(result.diagnostics).toEqual([]);
    expect(result.notApplicable).toEqual([
      {
        policyName: POLICY,
        reason: expect.stringMatching(/^cannot check roles "legacy-sagemaker-role": no account facts/),
      },
    ]);
  });

  test("a malformed export: not applicable, naming the file", async () => {
    await client.configure({
      [POLICY]: { inventoryFile: path.join(__dirname, "fixtures", "credential-report.csv") },
    });
    const { result } = await check([notebook(roleArn("legacy-sagemaker-role"))]);
    expect(result.diagnostics).toEqual([]);
    expect(result.notApplicable[0].reason).toMatch(/credential-report\.csv: not valid JSON/);
  });
});
