import * as path from "path";
import { clearInventoryCache } from "../lib/inventory";
import { T } from "../lib/resource-types";
import { ROLE_REFERENCES } from "../lib/role-references";
import { makeIamNoStaleRoles } from "../policies/iam-no-stale-roles";
import {
  PackClient,
  TestResource,
  UNKNOWN,
  notChecked,
  runStackPolicy,
  startInProcessAnalyzer,
  urnOf,
  violationsOf,
} from "./util";

const POLICY = "iam-no-stale-roles";
const AUTH = path.join(__dirname, "fixtures", "authorization-details.json");
const ACCOUNT = "111122223333";
const NOW = new Date("2026-11-20T00:00:00Z");
const roleArn = (name: string, account = ACCOUNT) => `arn:aws:iam::${account}:role/${name}`;

let client: PackClient;
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
          propertyDependencies: { role: [urnOf(T.iamRole, "own")] },
          props: {
            role: UNKNOWN,
            policy: JSON.stringify({
              Version: "2012-10-17",
              Statement: [{ Effect: "Allow", Action: "iam:PassRole", Resource: roleArn("never-used-old") }],
            }),
          },
        },
        { type: T.iamRole, name: "own", props: { assumeRolePolicy: "{}" } },
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
    [
      "role created in the stack, ARN unknown during preview",
      [
        createdRole,
        { ...notebook(UNKNOWN), propertyDependencies: { roleArn: [urnOf(T.iamRole, "notebook-role")] } },
      ],
    ],
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
    const direct = await runStackPolicy(
      makeIamNoStaleRoles(() => NOW),
      [notebook(roleArn("legacy-sagemaker-role"))],
      { inventoryFile: AUTH, exemptRoleNames: ["Legacy-SageMaker-Role"] },
    );
    expect(direct.notApplicable).toBe("the stack uses no IAM role that it does not create");
  });
});

describe("could not check", () => {
  test("no account facts: each use is not checked (advisory), naming the role, the resource and the remedy", async () => {
    await client.configure();
    const { result } = await check([notebook(roleArn("legacy-sagemaker-role"))]);
    expect(result.diagnostics).toEqual([
      expect.objectContaining({
        enforcementLevel: "advisory",
        urn: urnOf(T.sagemakerNotebookInstance, "notebook"),
        message: expect.stringMatching(
          /^not checked: role "legacy-sagemaker-role" \(roleArn of NotebookInstance "notebook"\) is not created by this stack, and when it was last used cannot be checked: no account facts: give an offline export/,
        ),
      }),
    ]);
  });

  test("requireAccountFacts: true makes it a violation at the policy's level, still prefixed", async () => {
    await client.configure({ [POLICY]: { requireAccountFacts: true } });
    const { result } = await check([notebook(roleArn("legacy-sagemaker-role"))]);
    expect(result.diagnostics.map((d) => [d.enforcementLevel, d.message.slice(0, 13)])).toEqual([
      ["mandatory", "not checked: "],
    ]);
  });

  test("an unknown reference that comes from no resource of the stack (an unanswered getRole) is not checked", async () => {
    const { result } = await check([notebook(UNKNOWN)]);
    expect(notChecked(result, POLICY).map((d) => d.message)).toEqual([
      expect.stringMatching(
        /^not checked: roleArn of NotebookInstance "notebook": the role reference is unknown/,
      ),
    ]);
  });

  test.each([
    [
      "a malformed export (not JSON)",
      path.join(__dirname, "fixtures", "credential-report.csv"),
      /credential-report\.csv:1: not valid JSON/,
    ],
    [
      "a missing file",
      path.join(__dirname, "fixtures", "no-such-export.json"),
      /no-such-export\.json: cannot be read \(no such file, ENOENT\)/,
    ],
  ])("%s is an error naming the file, whether or not the stack uses a role", async (_n, file, message) => {
    await client.configure({ [POLICY]: { inventoryFile: file } });
    await expect(check([notebook(roleArn("legacy-sagemaker-role"))])).rejects.toThrow(message);
    await expect(check([])).rejects.toThrow(message);
  });
});

describe("every role-taking property, every resource that uses a stale role", () => {
  test("two resources on one stale role: both reported, each at its own resource", async () => {
    const { v } = await check([
      notebook(roleArn("legacy-sagemaker-role")),
      { type: T.lambdaFunction, name: "fn", props: { role: "legacy-sagemaker-role" } },
    ]);
    expect(v.map((d) => d.urn)).toEqual([
      urnOf(T.sagemakerNotebookInstance, "notebook"),
      urnOf(T.lambdaFunction, "fn"),
    ]);
  });

  /** Props with `value` placed at `path` (lists get one element). */
  const at = (path: readonly string[], value: unknown): Record<string, unknown> => {
    const build = (i: number): unknown =>
      i === path.length ? value : path[i] === "[]" ? [build(i + 1)] : { [path[i]]: build(i + 1) };
    return build(0) as Record<string, unknown>;
  };
  const cases = Object.entries(ROLE_REFERENCES).flatMap(([type, refs]) =>
    refs.map((ref) => [type, ref.path.join("."), ref] as const),
  );
  test.each(cases)("%s %s", async (type, _p, ref) => {
    const value = ref.kind === "role" ? roleArn("legacy-sagemaker-role") : "legacy-trainer";
    const { v } = await check([{ type, name: "user", props: at(ref.path, value) }]);
    expect(v).toHaveLength(1);
    expect(v[0].urn).toBe(urnOf(type, "user"));
    expect(v[0].message).toMatch(/role "legacy-sagemaker-role" .*was last used 1039 days ago/);
    if (ref.kind === "instanceProfile") {
      expect(v[0].message).toMatch(/in instance profile "legacy-trainer"/);
    }
  });
});
