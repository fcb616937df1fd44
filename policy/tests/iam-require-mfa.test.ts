import * as path from "path";
import { clearInventoryCache } from "../lib/inventory";
import { T } from "../lib/resource-types";
import { makeIamRequireMfa } from "../policies/iam-require-mfa";
import { AnalyzerClient, TestResource, UNKNOWN, startInProcessAnalyzer, urnOf, violationsOf } from "./util";

const POLICY = "iam-require-mfa";
const REPORT = path.join(__dirname, "fixtures", "credential-report.csv");
const CLEAN_REPORT = path.join(__dirname, "fixtures", "credential-report-clean.csv");
const ACCOUNT = "111122223333";

let client: AnalyzerClient;
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
    expect(result.notApplicable).toEqual([]);
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
    expect(result.notApplicable).toEqual([]);
  });

  test("exemptUsers", async () => {
    await client.configure({ [POLICY]: { credentialReportFile: REPORT, exemptUsers: ["alice", "carol"] } });
    const { v } = await check([login("alice")]);
    expect(v.map((d) => d.message)).toEqual([expect.stringMatching(/root user/)]);
  });

  test("no account facts and nothing in the stack: not applicable, with the reason", async () => {
    await client.configure();
    const { result } = await check([trust("fn", assume({ Service: "lambda.amazonaws.com" }))]);
    expect(result.diagnostics).toEqual([]);
    expect(result.notApplicable[0].reason).toMatch(
      /no console users or human-assumable roles, and account checks skipped: no account facts/,
    );
  });

  test("an unknown trust policy gets the analyzer's preview advisory", async () => {
    const { result } = await check([{ type: T.iamRole, name: "r", props: { assumeRolePolicy: UNKNOWN } }]);
    expect(result.diagnostics).toHaveLength(1);
    expect(result.diagnostics[0].message).toMatch(/can't run policy 'iam-require-mfa' .* during preview/);
    expect(result.diagnostics[0].enforcementLevel).toBe("advisory");
  });
});
