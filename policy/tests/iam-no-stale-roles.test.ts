import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { GetAccountAuthorizationDetailsCommand, GetRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { mockClient } from "aws-sdk-client-mock";
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
  policyConfigErrors,
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

describe("where the verdict turns (boundaries, facts present but partial)", () => {
  /** The fixture export with `edit` applied, written to a temporary file. */
  const exportWith = (edit: (d: { RoleDetailList: Record<string, unknown>[] }) => void): string => {
    const d = JSON.parse(fs.readFileSync(AUTH, "utf8"));
    edit(d);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "stale-roles-")), "auth.json");
    fs.writeFileSync(file, JSON.stringify(d));
    return file;
  };

  test.each([
    // legacy-sagemaker-role was last used 2024-01-15, 1039 whole days before NOW.
    [1039, "legacy-sagemaker-role", 0],
    [1038, "legacy-sagemaker-role", 1],
    // never-used-old was created 2025-01-01 and never used: 688 days.
    [688, "never-used-old", 0],
    [687, "never-used-old", 1],
  ])("maxUnusedDays %i: %s reported %i time(s) (stale means strictly more days)", async (days, role, n) => {
    await client.configure({ [POLICY]: { inventoryFile: AUTH, maxUnusedDays: days } });
    const { v } = await check([notebook(roleArn(role))]);
    expect(v).toHaveLength(n);
    if (n) {
      expect(v[0].message).toContain(`more than maxUnusedDays ${days}`);
    }
  });

  test("a last use without a region shows the date alone", async () => {
    const file = exportWith((d) => {
      d.RoleDetailList[0].RoleLastUsed = { LastUsedDate: "2024-01-15T10:04:52+00:00" };
    });
    await client.configure({ [POLICY]: { inventoryFile: file } });
    const { v } = await check([notebook(roleArn("legacy-sagemaker-role"))]);
    expect(v.map((d) => d.message)).toEqual([
      expect.stringMatching(
        /was last used 1039 days ago \(2024-01-15\), more than maxUnusedDays 90 \(source: /,
      ),
    ]);
  });

  test("account scope: exemptRoleNames apply to the audit too", async () => {
    await client.configure({
      [POLICY]: { inventoryFile: AUTH, scope: "account", exemptRoleNames: ["LEGACY-sagemaker-role"] },
    });
    const { v } = await check([]);
    expect(v.map((d) => d.message.split("\n").pop())).toEqual([
      expect.stringMatching(
        /^account audit: .*"never-used-old" \(arn:aws:iam::111122223333:role\/never-used-old\) has no recorded use since it was created 688 days ago \(2025-01-01\), more than maxUnusedDays 90 \(source: offline authorization-details export .*\)\. Fix: delete it/,
      ),
    ]);
  });

  test.each([
    ["no account facts", {}, /no account facts: give an offline export/],
    [
      "a credential report only",
      { credentialReportFile: path.join(__dirname, "fixtures", "credential-report.csv") },
      /offline credential report .*credential-report\.csv has no role facts \(give an authorization-details export\)/,
    ],
  ])("account scope with %s: not checked, for the stack as a whole", async (_n, cfg, reason) => {
    await client.configure({ [POLICY]: { ...cfg, scope: "account" } });
    const { result } = await check([notebook(roleArn("legacy-sagemaker-role"))]);
    expect(result.diagnostics).toEqual([
      expect.objectContaining({ enforcementLevel: "advisory", urn: "", message: expect.any(String) }),
    ]);
    const message = result.diagnostics[0].message;
    expect(message.startsWith('not checked: the account\'s roles (scope "account"): ')).toBe(true);
    expect(message).toMatch(reason);
    await client.configure({ [POLICY]: { ...cfg, scope: "account", requireAccountFacts: true } });
    expect((await check([])).result.diagnostics.map((d) => d.enforcementLevel)).toEqual(["mandatory"]);
  });

  test("a credential report only, stack scope: each use is not checked for want of role facts", async () => {
    await client.configure({
      [POLICY]: { credentialReportFile: path.join(__dirname, "fixtures", "credential-report.csv") },
    });
    const { result } = await check([notebook(roleArn("legacy-sagemaker-role"))]);
    expect(notChecked(result, POLICY)).toEqual([
      expect.objectContaining({
        enforcementLevel: "advisory",
        urn: urnOf(T.sagemakerNotebookInstance, "notebook"),
        message: expect.stringMatching(/cannot be checked: .* has no role facts/),
      }),
    ]);
  });

  test("an untraced unknown reference stays advisory with requireAccountFacts (it is not a missing fact)", async () => {
    await client.configure({ [POLICY]: { inventoryFile: AUTH, requireAccountFacts: true } });
    const { result } = await check([notebook(UNKNOWN), notebook(roleArn("legacy-sagemaker-role"))]);
    expect(result.diagnostics.map((d) => [d.enforcementLevel, d.message.slice(0, 13)])).toEqual([
      ["advisory", "not checked: "],
      ["mandatory", expect.not.stringMatching(/^not checked: /)],
    ]);
  });

  test("a stack whose only role reference is untraced is not 'not applicable'", async () => {
    const direct = await runStackPolicy(
      makeIamNoStaleRoles(() => NOW),
      [notebook(UNKNOWN)],
      {
        inventoryFile: AUTH,
      },
    );
    expect(direct.notApplicable).toBeUndefined();
    expect(direct.reports).toEqual([
      expect.objectContaining({
        enforcementLevel: "advisory",
        urn: urnOf(T.sagemakerNotebookInstance, "notebook"),
        message: expect.stringMatching(/^not checked: roleArn of NotebookInstance "notebook": /),
      }),
    ]);
  });

  test("an unknown reference that comes from a resource of the stack is that resource's role: nothing to say", async () => {
    const direct = await runStackPolicy(
      makeIamNoStaleRoles(() => NOW),
      [
        { type: T.iamRole, name: "own", props: { assumeRolePolicy: "{}" } },
        { ...notebook(UNKNOWN), propertyDependencies: { roleArn: [urnOf(T.iamRole, "own")] } },
      ],
      { inventoryFile: AUTH },
    );
    expect(direct).toEqual({
      reports: [],
      notApplicable: "the stack uses no IAM role that it does not create",
    });
  });
});

