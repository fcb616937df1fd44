import * as path from "path";
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
      /IAM user "alice" has console access .* no MFA-enforcing policy/,
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
      /role "admin" trust policy Statement\[0\] lets "arn:aws:iam::111122223333:root" assume it without MFA/,
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
          /^role "admin" trust policy Statement\[0\] lets "111122223333" assume it without MFA/,
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
          /^not checked: role "r" trust policy: the trust policy is unknown at preview/,
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
    expect(v[0].message).toMatch(/lets IAM user "alice" \(created in this stack\) assume it without MFA/);
  });

  test("a role's ARN from a Role of the stack is role chaining, not a person", async () => {
    const role: TestResource = { type: T.iamRole, name: "ci", props: { assumeRolePolicy: "{}" } };
    expect((await check([role, trustOf(UNKNOWN, [urnOf(T.iamRole, "ci")])])).result.diagnostics).toEqual([]);
  });

  test("an unknown principal from nowhere in the stack: not checked", async () => {
    const { result } = await check([trustOf(UNKNOWN, [])]);
    expect(notChecked(result, POLICY).map((d) => d.message)).toEqual([
      expect.stringMatching(
        /^not checked: role "ops" trust policy Statement\[0\]: its principal is unknown at preview/,
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
