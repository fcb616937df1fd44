import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  GenerateCredentialReportCommand,
  GetAccountAuthorizationDetailsCommand,
  GetAccountSummaryCommand,
  GetCredentialReportCommand,
  IAMClient,
} from "@aws-sdk/client-iam";
import { mockClient } from "aws-sdk-client-mock";
import { clearInventoryCache } from "../lib/inventory";
import { T } from "../lib/resource-types";
import { makeIamRequireMfa } from "../policies/iam-require-mfa";
import {
  PackClient,
  TestResource,
  UNKNOWN,
  findingsOf,
  notChecked,
  runStackPolicy,
  startInProcessAnalyzer,
  urnOf,
  violationsOf,
  policyConfigErrors,
} from "./util";

const POLICY = "iam-require-mfa";
const REPORT = path.join(__dirname, "fixtures", "credential-report.csv");
const CLEAN_REPORT = path.join(__dirname, "fixtures", "credential-report-clean.csv");
const AUTH = path.join(__dirname, "fixtures", "authorization-details.json");
const ACCOUNT = "111122223333";

let client: PackClient;
let stop: () => void;

beforeAll(async () => {
  ({ client, stop } = await startInProcessAnalyzer([makeIamRequireMfa()]));
});
afterAll(() => stop());
beforeEach(async () => {
  clearInventoryCache();
  await client.configure({ [POLICY]: { checkAccount: false } });
});

const ENFORCE_MFA = {
  Version: "2012-10-17",
  Statement: [
    {
      Sid: "AllowManageOwnMfa",
      Effect: "Allow",
      Action: ["iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:ListMFADevices"],
      Resource: "arn:aws:iam::*:user/${aws:username}",
    },
    {
      Sid: "DenyAllExceptListedIfNoMFA",
      Effect: "Deny",
      NotAction: [
        "iam:CreateVirtualMFADevice",
        "iam:EnableMFADevice",
        "iam:GetUser",
        "iam:ListMFADevices",
        "sts:GetSessionToken",
      ],
      Resource: "*",
      Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } },
    },
  ],
};

const user = (name: string): TestResource => ({ type: T.iamUser, name, props: { name } });
const login = (userName: unknown, name = "login", deps?: string[]): TestResource => ({
  type: T.iamUserLoginProfile,
  name,
  props: { user: userName, passwordResetRequired: true },
  propertyDependencies: deps ? { user: deps } : undefined,
});
const trust = (name: string, statement: object): TestResource => ({
  type: T.iamRole,
  name,
  props: { name, assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [statement] }) },
});
const assume = (principal: unknown, extra: object = {}) => ({
  Effect: "Allow",
  Principal: principal,
  Action: "sts:AssumeRole",
  ...extra,
});

async function check(resources: TestResource[]) {
  const result = await client.analyzeStack(resources);
  return { result, v: violationsOf(result, POLICY) };
}

describe("violations in the stack", () => {
  const cases: [string, TestResource[], RegExp][] = [
    [
      "console user with no policy at all",
      [user("alice"), login("alice", "alice-login", [urnOf(T.iamUser, "alice")])],
      /IAM user "alice" \(Pulumi resource "alice"\) has console access .* no MFA-enforcing policy/,
    ],
    [
      "console user whose only policy does not enforce MFA",
      [
        user("bob"),
        login("bob"),
        {
          type: T.iamUserPolicy,
          name: "p",
          props: {
            user: "bob",
            policy: JSON.stringify({
              Version: "2012-10-17",
              Statement: [{ Effect: "Allow", Action: "s3:ListAllMyBuckets", Resource: "*" }],
            }),
          },
        },
      ],
      /IAM user "bob"/,
    ],
    [
      "MFA policy on a group the user is not in",
      [
        user("carol"),
        login("carol"),
        { type: T.iamGroupPolicy, name: "gp", props: { group: "admins", policy: ENFORCE_MFA } },
        { type: T.iamGroupMembership, name: "m", props: { group: "admins", users: ["dave"] } },
      ],
      /IAM user "carol"/,
    ],
    [
      "a Deny that only applies with BoolIfExists true is not enforcement",
      [
        user("erin"),
        login("erin"),
        {
          type: T.iamUserPolicy,
          name: "p",
          props: {
            user: "erin",
            policy: {
              Version: "2012-10-17",
              Statement: [
                {
                  Effect: "Deny",
                  NotAction: "iam:*",
                  Resource: "*",
                  Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "true" } },
                },
              ],
            },
          },
        },
      ],
      /IAM user "erin"/,
    ],
    [
      "role assumable by the account root without MFA",
      [trust("admin", assume({ AWS: `arn:aws:iam::${ACCOUNT}:root` }))],
      /role "admin" \(Pulumi resource "admin"\) trust policy Statement\[0\] lets "arn:aws:iam::111122223333:root" assume it without MFA/,
    ],
    ["role assumable by a bare account id", [trust("ops", assume({ AWS: ACCOUNT }))], /"111122223333"/],
    [
      "role assumable by an IAM user (list of principals)",
      [
        trust(
          "dev",
          assume({ AWS: ["arn:aws:iam::111122223333:role/ci", "arn:aws:iam::111122223333:user/alice"] }),
        ),
      ],
      /"arn:aws:iam::111122223333:user\/alice"/,
    ],
    ["role assumable by anyone", [trust("open", assume("*"))], /"\*" \(anyone\)/],
    [
      "BoolIfExists true does not require MFA for access keys",
      [
        trust(
          "bie",
          assume({ AWS: ACCOUNT }, { Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "true" } } }),
        ),
      ],
      /role "bie"/,
    ],
  ];
  test.each(cases)("%s", async (_n, resources, message) => {
    const { v } = await check(resources);
    expect(v).toHaveLength(1);
    expect(v[0].enforcementLevel).toBe("mandatory");
    expect(v[0].severity).toBe("critical");
    expect(v[0].message).toMatch(message);
    expect(v[0].message).toMatch(/Fix: /);
  });

  test("the violation points at the user resource when there is one", async () => {
    const { v } = await check([user("alice"), login("alice", "alice-login", [urnOf(T.iamUser, "alice")])]);
    expect(v[0].urn).toBe(urnOf(T.iamUser, "alice"));
  });
});