describe("instance profiles the stack does not create", () => {
  const vm = (profile: unknown): TestResource => ({
    type: T.ec2Instance,
    name: "vm",
    props: { ami: "ami-123", instanceType: "t3.micro", iamInstanceProfile: profile },
  });

  test.each([
    ["by name", "legacy-trainer"],
    ["by ARN with a path", `arn:aws:iam::${ACCOUNT}:instance-profile/team/legacy-trainer`],
    ["by ARN", `arn:aws:iam::${ACCOUNT}:instance-profile/legacy-trainer`],
  ])("%s: judged by the roles it holds", async (_n, ref) => {
    const { v } = await check([vm(ref)]);
    expect(v).toEqual([
      expect.objectContaining({
        urn: urnOf(T.ec2Instance, "vm"),
        enforcementLevel: "mandatory",
        message: expect.stringMatching(
          /"legacy-sagemaker-role" \(in instance profile "legacy-trainer", iamInstanceProfile of Instance "vm"\) is not created by this stack and was last used 1039 days ago/,
        ),
      }),
    ]);
  });

  test("a role in the profile that is exempt is not reported", async () => {
    await client.configure({ [POLICY]: { inventoryFile: AUTH, exemptRoleNames: ["legacy-sagemaker-role"] } });
    expect((await check([vm("legacy-trainer")])).result.diagnostics).toEqual([]);
  });

  test("exemptRoleNames names roles: a profile of that name is still judged by its roles", async () => {
    await client.configure({ [POLICY]: { inventoryFile: AUTH, exemptRoleNames: ["legacy-trainer"] } });
    expect((await check([vm("legacy-trainer")])).v.map((d) => d.urn)).toEqual([urnOf(T.ec2Instance, "vm")]);
  });

  test("a profile whose roles were used recently enough is clean", async () => {
    await client.configure({ [POLICY]: { inventoryFile: AUTH, maxUnusedDays: 1039 } });
    expect((await check([vm("legacy-trainer")])).result.diagnostics).toEqual([]);
  });

  test("a profile that is not in the account is a violation naming it", async () => {
    const { v } = await check([vm("no-such-profile")]);
    expect(v).toEqual([
      expect.objectContaining({
        urn: urnOf(T.ec2Instance, "vm"),
        message: expect.stringMatching(
          /"no-such-profile" \(iamInstanceProfile of Instance "vm"\) is not in the account according to offline authorization-details export .*\. Fix: create the instance profile and its role in this stack/,
        ),
      }),
    ]);
  });

  test("without account facts the profile's use is not checked, naming the profile and the resource", async () => {
    await client.configure();
    const { result } = await check([vm("legacy-trainer")]);
    expect(notChecked(result, POLICY)).toEqual([
      expect.objectContaining({
        urn: urnOf(T.ec2Instance, "vm"),
        message: expect.stringMatching(
          /"legacy-trainer" \(iamInstanceProfile of Instance "vm"\) is not created by this stack, and when it was last used cannot be checked: no account facts/,
        ),
      }),
    ]);
  });

  test.each([
    [
      "a profile the stack creates",
      [{ type: T.iamInstanceProfile, name: "p", props: { name: "legacy-trainer" } }],
    ],
    ["a role ARN is no instance profile", []],
    ["an invalid name", []],
  ])("not a use: %s", async (name, more) => {
    const ref =
      name === "a role ARN is no instance profile"
        ? roleArn("legacy-sagemaker-role")
        : name === "an invalid name"
          ? "legacy trainer"
          : "legacy-trainer";
    const direct = await runStackPolicy(
      makeIamNoStaleRoles(() => NOW),
      [vm(ref), ...more],
      {
        inventoryFile: AUTH,
      },
    );
    expect(direct).toEqual({
      reports: [],
      notApplicable: "the stack uses no IAM role that it does not create",
    });
  });

  test("an instance profile of the stack with the name of an existing role does not make that role the stack's", async () => {
    const { v } = await check([
      { type: T.iamRole, name: "own", props: { assumeRolePolicy: "{}" } },
      {
        type: T.iamInstanceProfile,
        name: "p",
        props: { name: "legacy-sagemaker-role", role: UNKNOWN },
        propertyDependencies: { role: [urnOf(T.iamRole, "own")] },
      },
      notebook(roleArn("legacy-sagemaker-role")),
    ]);
    expect(v.map((d) => d.urn)).toEqual([urnOf(T.sagemakerNotebookInstance, "notebook")]);
  });
});