describe("violations in the account (credential report)", () => {
  test("root without MFA and console users without MFA, naming the source", async () => {
    await client.configure({ [POLICY]: { credentialReportFile: REPORT } });
    const { v, result } = await check([]);
    expect(v.map((d) => d.message.split("\n")[1])).toEqual([
      expect.stringMatching(
        new RegExp(
          `^root user of ${ACCOUNT} has no MFA device \\(source: offline credential report ${REPORT.replace(/[.]/g, "\\.")}\\)`,
        ),
      ),
      expect.stringMatching(
        /^IAM user "alice" of 111122223333 can sign in to the console but has no MFA device/,
      ),
      expect.stringMatching(/^IAM user "carol" /),
    ]);
    expect(result.diagnostics).toHaveLength(3);
  });

  test("the report can come from the environment", async () => {
    process.env.ML_PLATFORM_CREDENTIAL_REPORT = REPORT;
    try {
      await client.configure();
      const { v } = await check([]);
      expect(v).toHaveLength(3);
    } finally {
      delete process.env.ML_PLATFORM_CREDENTIAL_REPORT;
    }
  });
});

describe("clean", () => {
  const cases: [string, TestResource[]][] = [
    [
      "console user with an MFA-enforcing inline policy (object document)",
      [
        user("alice"),
        login("alice"),
        { type: T.iamUserPolicy, name: "mfa", props: { user: "alice", policy: ENFORCE_MFA } },
      ],
    ],
    [
      "console user covered through a group and an attached policy whose ARN is unknown in preview",
      [
        user("bob"),
        login("bob"),
        {
          type: T.iamPolicy,
          name: "force-mfa",
          props: { name: "force-mfa", policy: JSON.stringify(ENFORCE_MFA) },
        },
        {
          type: T.iamGroupPolicyAttachment,
          name: "att",
          props: { group: "humans", policyArn: UNKNOWN },
          propertyDependencies: { policyArn: [urnOf(T.iamPolicy, "force-mfa")] },
        },
        { type: T.iamUserGroupMembership, name: "mem", props: { user: "bob", groups: ["humans"] } },
      ],
    ],
    [
      "user name unknown in preview, matched through its dependency",
      [
        { type: T.iamUser, name: "carol", props: { name: UNKNOWN } },
        login(UNKNOWN, "carol-login", [urnOf(T.iamUser, "carol")]),
        {
          type: T.iamUserPolicy,
          name: "mfa",
          props: { user: UNKNOWN, policy: ENFORCE_MFA },
          propertyDependencies: { user: [urnOf(T.iamUser, "carol")] },
        },
      ],
    ],
    [
      "PolicyAttachment naming users",
      [
        login("dave"),
        { type: T.iamPolicy, name: "force-mfa", props: { name: "force-mfa", policy: ENFORCE_MFA } },
        {
          type: T.iamPolicyAttachment,
          name: "pa",
          props: { users: ["dave"], policyArn: `arn:aws:iam::${ACCOUNT}:policy/force-mfa` },
        },
      ],
    ],
    ["service role (Lambda)", [trust("fn", assume({ Service: "lambda.amazonaws.com" }))]],
    [
      "human role with Bool aws:MultiFactorAuthPresent true",
      [
        trust(
          "admin",
          assume(
            { AWS: `arn:aws:iam::${ACCOUNT}:root` },
            { Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } } },
          ),
        ),
      ],
    ],
    [
      "web identity federation",
      [
        trust("gha", {
          Effect: "Allow",
          Principal: {
            Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`,
          },
          Action: "sts:AssumeRoleWithWebIdentity",
        }),
      ],
    ],
    [
      "role chained from another role",
      [trust("chain", assume({ AWS: `arn:aws:iam::${ACCOUNT}:role/deployer` }))],
    ],
    [
      "Deny statement for the root",
      [trust("deny", { Effect: "Deny", Principal: { AWS: ACCOUNT }, Action: "sts:AssumeRole" })],
    ],
  ];
  test.each(cases)("%s", async (_n, resources) => {
    expect((await check(resources)).v).toEqual([]);
  });

  test("account with root MFA and MFA on every console user", async () => {
    await client.configure({ [POLICY]: { credentialReportFile: CLEAN_REPORT } });
    const { result } = await check([]);
    expect(result.diagnostics).toEqual([]);
  });

  test("exemptUsers", async () => {
    await client.configure({ [POLICY]: { credentialReportFile: REPORT, exemptUsers: ["alice", "carol"] } });
    const { v } = await check([login("alice")]);
    expect(v.map((d) => d.message)).toEqual([expect.stringMatching(/root user/)]);
  });

  test("checkAccount false and nothing in the stack: not applicable, with the reason", async () => {
    const direct = await runStackPolicy(
      makeIamRequireMfa(),
      [trust("fn", assume({ Service: "lambda.amazonaws.com" }))],
      {
        checkAccount: false,
      },
    );
    expect(direct).toEqual({
      reports: [],
      notApplicable:
        "the stack has no console users or human-assumable roles, and account checks are off (checkAccount: false)",
    });
  });
});

describe("could not check", () => {
  test("no account facts: the account part is not checked (advisory), the stack part still judged", async () => {
    await client.configure();
    const { result } = await check([trust("admin", assume({ AWS: ACCOUNT }))]);
    expect(result.diagnostics.map((d) => [d.enforcementLevel, d.message.split("\n").pop()])).toEqual([
      [
        "mandatory",
        expect.stringMatching(
          /^role "admin" \(Pulumi resource "admin"\) trust policy Statement\[0\] lets "111122223333" assume it without MFA/,
        ),
      ],
      [
        "advisory",
        expect.stringMatching(
          /^not checked: the account's root user and console users: no account facts: give an offline export/,
        ),
      ],
    ]);
  });

  test("requireAccountFacts: true reports it at the policy's level", async () => {
    await client.configure({ [POLICY]: { requireAccountFacts: true } });
    const { result } = await check([]);
    expect(result.diagnostics).toEqual([
      expect.objectContaining({
        enforcementLevel: "mandatory",
        message: expect.stringMatching(/^not checked: the account's root user/),
      }),
    ]);
  });

  test("a credential report that cannot be parsed is an error naming the file and line", async () => {
    await client.configure({
      [POLICY]: { credentialReportFile: path.join(__dirname, "fixtures", "authorization-details.json") },
    });
    await expect(check([])).rejects.toThrow(
      /authorization-details\.json:\d+: not valid JSON|authorization-details\.json:Content: missing/,
    );
  });

  test("an unknown trust policy is not checked for that role", async () => {
    const { result } = await check([{ type: T.iamRole, name: "r", props: { assumeRolePolicy: UNKNOWN } }]);
    expect(result.diagnostics).toEqual([
      expect.objectContaining({
        enforcementLevel: "advisory",
        urn: urnOf(T.iamRole, "r"),
        message: expect.stringMatching(
          /^not checked: role \(Pulumi resource "r"\) trust policy: the trust policy is unknown at preview/,
        ),
      }),
    ]);
  });

  test("an enforcing policy attached to an untraceable unknown user: the user is not checked, not a violation", async () => {
    const { result } = await check([
      user("alice"),
      login("alice"),
      { type: T.iamUserPolicy, name: "mfa", props: { user: UNKNOWN, policy: ENFORCE_MFA } },
    ]);
    expect(notChecked(result, POLICY).map((d) => d.message)).toEqual([
      expect.stringMatching(/^not checked: whether IAM user "alice" .* user of UserPolicy "mfa"/),
    ]);
    expect(findingsOf(result, POLICY)).toEqual([]);
  });
});

describe("MFA as AWS documents it", () => {
  const denyIfNoMfa = (condition: object, extra: object = {}) => ({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Deny",
        NotAction: ["iam:ListMFADevices", "sts:GetSessionToken"],
        Resource: "*",
        Condition: condition,
        ...extra,
      },
    ],
  });
  const userWith = (policy: object, more: TestResource[] = []) => [
    user("uma"),
    login("uma"),
    { type: T.iamUserPolicy, name: "p", props: { user: "uma", policy } },
    ...more,
  ];

  test.each([
    [
      "BoolIfExists false (long-term keys included)",
      { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } },
    ],
    ["Null aws:MultiFactorAuthAge true", { Null: { "aws:MultiFactorAuthAge": "true" } }],
    [
      "BoolIfExists false with AWS's aws:ViaAWSService companion",
      { BoolIfExists: { "aws:MultiFactorAuthPresent": false, "aws:ViaAWSService": "false" } },
    ],
  ])("a console user covered by a Deny with %s", async (_n, condition) => {
    expect((await check(userWith(denyIfNoMfa(condition)))).result.diagnostics).toEqual([]);
  });

  test("Bool false denies MFA-less console sessions, so it covers a console-only user", async () => {
    const { result } = await check(
      userWith(denyIfNoMfa({ Bool: { "aws:MultiFactorAuthPresent": "false" } })),
    );
    expect(result.diagnostics).toEqual([]);
  });

  test("Bool false does not deny long-term access keys: a violation when the stack gives the user one", async () => {
    const { v } = await check(
      userWith(denyIfNoMfa({ Bool: { "aws:MultiFactorAuthPresent": "false" } }), [
        { type: T.iamAccessKey, name: "key", props: { user: "uma" } },
      ]),
    );
    expect(v).toHaveLength(1);
    expect(v[0].message).toMatch(
      /Bool aws:MultiFactorAuthPresent "false", which does not deny requests signed with the access key\(s\) .*AccessKey "key"/,
    );
  });

  test("a Deny that needs another condition to apply is no MFA rule", async () => {
    const { v } = await check(
      userWith(
        denyIfNoMfa({
          BoolIfExists: { "aws:MultiFactorAuthPresent": "false" },
          StringEquals: { "aws:RequestedRegion": "eu-west-1" },
        }),
      ),
    );
    expect(v).toHaveLength(1);
  });

  test.each([
    ["Bool aws:MultiFactorAuthPresent true", { Bool: { "aws:MultiFactorAuthPresent": "true" } }],
    ["NumericLessThan aws:MultiFactorAuthAge", { NumericLessThan: { "aws:MultiFactorAuthAge": "3600" } }],
    ["Null aws:MultiFactorAuthAge false", { Null: { "aws:MultiFactorAuthAge": "false" } }],
  ])("a trust Allow with %s requires MFA", async (_n, Condition) => {
    expect((await check([trust("admin", assume({ AWS: ACCOUNT }, { Condition }))])).v).toEqual([]);
  });

  test.each([
    ["BoolIfExists true", { BoolIfExists: { "aws:MultiFactorAuthPresent": "true" } }],
    ["Bool with true or false", { Bool: { "aws:MultiFactorAuthPresent": ["true", "false"] } }],
    ["NumericLessThanIfExists", { NumericLessThanIfExists: { "aws:MultiFactorAuthAge": "3600" } }],
  ])("a trust Allow with %s does not", async (_n, Condition) => {
    expect((await check([trust("admin", assume({ AWS: ACCOUNT }, { Condition }))])).v).toHaveLength(1);
  });

  const paired = (denyCondition: object, principal: unknown = "*") => ({
    type: T.iamRole,
    name: "paired",
    props: {
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          assume({ AWS: `arn:aws:iam::${ACCOUNT}:root` }),
          { Effect: "Deny", Principal: principal, Action: "sts:AssumeRole", Condition: denyCondition },
        ],
      }),
    },
  });

  test("an Allow paired with a Deny of sessions without MFA in the same trust policy requires MFA", async () => {
    expect((await check([paired({ BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } })])).v).toEqual(
      [],
    );
    expect(
      (
        await check([
          paired({ Null: { "aws:MultiFactorAuthAge": "true" } }, { AWS: `arn:aws:iam::${ACCOUNT}:root` }),
        ])
      ).v,
    ).toEqual([]);
  });

  test("a paired Deny with Bool false lets long-term keys assume the role: still a violation", async () => {
    expect((await check([paired({ Bool: { "aws:MultiFactorAuthPresent": "false" } })])).v).toHaveLength(1);
  });

  test("a paired Deny for another principal does not cover the root", async () => {
    const deny = paired(
      { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } },
      { AWS: `arn:aws:iam::${ACCOUNT}:user/bob` },
    );
    expect((await check([deny])).v).toHaveLength(1);
  });

  test("a trust document as aws.iam.getPolicyDocument renders it (lists collapsed, string values)", async () => {
    // The provider's JSON: a single principal and a single value collapse to strings.
    const rendered = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: "sts:AssumeRole",
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
          Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } },
        },
      ],
    });
    expect(
      (await check([{ type: T.iamRole, name: "r", props: { assumeRolePolicy: rendered } }])).result
        .diagnostics,
    ).toEqual([]);
  });
});

describe("trust policies naming principals created in the same stack", () => {
  const trustOf = (principal: unknown, deps: string[]): TestResource => ({
    type: T.iamRole,
    name: "ops",
    props: { assumeRolePolicy: { Version: "2012-10-17", Statement: [assume({ AWS: principal })] } },
    propertyDependencies: { assumeRolePolicy: deps },
  });

  test("a user's ARN (unknown at preview) from a User of the stack is a person: MFA required", async () => {
    const { v } = await check([user("alice"), trustOf(UNKNOWN, [urnOf(T.iamUser, "alice")])]);
    expect(v).toHaveLength(1);
    expect(v[0].message).toMatch(/lets IAM user "alice" \(Pulumi resource "alice"\) assume it without MFA/);
  });

  test("a role's ARN from a Role of the stack is role chaining, not a person", async () => {
    const role: TestResource = { type: T.iamRole, name: "ci", props: { assumeRolePolicy: "{}" } };
    expect((await check([role, trustOf(UNKNOWN, [urnOf(T.iamRole, "ci")])])).result.diagnostics).toEqual([]);
  });

  test("an unknown principal from nowhere in the stack: not checked", async () => {
    const { result } = await check([trustOf(UNKNOWN, [])]);
    expect(notChecked(result, POLICY).map((d) => d.message)).toEqual([
      expect.stringMatching(
        /^not checked: role \(Pulumi resource "ops"\) trust policy Statement\[0\]: its principal is unknown at preview/,
      ),
    ]);
  });
});

describe("console users and groups that already exist in the account (export)", () => {
  beforeEach(() => client.configure({ [POLICY]: { checkAccount: false, inventoryFile: AUTH } }));

  test("an existing user in an existing group with an MFA-enforcing customer-managed policy is covered", async () => {
    expect((await check([login("bob")])).result.diagnostics).toEqual([]);
  });

  test("an existing user whose groups and policies enforce nothing: a violation", async () => {
    const { v } = await check([login("alice", "alice-login")]);
    expect(v.map((d) => d.message.split("\n").pop())).toEqual([
      expect.stringMatching(/^IAM user "alice" has console access/),
    ]);
  });

  test("a stack user added to an existing MFA group is covered", async () => {
    const { result } = await check([
      user("newbie"),
      login("newbie"),
      { type: T.iamUserGroupMembership, name: "m", props: { user: "newbie", groups: ["mfa-humans"] } },
    ]);
    expect(result.diagnostics).toEqual([]);
  });

  test("without the export, an existing user is not checked (mandatory with requireAccountFacts)", async () => {
    await client.configure({ [POLICY]: { checkAccount: false, requireAccountFacts: true } });
    const { result } = await check([login("bob")]);
    expect(result.diagnostics).toEqual([
      expect.objectContaining({
        enforcementLevel: "mandatory",
        message: expect.stringMatching(
          /^not checked: whether IAM user "bob" .*the policies of the existing user "bob": no account facts/,
        ),
      }),
    ]);
  });
});

/** The fixture export with `edit` applied, written to a temporary file. */
function exportWith(edit: (d: Record<string, Record<string, unknown>[]>) => void): string {
  const d = JSON.parse(fs.readFileSync(AUTH, "utf8"));
  edit(d);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "require-mfa-")), "auth.json");
  fs.writeFileSync(file, JSON.stringify(d));
  return file;
}

const FORCE_MFA_ARN = `arn:aws:iam::${ACCOUNT}:policy/humans/force-mfa`;
const ALLOW_ONLY = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "s3:ListAllMyBuckets", Resource: "*" }],
};
const denyNoMfa = (operator: "Bool" | "BoolIfExists") => ({
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Deny",
      NotAction: ["iam:ListMFADevices", "sts:GetSessionToken"],
      Resource: "*",
      Condition: { [operator]: { "aws:MultiFactorAuthPresent": "false" } },
    },
  ],
});
/** The last line of a message, from "trust policy" on (the principal's naming before it is not asserted). */
const afterName = (message: string) =>
  message
    .split("\n")
    .pop()!
    .replace(/^.*trust policy/, "");
const LOGIN_URN = urnOf(T.iamUserLoginProfile, "login");
const USER_URN = (name: string) => urnOf(T.iamUser, name);

describe("the account part: which facts, and when they fail", () => {
  test("an authorization-details export alone has no MFA facts: not checked, at the policy's level on request", async () => {
    await client.configure({ [POLICY]: { inventoryFile: AUTH } });
    const { result } = await check([]);
    expect(result.diagnostics).toEqual([
      expect.objectContaining({
        enforcementLevel: "advisory",
        message: expect.stringMatching(
          /^not checked: the account's root user and console users: offline authorization-details export .*authorization-details\.json has no MFA facts \(give a credential report\)\.$/,
        ),
      }),
    ]);
    await client.configure({ [POLICY]: { inventoryFile: AUTH, requireAccountFacts: true } });
    expect((await check([])).result.diagnostics.map((d) => d.enforcementLevel)).toEqual(["mandatory"]);
  });

  test("exemptUsers match the account's user names whatever their case", async () => {
    await client.configure({ [POLICY]: { credentialReportFile: REPORT, exemptUsers: ["ALICE"] } });
    const { v } = await check([]);
    expect(v.map((d) => d.message.split("\n").pop())).toEqual([
      expect.stringMatching(/^root user of /),
      expect.stringMatching(/"carol" of 111122223333 can sign in to the console but has no MFA device/),
    ]);
  });

  describe("live account (AWS SDK v3, mocked client)", () => {
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

    test("MFA facts that cannot be read are not checked, naming the failing call", async () => {
      iam.on(GetAccountSummaryCommand).rejects(new Error("not authorized to perform iam:GetAccountSummary"));
      const { result } = await check([]);
      expect(result.diagnostics).toEqual([
        expect.objectContaining({
          enforcementLevel: "advisory",
          message: expect.stringMatching(
            /^not checked: the account's root user and console users: live AWS account via the AWS SDK .* failed: not authorized to perform iam:GetAccountSummary\.$/,
          ),
        }),
      ]);
    });

    test("an account whose id is not known is named 'the target account'", async () => {
      iam.on(GetAccountAuthorizationDetailsCommand).resolves({ IsTruncated: false });
      iam.on(GetAccountSummaryCommand).resolves({ SummaryMap: { AccountMFAEnabled: 0 } });
      iam.on(GenerateCredentialReportCommand).resolves({ State: "COMPLETE" });
      iam.on(GetCredentialReportCommand).resolves({
        Content: new Uint8Array(Buffer.from(fs.readFileSync(CLEAN_REPORT, "utf8").split("\n")[0] + "\n")),
      });
      const { v } = await check([]);
      expect(v.map((d) => d.message.split("\n").pop())).toEqual([
        expect.stringMatching(
          /^root user of the target account has no MFA device \(source: live AWS account/,
        ),
      ]);
    });
  });
});

describe("not applicable only when nothing was judged", () => {
  test("a human-assumable role that requires MFA was checked: no 'not applicable'", async () => {
    const direct = await runStackPolicy(
      makeIamRequireMfa(),
      [
        trust(
          "admin",
          assume({ AWS: ACCOUNT }, { Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } } }),
        ),
      ],
      { checkAccount: false },
    );
    expect(direct).toEqual({ reports: [] });
  });

  test("a covered console user was checked: no 'not applicable'", async () => {
    const direct = await runStackPolicy(
      makeIamRequireMfa(),
      [
        user("uma"),
        login("uma"),
        { type: T.iamUserPolicy, name: "p", props: { user: "uma", policy: ENFORCE_MFA } },
      ],
      { checkAccount: false },
    );
    expect(direct).toEqual({ reports: [] });
  });

  test("an exempt console user is not judged: not applicable", async () => {
    const direct = await runStackPolicy(makeIamRequireMfa(), [user("Uma"), login("Uma")], {
      checkAccount: false,
      exemptUsers: ["UMA"],
    });
    expect(direct.reports).toEqual([]);
    expect(direct.notApplicable).toMatch(/^the stack has no console users or human-assumable roles/);
  });

  test("with the account checked, a clean account is not 'not applicable'", async () => {
    const direct = await runStackPolicy(makeIamRequireMfa(), [], { credentialReportFile: CLEAN_REPORT });
    expect(direct).toEqual({ reports: [] });
  });
});

describe("console users: policies attached by ARN", () => {
  const attach = (policyArn: unknown, extra: Partial<TestResource> = {}): TestResource => ({
    type: T.iamUserPolicyAttachment,
    name: "a",
    props: { user: "uma", policyArn },
    ...extra,
  });

  test("a customer-managed policy of the account that enforces MFA covers the user (export)", async () => {
    await client.configure({ [POLICY]: { checkAccount: false, inventoryFile: AUTH } });
    expect((await check([user("uma"), login("uma"), attach(FORCE_MFA_ARN)])).result.diagnostics).toEqual([]);
  });

  test("UserPolicyAttachmentsExclusive lists policy ARNs: any one that enforces MFA covers the user", async () => {
    await client.configure({ [POLICY]: { checkAccount: false, inventoryFile: AUTH } });
    const exclusive: TestResource = {
      type: T.iamUserPolicyAttachmentsExclusive,
      name: "x",
      props: { userName: "uma", policyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess", FORCE_MFA_ARN] },
    };
    expect((await check([user("uma"), login("uma"), exclusive])).result.diagnostics).toEqual([]);
  });

  test("without the export, a customer-managed policy is not checked for want of account facts", async () => {
    await client.configure({ [POLICY]: { checkAccount: false } });
    const { result } = await check([user("uma"), login("uma"), attach(FORCE_MFA_ARN)]);
    expect(result.diagnostics).toEqual([
      expect.objectContaining({
        enforcementLevel: "advisory",
        urn: USER_URN("uma"),
        message: expect.stringMatching(
          new RegExp(
            `^not checked: .*\\(console access through UserLoginProfile "login"\\) is covered by an MFA-enforcing policy: the customer-managed policy ${FORCE_MFA_ARN}: no account facts`,
          ),
        ),
      }),
    ]);
    await client.configure({ [POLICY]: { checkAccount: false, requireAccountFacts: true } });
    expect(
      (await check([user("uma"), login("uma"), attach(FORCE_MFA_ARN)])).result.diagnostics.map(
        (d) => d.enforcementLevel,
      ),
    ).toEqual(["mandatory"]);
  });

  test.each([
    [
      "an AWS-managed policy (none denies without MFA), even without the export",
      "arn:aws:iam::aws:policy/ReadOnlyAccess",
      false,
    ],
    [
      "a customer-managed policy that is not in the export",
      `arn:aws:iam::${ACCOUNT}:policy/no-such-policy`,
      true,
    ],
    [
      "a customer-managed policy that only allows",
      `arn:aws:iam::${ACCOUNT}:policy/legacy-sagemaker-admin`,
      true,
    ],
    ["a value that is no policy ARN", "force-mfa", true],
  ])("%s: a violation", async (_n, arn, withExport) => {
    await client.configure({
      [POLICY]: { checkAccount: false, ...(withExport ? { inventoryFile: AUTH } : {}) },
    });
    const { v, result } = await check([user("uma"), login("uma"), attach(arn)]);
    expect(notChecked(result, POLICY)).toEqual([]);
    expect(v).toEqual([
      expect.objectContaining({
        enforcementLevel: "mandatory",
        urn: USER_URN("uma"),
        message: expect.stringMatching(
          /has console access \(UserLoginProfile "login"\) but no MFA-enforcing policy applies to it\. Fix: /,
        ),
      }),
    ]);
  });

  test("an export that lists the policy without its versions: not checked, saying so", async () => {
    const file = exportWith((d) => {
      const p = d.Policies.find((x) => x.Arn === FORCE_MFA_ARN)!;
      p.PolicyVersionList = [];
    });
    await client.configure({ [POLICY]: { checkAccount: false, inventoryFile: file } });
    const { result } = await check([user("uma"), login("uma"), attach(FORCE_MFA_ARN)]);
    expect(notChecked(result, POLICY).map((d) => [d.enforcementLevel, d.urn, d.message])).toEqual([
      [
        "advisory",
        USER_URN("uma"),
        expect.stringContaining(`${file} lists ${FORCE_MFA_ARN} without its versions.`),
      ],
    ]);
  });

  test("a policy ARN unknown at preview that matches no policy of the stack: not checked", async () => {
    const { result } = await check([user("uma"), login("uma"), attach(UNKNOWN)]);
    expect(notChecked(result, POLICY).map((d) => [d.urn, d.message])).toEqual([
      [
        USER_URN("uma"),
        expect.stringMatching(
          /: the policy ARN \(policyArn of UserPolicyAttachment "a"\) is unknown at preview/,
        ),
      ],
    ]);
    expect(findingsOf(result, POLICY)).toEqual([]);
  });

  test("a stack Policy matched by the attachment's dependency decides, even when its ARN is unknown", async () => {
    const policy: TestResource = {
      type: T.iamPolicy,
      name: "allow",
      props: { name: "allow", policy: ALLOW_ONLY },
    };
    const { v, result } = await check([
      user("uma"),
      login("uma"),
      policy,
      attach(UNKNOWN, { propertyDependencies: { policyArn: [urnOf(T.iamPolicy, "allow")] } }),
    ]);
    expect(notChecked(result, POLICY)).toEqual([]);
    expect(v.map((d) => d.urn)).toEqual([USER_URN("uma")]);
  });
});

describe("console users: documents and how coverage adds up", () => {
  const userPolicy = (policy: unknown, name = "p", who: unknown = "uma"): TestResource => ({
    type: T.iamUserPolicy,
    name,
    props: { user: who, policy },
  });
  const key: TestResource = { type: T.iamAccessKey, name: "key", props: { user: "uma" } };

  test("a document unknown at preview: not checked, naming it", async () => {
    const { result } = await check([user("uma"), login("uma"), userPolicy(UNKNOWN)]);
    expect(notChecked(result, POLICY).map((d) => [d.enforcementLevel, d.urn, d.message])).toEqual([
      [
        "advisory",
        USER_URN("uma"),
        expect.stringMatching(
          /is covered by an MFA-enforcing policy: the document of UserPolicy "p" is unknown at preview/,
        ),
      ],
    ]);
  });

  test("a document with an unknown Statement: not checked, naming the part", async () => {
    const { result } = await check([
      user("uma"),
      login("uma"),
      userPolicy({ Version: "2012-10-17", Statement: [ALLOW_ONLY.Statement[0], UNKNOWN] }),
    ]);
    expect(notChecked(result, POLICY).map((d) => d.message)).toEqual([
      expect.stringMatching(/: part of the document of UserPolicy "p" is unknown at preview/),
    ]);
  });

  test("a document whose Statement is unknown as a whole: not checked", async () => {
    const { result } = await check([
      user("uma"),
      login("uma"),
      userPolicy({ Version: "2012-10-17", Statement: UNKNOWN }),
    ]);
    expect(notChecked(result, POLICY).map((d) => d.message)).toEqual([
      expect.stringMatching(/: the document of UserPolicy "p" is unknown at preview/),
    ]);
  });

  test("a document that does not parse enforces nothing: a violation, not 'not checked'", async () => {
    const { v, result } = await check([user("uma"), login("uma"), userPolicy("{ not json")]);
    expect(notChecked(result, POLICY)).toEqual([]);
    expect(v.map((d) => d.urn)).toEqual([USER_URN("uma")]);
  });

  test.each([
    ["console-only first, then all", [denyNoMfa("Bool"), denyNoMfa("BoolIfExists")]],
    ["all first, then console-only", [denyNoMfa("BoolIfExists"), denyNoMfa("Bool")]],
  ])("a Deny that covers access keys wins over a console-only one (%s)", async (_n, [first, second]) => {
    const { result } = await check([
      user("uma"),
      login("uma"),
      key,
      userPolicy(first, "p1"),
      userPolicy(second, "p2"),
    ]);
    expect(result.diagnostics).toEqual([]);
  });

  test("a console-only Deny and a policy that enforces nothing: the access key is still named", async () => {
    const { v } = await check([
      user("uma"),
      login("uma"),
      key,
      userPolicy(ALLOW_ONLY, "p1"),
      userPolicy(denyNoMfa("Bool"), "p2"),
    ]);
    expect(v.map((d) => d.message)).toEqual([expect.stringMatching(/AccessKey "key"\): the key is absent/)]);
  });

  test("an access key of another user does not weaken a console-only Deny", async () => {
    const { result } = await check([
      user("uma"),
      login("uma"),
      { type: T.iamAccessKey, name: "other", props: { user: "otto" } },
      userPolicy(denyNoMfa("Bool")),
    ]);
    expect(result.diagnostics).toEqual([]);
  });

  test("a policy attached to an untraceable user that enforces nothing changes nothing: still a violation", async () => {
    const { v, result } = await check([user("uma"), login("uma"), userPolicy(ALLOW_ONLY, "p", UNKNOWN)]);
    expect(notChecked(result, POLICY)).toEqual([]);
    expect(v.map((d) => d.urn)).toEqual([USER_URN("uma")]);
  });

  test("a login profile whose user is unknown and from no resource of the stack: not checked at the profile", async () => {
    const { result } = await check([login(UNKNOWN)]);
    expect(notChecked(result, POLICY).map((d) => [d.enforcementLevel, d.urn, d.message])).toEqual([
      [
        "advisory",
        LOGIN_URN,
        expect.stringMatching(/^not checked: UserLoginProfile "login": the user is unknown at preview/),
      ],
    ]);
  });

  test("without a User resource the violation points at the login profile", async () => {
    const { v } = await check([login("uma")]);
    expect(v.map((d) => d.urn)).toEqual([LOGIN_URN]);
  });
});

describe("console users: groups", () => {
  const groupPolicy = (group: string, policy: unknown = ENFORCE_MFA): TestResource => ({
    type: T.iamGroupPolicy,
    name: `gp-${group}`,
    props: { group, policy },
  });

  test("GroupMembership listing the user: the group's MFA policy covers it", async () => {
    const { result } = await check([
      user("uma"),
      login("uma"),
      groupPolicy("humans"),
      { type: T.iamGroupMembership, name: "m", props: { group: "humans", users: ["bob", "uma"] } },
    ]);
    expect(result.diagnostics).toEqual([]);
  });

  test("GroupPolicyAttachment of a stack Policy to a group the stack creates", async () => {
    const { result } = await check([
      user("uma"),
      login("uma"),
      { type: T.iamGroup, name: "humans", props: { name: "humans" } },
      { type: T.iamPolicy, name: "force", props: { name: "force", policy: ENFORCE_MFA } },
      {
        type: T.iamGroupPolicyAttachment,
        name: "ga",
        props: { group: "humans", policyArn: `arn:aws:iam::${ACCOUNT}:policy/force` },
      },
      {
        type: T.iamUserGroupMembership,
        name: "m",
        props: { user: "uma", groups: [UNKNOWN] },
        propertyDependencies: { groups: [urnOf(T.iamGroup, "humans")] },
      },
    ]);
    expect(result.diagnostics).toEqual([]);
  });

  test("groups unknown at preview and from no resource of the stack: not checked, naming the membership", async () => {
    const { result } = await check([
      user("uma"),
      login("uma"),
      { type: T.iamUserGroupMembership, name: "m", props: { user: "uma", groups: [UNKNOWN] } },
    ]);
    expect(notChecked(result, POLICY).map((d) => d.message)).toEqual([
      expect.stringMatching(/: groups of UserGroupMembership "m" is unknown at preview/),
    ]);
  });

  test("a membership of another user does not cover this one", async () => {
    const { v } = await check([
      user("uma"),
      login("uma"),
      groupPolicy("humans"),
      { type: T.iamUserGroupMembership, name: "m", props: { user: "otto", groups: ["humans"] } },
    ]);
    expect(v.map((d) => d.urn)).toEqual([USER_URN("uma")]);
  });

  test("a group the stack does not create is read from the export", async () => {
    await client.configure({ [POLICY]: { checkAccount: false, inventoryFile: AUTH } });
    const { v } = await check([
      user("uma"),
      login("uma"),
      { type: T.iamUserGroupMembership, name: "m", props: { user: "uma", groups: ["data-scientists"] } },
    ]);
    expect(v.map((d) => d.urn)).toEqual([USER_URN("uma")]);
  });

  test("without the export, a group the stack does not create is not checked for want of facts", async () => {
    const { result } = await check([
      user("uma"),
      login("uma"),
      { type: T.iamUserGroupMembership, name: "m", props: { user: "uma", groups: ["mfa-humans"] } },
    ]);
    expect(notChecked(result, POLICY).map((d) => d.message)).toEqual([
      expect.stringMatching(/: the policies of the existing group "mfa-humans": no account facts/),
    ]);
  });
});

describe("console users that already exist in the account: their own policies (export)", () => {
  const withUser = (edit: (u: Record<string, unknown>) => void) =>
    exportWith((d) => {
      edit(d.UserDetailList.find((u) => u.UserName === "alice")!);
    });

  test("an inline policy of the user that enforces MFA covers it", async () => {
    const file = withUser((u) => {
      u.UserPolicyList = [{ PolicyName: "own-mfa", PolicyDocument: ENFORCE_MFA }];
    });
    await client.configure({ [POLICY]: { checkAccount: false, inventoryFile: file } });
    expect((await check([login("alice")])).result.diagnostics).toEqual([]);
  });

  test("a managed policy attached to the user that enforces MFA covers it", async () => {
    const file = withUser((u) => {
      u.AttachedManagedPolicies = [{ PolicyName: "force-mfa", PolicyArn: FORCE_MFA_ARN }];
    });
    await client.configure({ [POLICY]: { checkAccount: false, inventoryFile: file } });
    expect((await check([login("alice")])).result.diagnostics).toEqual([]);
  });

  test("a user that is not in the export is judged on what the stack gives it", async () => {
    await client.configure({ [POLICY]: { checkAccount: false, inventoryFile: AUTH } });
    const { v, result } = await check([login("nobody")]);
    expect(notChecked(result, POLICY)).toEqual([]);
    expect(v.map((d) => d.urn)).toEqual([LOGIN_URN]);
  });

  test("a credential report alone has no policies: the existing user is not checked", async () => {
    await client.configure({ [POLICY]: { checkAccount: false, credentialReportFile: REPORT } });
    const { result } = await check([login("bob")]);
    expect(notChecked(result, POLICY).map((d) => d.message)).toEqual([
      expect.stringMatching(
        /: the policies of the existing user "bob": offline credential report .* has no users, groups or policies \(give an authorization-details export\)/,
      ),
    ]);
  });
});

describe("trust policies: each statement on its own", () => {
  const trustDoc = (name: string, Statement: unknown[], extra: Partial<TestResource> = {}): TestResource => ({
    type: T.iamRole,
    name,
    props: { name, assumeRolePolicy: { Version: "2012-10-17", Statement } },
    ...extra,
  });
  const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
  const mfaTrue = { Bool: { "aws:MultiFactorAuthPresent": "true" } };

  const uncheckedOf = async (r: TestResource[]) => {
    const { result } = await check(r);
    expect(findingsOf(result, POLICY)).toEqual([]);
    return notChecked(result, POLICY).map((d) => [d.enforcementLevel, d.urn, afterName(d.message)]);
  };

  test.each([
    [
      "its Condition",
      assume({ AWS: ROOT }, { Condition: { Bool: { "aws:MultiFactorAuthPresent": UNKNOWN } } }),
    ],
    ["its Action", { Effect: "Allow", Principal: { AWS: ROOT }, Action: UNKNOWN }],
  ])("an Allow whose %s is unknown: not checked, naming it", async (what, statement) => {
    expect(await uncheckedOf([trustDoc("r", [statement])])).toEqual([
      [
        "advisory",
        urnOf(T.iamRole, "r"),
        expect.stringMatching(new RegExp(`^ Statement\\[0\\]: ${what} is unknown at preview`)),
      ],
    ]);
  });

  test("an unknown Effect and an unknown statement: not checked, naming both", async () => {
    expect(
      await uncheckedOf([
        trustDoc("r", [{ Effect: UNKNOWN, Principal: { AWS: ROOT }, Action: "sts:AssumeRole" }, UNKNOWN]),
      ]),
    ).toEqual([
      [
        "advisory",
        urnOf(T.iamRole, "r"),
        expect.stringMatching(/^: Statement\[1\], Statement\[0\] Effect is unknown at preview/),
      ],
    ]);
  });

  test("a certain violation survives an unknown statement next to it", async () => {
    const { result } = await check([trustDoc("r", [assume({ AWS: ROOT }), UNKNOWN])]);
    expect(result.diagnostics.map((d) => [d.enforcementLevel, afterName(d.message)])).toEqual([
      [
        "mandatory",
        expect.stringMatching(
          /^ Statement\[0\] lets "arn:aws:iam::111122223333:root" assume it without MFA\. Fix: /,
        ),
      ],
      ["advisory", expect.stringMatching(/^: Statement\[1\] is unknown at preview/)],
    ]);
  });

  test("a Deny whose condition is unknown may be the pairing Deny: not checked", async () => {
    expect(
      await uncheckedOf([
        trustDoc("r", [
          assume({ AWS: ROOT }),
          {
            Effect: "Deny",
            Principal: "*",
            Action: "sts:AssumeRole",
            Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": UNKNOWN } },
          },
        ]),
      ]),
    ).toEqual([
      [
        "advisory",
        urnOf(T.iamRole, "r"),
        expect.stringMatching(/^ Statement\[0\]: a Deny statement that may pair with it is unknown/),
      ],
    ]);
  });

  test("a Deny whose principal is unknown may be the pairing Deny: not checked", async () => {
    expect(
      await uncheckedOf([
        trustDoc("r", [
          assume({ AWS: ROOT }),
          {
            Effect: "Deny",
            Principal: { AWS: [UNKNOWN] },
            Action: "sts:AssumeRole",
            Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } },
          },
        ]),
      ]),
    ).toEqual([
      [
        "advisory",
        urnOf(T.iamRole, "r"),
        expect.stringMatching(/^ Statement\[0\]: a Deny statement that may pair with it is unknown/),
      ],
    ]);
  });

  test.each([
    [
      'a Deny listing "*" among its principals',
      { AWS: ["arn:aws:iam::111122223333:user/x", "*"] },
      "sts:AssumeRole",
      0,
    ],
    ["a Deny of another action", "*", "sts:TagSession", 1],
    ["a Deny for the same principal", { AWS: ROOT }, ["sts:AssumeRole"], 0],
  ])("%s", async (_n, Principal, Action, violations) => {
    const { v } = await check([
      trustDoc("r", [
        assume({ AWS: ROOT }),
        { Effect: "Deny", Principal, Action, Condition: { Null: { "aws:MultiFactorAuthAge": "true" } } },
      ]),
    ]);
    expect(v).toHaveLength(violations);
  });

  test("an Allow that does not cover sts:AssumeRole lets nobody assume the role", async () => {
    const direct = await runStackPolicy(
      makeIamRequireMfa(),
      [trustDoc("r", [{ Effect: "Allow", Principal: { AWS: ROOT }, Action: "sts:TagSession" }])],
      { checkAccount: false },
    );
    expect(direct.reports).toEqual([]);
    expect(direct.notApplicable).toMatch(/^the stack has no console users or human-assumable roles/);
  });

  test("NotPrincipal in an Allow admits everyone else: a violation", async () => {
    const { v } = await check([
      trustDoc("r", [{ Effect: "Allow", NotPrincipal: { AWS: ROOT }, Action: "sts:AssumeRole" }]),
    ]);
    expect(v.map((d) => d.message)).toEqual([
      expect.stringMatching(/ lets everyone but its NotPrincipal assume it without MFA/),
    ]);
  });

  test("each human principal is named once; unknown ones next to known ones are left out", async () => {
    const { v, result } = await check([
      trustDoc("r", [
        assume({ AWS: [ACCOUNT, UNKNOWN, ACCOUNT, `arn:aws-cn:iam::${ACCOUNT}:user/ops/alice`] }),
      ]),
    ]);
    expect(notChecked(result, POLICY)).toEqual([]);
    expect(v.map((d) => afterName(d.message))).toEqual([
      expect.stringMatching(
        /^ Statement\[0\] lets "111122223333", "arn:aws-cn:iam::111122223333:user\/ops\/alice" assume it without MFA\./,
      ),
    ]);
  });

  test("an AWS principal unknown as a whole, from nowhere in the stack: not checked", async () => {
    expect(await uncheckedOf([trustDoc("r", [assume({ AWS: UNKNOWN })])])).toEqual([
      [
        "advisory",
        urnOf(T.iamRole, "r"),
        expect.stringMatching(/^ Statement\[0\]: its principal is unknown at preview/),
      ],
    ]);
  });

  test("a Principal unknown as a whole whose only sources are roles of the stack is role chaining: clean", async () => {
    const ci: TestResource = { type: T.iamRole, name: "ci", props: { assumeRolePolicy: "{}" } };
    const { result } = await check([
      ci,
      trustDoc("r", [assume(UNKNOWN)], {
        propertyDependencies: { assumeRolePolicy: [urnOf(T.iamRole, "ci")] },
      }),
    ]);
    expect(result.diagnostics).toEqual([]);
  });

  test.each([
    ["a federated principal", { Federated: "cognito-identity.amazonaws.com" }],
    ["a principal that is no object", 42],
    ["an account-like value that is no account id", { AWS: "1111222233334" }],
  ])("not a person: %s", async (_n, principal) => {
    expect((await check([trustDoc("r", [assume(principal)])])).result.diagnostics).toEqual([]);
  });

  test("a trust policy that does not parse says nothing about MFA", async () => {
    expect(
      (await check([{ type: T.iamRole, name: "r", props: { assumeRolePolicy: "{ not json" } }])).result
        .diagnostics,
    ).toEqual([]);
  });

  test("an Allow that requires MFA next to one that does not: only the second is reported", async () => {
    const { v } = await check([
      trustDoc("r", [assume({ AWS: ROOT }, { Condition: mfaTrue }), assume({ AWS: ACCOUNT })]),
    ]);
    expect(v.map((d) => afterName(d.message))).toEqual([
      expect.stringMatching(/^ Statement\[1\] lets "111122223333"/),
    ]);
  });
});

describe("what the policy publishes", () => {
  test("mandatory and critical by default; the config schema rejects values the policy cannot use", () => {
    const policy = makeIamRequireMfa();
    expect([policy.name, policy.enforcementLevel, policy.severity]).toEqual([
      "iam-require-mfa",
      "mandatory",
      "critical",
    ]);
    const validate = policyConfigErrors(policy);
    expect(validate({ checkAccount: false, exemptUsers: ["a"], requireAccountFacts: true })).toEqual([]);
    expect(validate({ checkAccount: "no", exemptUsers: "a" })).toEqual([
      "iam-require-mfa: checkAccount should be boolean",
      "iam-require-mfa: exemptUsers should be array",
    ]);
  });
});