describe("iam:PassRole grants in every document the stack declares", () => {
  const pass = (Statement: unknown[]) => ({ Version: "2012-10-17", Statement });
  const passOn = (Resource: unknown, Action: unknown = "iam:PassRole") =>
    pass([{ Effect: "Allow", Action, Resource }]);
  const stale = roleArn("legacy-sagemaker-role");

  test.each([
    [T.iamPolicy, { policy: passOn(stale) }, "policy"],
    [T.iamUserPolicy, { user: "u", policy: JSON.stringify(passOn(stale)) }, "policy"],
    [T.iamGroupPolicy, { group: "g", policy: passOn(stale) }, "policy"],
    [
      T.iamRole,
      { assumeRolePolicy: "{}", inlinePolicies: [{ name: "i", policy: JSON.stringify(passOn(stale)) }] },
      "inlinePolicies",
    ],
    [
      T.ssoadminPermissionSetInlinePolicy,
      { instanceArn: "arn:aws:sso:::instance/ssoins-1", permissionSetArn: "ps", inlinePolicy: passOn(stale) },
      "inlinePolicy",
    ],
  ])("%s", async (type, props, _p) => {
    const { v } = await check([{ type, name: "doc", props }]);
    expect(v).toEqual([
      expect.objectContaining({
        urn: urnOf(type, "doc"),
        message: expect.stringMatching(
          new RegExp(`"legacy-sagemaker-role" \\(iam:PassRole resource of ${type.split(":").pop()} "doc"\\)`),
        ),
      }),
    ]);
  });

  test("iam:* grants PassRole; every role of the list is a use, each reported", async () => {
    const { v } = await check([
      {
        type: T.iamPolicy,
        name: "p",
        props: { policy: passOn([stale, roleArn("never-used-old")], ["s3:GetObject", "iam:*"]) },
      },
    ]);
    expect(v.map((d) => d.message.match(/"([^"]+)" \(iam:PassRole/)![1])).toEqual([
      "legacy-sagemaker-role",
      "never-used-old",
    ]);
  });

  test.each([
    ["another action", passOn(stale, ["s3:GetObject", "iam:GetRole"])],
    [
      "NotAction (no single action is named)",
      pass([{ Effect: "Allow", NotAction: "s3:*", Resource: stale }]),
    ],
    ["a role pattern with ?", passOn(`arn:aws:iam::${ACCOUNT}:role/legacy-sagemaker-rol?`)],
    ["a bare name (not an ARN)", passOn("legacy-sagemaker-role")],
    ["NotResource", pass([{ Effect: "Allow", Action: "iam:PassRole", NotResource: stale }])],
    ["a document that does not parse", "{ not json"],
    ["a document unknown at preview", UNKNOWN],
  ])("not a use of the role: %s", async (_n, policy) => {
    const direct = await runStackPolicy(
      makeIamNoStaleRoles(() => NOW),
      [{ type: T.iamPolicy, name: "p", props: { policy } }],
      { inventoryFile: AUTH },
    );
    expect(direct).toEqual({
      reports: [],
      notApplicable: "the stack uses no IAM role that it does not create",
    });
  });

  test("an unknown PassRole target from no resource of the stack is not checked; the known one is judged", async () => {
    const { result } = await check([
      { type: T.iamPolicy, name: "p", props: { policy: passOn([UNKNOWN, stale]) } },
    ]);
    expect(result.diagnostics).toEqual([
      expect.objectContaining({
        enforcementLevel: "advisory",
        urn: urnOf(T.iamPolicy, "p"),
        message: expect.stringMatching(
          /^not checked: iam:PassRole resource of Policy "p": the role reference is unknown at preview .*it comes from no resource of this stack/,
        ),
      }),
      expect.objectContaining({
        enforcementLevel: "mandatory",
        urn: urnOf(T.iamPolicy, "p"),
        message: expect.stringMatching(/"legacy-sagemaker-role" \(iam:PassRole resource of Policy "p"\)/),
      }),
    ]);
  });

  test("an unknown PassRole target that comes from a resource of the stack is the stack's own role", async () => {
    const { result } = await check([
      { type: T.iamRole, name: "own", props: { assumeRolePolicy: "{}" } },
      {
        type: T.iamPolicy,
        name: "p",
        props: { policy: pass([{ Effect: "Allow", Action: ["iam:PassRole"], Resource: UNKNOWN }]) },
        propertyDependencies: { policy: [urnOf(T.iamRole, "own")] },
      },
    ]);
    expect(result.diagnostics).toEqual([]);
  });

  test("a role reference that is not a string is no reference", async () => {
    const direct = await runStackPolicy(
      makeIamNoStaleRoles(() => NOW),
      [{ type: T.lambdaFunction, name: "fn", props: { role: 42 } }],
      { inventoryFile: AUTH },
    );
    expect(direct.notApplicable).toBe("the stack uses no IAM role that it does not create");
  });

  test("a resource that names one role twice (property and PassRole) is reported once", async () => {
    const { v } = await check([
      {
        type: T.iamRolePolicy,
        name: "rp",
        props: { role: "legacy-sagemaker-role", policy: JSON.stringify(passOn(stale)) },
      },
    ]);
    expect(v.map((d) => d.urn)).toEqual([urnOf(T.iamRolePolicy, "rp")]);
  });
});

describe("a live account that fails to answer (AWS SDK v3, mocked client)", () => {
  const iam = mockClient(IAMClient);
  const LIVE_ENV = { AWS_ACCESS_KEY_ID: "AKIAEXAMPLE", AWS_SECRET_ACCESS_KEY: "x" };
  beforeEach(async () => {
    Object.assign(process.env, LIVE_ENV);
    await client.configure();
  });
  afterEach(() => {
    iam.reset();
    for (const k of Object.keys(LIVE_ENV)) {
      delete process.env[k];
    }
  });
  const denied = () =>
    Object.assign(new Error("not authorized to perform iam:GetRole"), { name: "AccessDenied" });
  const details = (roles: { name: string; profile?: string }[]) => ({
    IsTruncated: false,
    RoleDetailList: roles.map((r) => ({
      RoleName: r.name,
      Arn: roleArn(r.name),
      Path: "/",
      CreateDate: new Date("2023-01-01T00:00:00Z"),
      InstanceProfileList: r.profile
        ? [
            {
              InstanceProfileName: r.profile,
              InstanceProfileId: "AIPAEXAMPLE",
              Arn: `arn:aws:iam::${ACCOUNT}:instance-profile/${r.profile}`,
              Path: "/",
              CreateDate: new Date("2023-01-01T00:00:00Z"),
              Roles: [],
            },
          ]
        : [],
    })),
  });

  test("a failed GetRole is not checked for that use, naming the call's error", async () => {
    iam.on(GetAccountAuthorizationDetailsCommand).resolves(details([]));
    iam.on(GetRoleCommand).rejects(denied());
    const { result } = await check([notebook(roleArn("legacy-sagemaker-role"))]);
    expect(result.diagnostics).toEqual([
      expect.objectContaining({
        enforcementLevel: "advisory",
        urn: urnOf(T.sagemakerNotebookInstance, "notebook"),
        message: expect.stringMatching(
          /^not checked: .*"legacy-sagemaker-role" \(roleArn of NotebookInstance "notebook"\): live AWS account via the AWS SDK .* failed: not authorized to perform iam:GetRole\.$/,
        ),
      }),
    ]);
    await client.configure({ [POLICY]: { requireAccountFacts: true } });
    expect((await check([notebook(roleArn("legacy-sagemaker-role"))])).result.diagnostics).toEqual([
      expect.objectContaining({
        enforcementLevel: "mandatory",
        message: expect.stringMatching(/^not checked: /),
      }),
    ]);
  });

  test("account scope: a failed listing is not checked for the stack as a whole", async () => {
    iam.on(GetAccountAuthorizationDetailsCommand).rejects(denied());
    await client.configure({ [POLICY]: { scope: "account" } });
    expect((await check([])).result.diagnostics).toEqual([
      expect.objectContaining({
        enforcementLevel: "advisory",
        urn: "",
        message: expect.stringMatching(
          /^not checked: the account's roles \(scope "account"\): live AWS account via the AWS SDK .* failed: .*not authorized/,
        ),
      }),
    ]);
  });

  test("a role of an instance profile that GetRole does not find is not judged stale", async () => {
    iam.on(GetAccountAuthorizationDetailsCommand).resolves(details([{ name: "ghost", profile: "haunted" }]));
    iam
      .on(GetRoleCommand)
      .rejects(Object.assign(new Error("no such role"), { name: "NoSuchEntityException" }));
    const { result } = await check([
      { type: T.ec2Instance, name: "vm", props: { iamInstanceProfile: "haunted" } },
    ]);
    expect(result.diagnostics).toEqual([]);
  });

  test("each role is looked up once, however many resources use it", async () => {
    iam.on(GetAccountAuthorizationDetailsCommand).resolves(details([]));
    iam.on(GetRoleCommand).resolves({
      Role: {
        RoleName: "legacy-sagemaker-role",
        Arn: roleArn("legacy-sagemaker-role"),
        Path: "/",
        RoleId: "AROA",
        CreateDate: new Date("2023-01-01T00:00:00Z"),
        RoleLastUsed: { LastUsedDate: new Date("2024-01-15T10:04:52Z"), Region: "us-east-1" },
      },
    });
    const { v } = await check([
      notebook(roleArn("legacy-sagemaker-role")),
      { type: T.lambdaFunction, name: "fn", props: { role: "Legacy-SageMaker-Role" } },
    ]);
    expect(v.map((d) => d.urn)).toEqual([
      urnOf(T.sagemakerNotebookInstance, "notebook"),
      urnOf(T.lambdaFunction, "fn"),
    ]);
    expect(iam.commandCalls(GetRoleCommand)).toHaveLength(1);
  });
});

describe("what the policy publishes", () => {
  test("mandatory and high by default; the config schema rejects values the policy cannot use", () => {
    const policy = makeIamNoStaleRoles();
    expect([policy.name, policy.enforcementLevel, policy.severity]).toEqual([
      "iam-no-stale-roles",
      "mandatory",
      "high",
    ]);
    const check = policyConfigErrors(policy);
    expect(
      check({ maxUnusedDays: 30, scope: "account", exemptRoleNames: ["a"], requireAccountFacts: true }),
    ).toEqual([]);
    expect(check({ maxUnusedDays: 0, scope: "org", exemptRoleNames: "a" })).toEqual([
      "iam-no-stale-roles: maxUnusedDays should be >= 1",
      'iam-no-stale-roles: scope should be equal to one of the allowed values ("stack", "account")',
      "iam-no-stale-roles: exemptRoleNames should be array",
    ]);
    expect(check({ maxUnusedDays: 1.5 })).toEqual(["iam-no-stale-roles: maxUnusedDays should be integer"]);
  });
});
