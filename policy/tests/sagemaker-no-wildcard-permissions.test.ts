import * as path from "path";
import { clearInventoryCache } from "../lib/inventory";
import { T } from "../lib/resource-types";
import { sagemakerNoWildcardPermissions } from "../policies/sagemaker-no-wildcard-permissions";
import {
  PackClient,
  TestResource,
  UNKNOWN,
  findingsOf,
  notChecked,
  runStackPolicy,
  startInProcessAnalyzer,
  unchecked,
  urnOf,
  violationsOf,
} from "./util";

const POLICY = "sagemaker-no-wildcard-permissions";
const ENDPOINT_ARN = "arn:aws:sagemaker:eu-west-1:111122223333:endpoint/dog-breeds-prod";
const AUTH = path.join(__dirname, "fixtures", "authorization-details.json");
const ACCOUNT = "111122223333";

let client: PackClient;
let stop: () => void;

beforeAll(async () => {
  ({ client, stop } = await startInProcessAnalyzer([sagemakerNoWildcardPermissions]));
});
afterAll(() => stop());
beforeEach(async () => {
  clearInventoryCache();
  await client.configure();
});

function doc(...statements: object[]) {
  return { Version: "2012-10-17", Statement: statements };
}
const allow = (Action: unknown, Resource: unknown = "*", extra: object = {}) => ({
  Effect: "Allow",
  Action,
  Resource,
  ...extra,
});

/** A preview of these resources: the policy's findings, with nothing left unchecked. */
async function violations(type: string, props: Record<string, unknown>, more: TestResource[] = []) {
  const result = await client.preview([{ type, name: "subject", props }, ...more]);
  expect(unchecked(result)).toEqual([]);
  return violationsOf(result, POLICY);
}

describe("violating documents", () => {
  const cases: [string, string, Record<string, unknown>, RegExp][] = [
    [
      "Action * as a JSON string",
      T.iamPolicy,
      { policy: JSON.stringify(doc(allow("*"))) },
      /Action "\*" grants every action/,
    ],
    [
      "sagemaker:* as an object",
      T.iamRolePolicy,
      { role: "r", policy: doc(allow("sagemaker:*")) },
      /Action "sagemaker:\*"/,
    ],
    [
      "Invoke* pattern in an array, single statement object",
      T.iamUserPolicy,
      {
        user: "u",
        policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: allow(["s3:GetObject", "sagemaker:Invoke*"], ENDPOINT_ARN),
        }),
      },
      /Action "sagemaker:Invoke\*" is a wildcard/,
    ],
    [
      "mixed-case service and action on *",
      T.iamGroupPolicy,
      { group: "g", policy: doc(allow("SageMaker:invokeENDPOINT", "*")) },
      /Resource "\*" for "SageMaker:invokeENDPOINT"/,
    ],
    [
      "NotAction that leaves SageMaker in",
      T.iamPolicy,
      {
        policy: doc({
          Sid: "AllButIam",
          Effect: "Allow",
          NotAction: ["iam:*", "organizations:*"],
          Resource: "*",
        }),
      },
      /statement "AllButIam" \(Statement\[0\]\): NotAction/,
    ],
    [
      "wildcard endpoint ARN",
      T.iamPolicy,
      {
        policy: doc(allow("sagemaker:InvokeEndpoint", "arn:aws:sagemaker:eu-west-1:111122223333:endpoint/*")),
      },
      /Resource "arn:aws:sagemaker:eu-west-1:111122223333:endpoint\/\*"/,
    ],
    [
      "NotResource on a scopable action",
      T.iamPolicy,
      { policy: doc({ Effect: "Allow", Action: "sagemaker:DeleteEndpoint", NotResource: ENDPOINT_ARN }) },
      /NotResource .* grants these actions on every resource/,
    ],
    [
      "second statement flagged by index when it has no Sid",
      T.iamPolicy,
      {
        policy: doc(
          allow("s3:GetObject", "arn:aws:s3:::b/*"),
          allow("sagemaker:CreateTrainingJob", "arn:aws:sagemaker:*:*:*"),
        ),
      },
      /Statement\[1\]: Resource "arn:aws:sagemaker:\*:\*:\*"/,
    ],
    [
      "Role inline policy",
      T.iamRole,
      {
        assumeRolePolicy: "{}",
        inlinePolicies: [{ name: "invoke", policy: JSON.stringify(doc(allow("sagemaker:*"))) }],
      },
      /inlinePolicies\[0\] \("invoke"\)/,
    ],
    [
      "service wildcard in the prefix",
      T.iamPolicy,
      { policy: doc(allow("sage*:Describe*")) },
      /Action "sage\*:Describe\*"/,
    ],
    [
      "malformed JSON document",
      T.iamPolicy,
      { policy: '{"Version": "2012-10-17", "Statement": [' },
      /not valid JSON/,
    ],
  ];
  test.each(cases)("%s", async (_name, type, props, message) => {
    const v = await violations(type, props);
    expect(v.length).toBeGreaterThan(0);
    expect(v[0].enforcementLevel).toBe("mandatory");
    expect(v[0].severity).toBe("critical");
    expect(v.map((d) => d.message).join("\n")).toMatch(message);
    expect(v[0].message).toMatch(/Fix: /);
  });
});

describe("AWS-managed policies that grant SageMaker wildcards, in every partition", () => {
  const partitions = ["aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-eusc"];
  test.each(partitions)("AmazonSageMakerFullAccess via RolePolicyAttachment in %s", async (partition) => {
    const v = await violations(T.iamRolePolicyAttachment, {
      role: "lambda-role",
      policyArn: `arn:${partition}:iam::aws:policy/AmazonSageMakerFullAccess`,
    });
    expect(v).toHaveLength(1);
    expect(v[0].message).toMatch(/AmazonSageMakerFullAccess .*"sagemaker:\*"/);
    expect(v[0].message).toMatch(/sagemaker:InvokeEndpoint on arn:<partition>:sagemaker/);
  });

  const carriers: [string, string, Record<string, unknown>][] = [
    [
      "AdministratorAccess on a user",
      T.iamUserPolicyAttachment,
      { user: "u", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" },
    ],
    [
      "PowerUserAccess on a group",
      T.iamGroupPolicyAttachment,
      { group: "g", policyArn: "arn:aws:iam::aws:policy/PowerUserAccess" },
    ],
    [
      "DataScientist job function via PolicyAttachment",
      T.iamPolicyAttachment,
      { policyArn: "arn:aws:iam::aws:policy/job-function/DataScientist", roles: ["r"] },
    ],
    [
      "managedPolicyArns of a Role",
      T.iamRole,
      { assumeRolePolicy: "{}", managedPolicyArns: ["arn:aws-cn:iam::aws:policy/AmazonSageMakerFullAccess"] },
    ],
    [
      "RolePolicyAttachmentsExclusive",
      T.iamRolePolicyAttachmentsExclusive,
      { roleName: "r", policyArns: ["arn:aws:iam::aws:policy/AmazonSageMakerReadOnly"] },
    ],
  ];
  test.each(carriers)("%s", async (_n, type, props) => {
    expect(await violations(type, props)).toHaveLength(1);
  });
});

describe("clean documents", () => {
  const cases: [string, string, Record<string, unknown>][] = [
    [
      "InvokeEndpoint on exactly one endpoint",
      T.iamRolePolicy,
      { role: "r", policy: JSON.stringify(doc(allow("sagemaker:InvokeEndpoint", ENDPOINT_ARN))) },
    ],
    [
      "Deny sagemaker:* is never a violation",
      T.iamPolicy,
      { policy: doc({ Effect: "Deny", Action: "sagemaker:*", Resource: "*" }) },
    ],
    [
      "Deny with NotAction",
      T.iamPolicy,
      { policy: doc({ Effect: "Deny", NotAction: "iam:*", Resource: "*" }) },
    ],
    [
      "List-only actions AWS allows only on *",
      T.iamPolicy,
      {
        policy: doc(
          allow(["sagemaker:ListEndpoints", "sagemaker:ListTrainingJobs", "sagemaker:Search"], "*"),
        ),
      },
    ],
    [
      "mixed-case list-only action",
      T.iamPolicy,
      { policy: JSON.stringify(doc(allow("SAGEMAKER:listmodels"))) },
    ],
    [
      "NotAction that excludes all of SageMaker",
      T.iamPolicy,
      { policy: doc({ Effect: "Allow", NotAction: ["sagemaker:*", "iam:*"], Resource: "arn:aws:s3:::b/*" }) },
    ],
    [
      "other services with wildcards",
      T.iamPolicy,
      { policy: doc(allow("s3:*", "arn:aws:s3:::bucket/*"), allow("logs:CreateLogStream", "*")) },
    ],
    [
      "KMS key referenced by alias: key/* with kms:ResourceAliases",
      T.iamPolicy,
      {
        policy: doc(
          allow(["kms:Decrypt", "kms:GenerateDataKey"], "arn:aws:kms:eu-west-1:111122223333:key/*", {
            Condition: { "ForAnyValue:StringEquals": { "kms:ResourceAliases": "alias/ml-platform" } },
          }),
        ),
      },
    ],
    [
      "name-prefix wildcard for training jobs",
      T.iamPolicy,
      {
        policy: doc(
          allow(
            ["sagemaker:CreateTrainingJob", "sagemaker:DescribeTrainingJob"],
            "arn:aws:sagemaker:eu-west-1:111122223333:training-job/dogs-*",
          ),
        ),
      },
    ],
    [
      "sagemaker-geospatial is another service",
      T.iamPolicy,
      { policy: doc(allow("sagemaker-geospatial:ListEarthObservationJobs", "*")) },
    ],
    [
      "AWS-managed policy without SageMaker wildcards",
      T.iamRolePolicyAttachment,
      { role: "r", policyArn: "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole" },
    ],
    [
      "Role whose trust policy is unknown but has no SageMaker grants",
      T.iamRole,
      { assumeRolePolicy: UNKNOWN, inlinePolicies: [] },
    ],
  ];
  test.each(cases)("%s", async (_name, type, props) => {
    expect(await violations(type, props)).toEqual([]);
  });
});

describe("unknown values: certain findings stay, what depends on the unknown is not checked", () => {
  test("an unknown policy document is not checked, for that resource, as an advisory", async () => {
    const result = await client.preview([{ type: T.iamPolicy, name: "p", props: { policy: UNKNOWN } }]);
    expect(result.diagnostics).toHaveLength(1);
    expect(result.diagnostics[0]).toMatchObject({
      enforcementLevel: "advisory",
      urn: urnOf(T.iamPolicy, "p"),
      message: expect.stringMatching(
        /^not checked: Policy "p" policy: the policy document is unknown at preview/,
      ),
    });
  });

  test("an unknown Resource matters only when the statement grants scopable SageMaker actions", async () => {
    const unrelated = await client.preview([
      { type: T.iamPolicy, name: "p", props: { policy: doc(allow("s3:GetObject", UNKNOWN)) } },
    ]);
    expect(unrelated.diagnostics).toEqual([]);
    const related = await client.preview([
      { type: T.iamPolicy, name: "p", props: { policy: doc(allow("sagemaker:InvokeEndpoint", UNKNOWN)) } },
    ]);
    expect(notChecked(related, POLICY).map((d) => d.message)).toEqual([
      expect.stringMatching(/Statement\[0\] Resource of this IAM policy is unknown at preview/),
    ]);
  });

  test("each list element on its own: a known wildcard next to an unknown action is a finding", async () => {
    const result = await client.preview([
      { type: T.iamPolicy, name: "p", props: { policy: doc(allow(["sagemaker:*", UNKNOWN], "*")) } },
    ]);
    expect(findingsOf(result, POLICY).map((d) => d.message)).toEqual([
      expect.stringMatching(/Statement\[0\]: Action "sagemaker:\*"/),
    ]);
    expect(notChecked(result, POLICY)[0].message).toMatch(/Statement\[0\] Action\[1\]/);
  });

  test("an unknown Effect: the statement is not checked, a Deny-able grant is not a finding", async () => {
    const result = await client.preview([
      {
        type: T.iamPolicy,
        name: "p",
        props: { policy: doc({ Effect: UNKNOWN, Action: "sagemaker:*", Resource: "*" }) },
      },
    ]);
    expect(findingsOf(result, POLICY)).toEqual([]);
    expect(notChecked(result, POLICY)[0].message).toMatch(/Statement\[0\] Effect/);
    const harmless = await client.preview([
      {
        type: T.iamPolicy,
        name: "p",
        props: { policy: doc({ Effect: UNKNOWN, Action: "s3:GetObject", Resource: "*" }) },
      },
    ]);
    expect(harmless.diagnostics).toEqual([]);
  });

  test("an unknown statement in the list does not hide the others", async () => {
    const result = await client.preview([
      {
        type: T.iamRolePolicy,
        name: "rp",
        props: { role: "r", policy: { Version: "2012-10-17", Statement: [UNKNOWN, allow("*")] } },
      },
    ]);
    expect(findingsOf(result, POLICY)[0].message).toMatch(/Statement\[1\]: Action "\*"/);
    expect(notChecked(result, POLICY)[0].message).toMatch(/Statement\[0\] the statement/);
  });

  test("an attachment of a policy created in the stack (ARN unknown at preview) is that policy, judged on its own", async () => {
    const result = await client.preview([
      {
        type: T.iamPolicy,
        name: "scoped",
        props: { policy: doc(allow("sagemaker:InvokeEndpoint", ENDPOINT_ARN)) },
      },
      {
        type: T.iamRolePolicyAttachment,
        name: "att",
        props: { role: "r", policyArn: UNKNOWN },
        propertyDependencies: { policyArn: [urnOf(T.iamPolicy, "scoped")] },
      },
    ]);
    expect(result.diagnostics).toEqual([]);
  });

  test("an unknown policy ARN that comes from no policy of the stack is not checked", async () => {
    const result = await client.preview([
      { type: T.iamRolePolicyAttachment, name: "att", props: { role: "r", policyArn: UNKNOWN } },
    ]);
    expect(notChecked(result, POLICY)).toEqual([
      expect.objectContaining({
        urn: urnOf(T.iamRolePolicyAttachment, "att"),
        message: expect.stringMatching(
          /^not checked: RolePolicyAttachment "att" policyArn: the policy ARN is unknown/,
        ),
      }),
    ]);
  });
});

describe("every IAM carrier of @pulumi/aws v7", () => {
  const FULL = "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess";
  const cases: [string, string, Record<string, unknown>, RegExp][] = [
    [
      "UserPolicyAttachmentsExclusive",
      T.iamUserPolicyAttachmentsExclusive,
      { userName: "u", policyArns: [FULL] },
      /policyArns\[0\]/,
    ],
    [
      "GroupPolicyAttachmentsExclusive",
      T.iamGroupPolicyAttachmentsExclusive,
      {
        groupName: "g",
        policyArns: ["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole", FULL],
      },
      /policyArns\[1\]/,
    ],
    [
      "Identity Center ManagedPolicyAttachment",
      T.ssoadminManagedPolicyAttachment,
      {
        instanceArn: "i",
        permissionSetArn: "ps",
        managedPolicyArn: "arn:aws:iam::aws:policy/AdministratorAccess",
      },
      /managedPolicyArn: attaches the AWS-managed policy AdministratorAccess/,
    ],
    [
      "Identity Center ManagedPolicyAttachmentsExclusive",
      T.ssoadminManagedPolicyAttachmentsExclusive,
      { instanceArn: "i", permissionSetArn: "ps", managedPolicyArns: [FULL] },
      /managedPolicyArns\[0\]/,
    ],
    [
      "Identity Center PermissionSetInlinePolicy",
      T.ssoadminPermissionSetInlinePolicy,
      {
        instanceArn: "i",
        permissionSetArn: "ps",
        inlinePolicy: JSON.stringify(doc(allow("sagemaker:Create*"))),
      },
      /inlinePolicy: this permission set's inline policy Statement\[0\]: Action "sagemaker:Create\*"/,
    ],
  ];
  test.each(cases)("%s", async (_n, type, props, message) => {
    const v = await violations(type, props);
    expect(v).toHaveLength(1);
    expect(v[0].message).toMatch(message);
    expect(v[0].urn).toBe(urnOf(type, "subject"));
  });
});

describe("customer-managed policies that already exist in the account (export, default version)", () => {
  beforeEach(() => client.configure({ [POLICY]: { inventoryFile: AUTH } }));

  test("attached by ARN: judged by its default version (URL-encoded, as the API returns it)", async () => {
    const v = await violations(T.iamRolePolicyAttachment, {
      role: "r",
      policyArn: `arn:aws:iam::${ACCOUNT}:policy/legacy-sagemaker-admin`,
    });
    expect(v).toHaveLength(1);
    expect(v[0].message).toMatch(
      new RegExp(
        `policyArn: attaches the customer-managed policy legacy-sagemaker-admin \\(arn:aws:iam::${ACCOUNT}:policy/legacy-sagemaker-admin\\) from the account \\(source: offline authorization-details export .*\\), whose the default version v2 statement "Everything" \\(Statement\\[0\\]\\): Action "sagemaker:\\*"`,
      ),
    );
  });

  test("a scoped one is clean, also in a Role's managedPolicyArns", async () => {
    expect(
      await violations(T.iamRole, {
        assumeRolePolicy: "{}",
        managedPolicyArns: [`arn:aws:iam::${ACCOUNT}:policy/invoke-dogs`],
      }),
    ).toEqual([]);
  });

  test("Identity Center CustomerManagedPolicyAttachment by name and path", async () => {
    const v = await violations(T.ssoadminCustomerManagedPolicyAttachment, {
      instanceArn: "i",
      permissionSetArn: "ps",
      customerManagedPolicyReference: { name: "legacy-sagemaker-admin", path: "/" },
    });
    expect(v[0].message).toMatch(
      /customerManagedPolicyReference: attaches the customer-managed policy legacy-sagemaker-admin/,
    );
  });

  test("an ARN in neither the stack nor the export is not checked", async () => {
    const result = await client.preview([
      {
        type: T.iamRolePolicyAttachment,
        name: "att",
        props: { role: "r", policyArn: `arn:aws:iam::${ACCOUNT}:policy/gone` },
      },
    ]);
    expect(notChecked(result, POLICY)[0].message).toMatch(
      /policy\/gone is neither created by this stack nor in offline authorization-details export/,
    );
  });

  test("without an export: not checked, saying how to make it checkable", async () => {
    await client.configure();
    const result = await client.preview([
      {
        type: T.iamRolePolicyAttachment,
        name: "att",
        props: { role: "r", policyArn: `arn:aws:iam::${ACCOUNT}:policy/legacy-sagemaker-admin` },
      },
    ]);
    expect(notChecked(result, POLICY)).toEqual([
      expect.objectContaining({
        enforcementLevel: "advisory",
        message: expect.stringMatching(/no account facts: give an offline export/),
      }),
    ]);
  });

  test("a policy this stack creates, attached by its known ARN, is judged as its own resource only", async () => {
    const result = await client.preview([
      { type: T.iamPolicy, name: "own", props: { name: "own-admin", policy: doc(allow("sagemaker:*")) } },
      {
        type: T.iamRolePolicyAttachment,
        name: "att",
        props: { role: "r", policyArn: `arn:aws:iam::${ACCOUNT}:policy/own-admin` },
      },
    ]);
    expect(findingsOf(result, POLICY).map((d) => d.urn)).toEqual([urnOf(T.iamPolicy, "own")]);
    expect(unchecked(result)).toEqual([]);
  });
});

describe("a customer-managed policy used only as a permissions boundary grants nothing", () => {
  const boundary: TestResource = {
    type: T.iamPolicy,
    name: "boundary",
    props: { name: "ml-boundary", policy: doc(allow(["sagemaker:*", "s3:*"])) },
  };
  const role = (extra: object = {}): TestResource => ({
    type: T.iamRole,
    name: "app",
    props: {
      assumeRolePolicy: "{}",
      permissionsBoundary: `arn:aws:iam::${ACCOUNT}:policy/ml-boundary`,
      ...extra,
    },
  });

  test("a boundary of a role (by known ARN) and of a user (by dependency): no finding", async () => {
    const result = await client.preview([
      boundary,
      role(),
      {
        type: T.iamUser,
        name: "u",
        props: { name: "u", permissionsBoundary: UNKNOWN },
        propertyDependencies: { permissionsBoundary: [urnOf(T.iamPolicy, "boundary")] },
      },
    ]);
    expect(result.diagnostics).toEqual([]);
  });

  test("the same policy also attached somewhere grants: a finding", async () => {
    const result = await client.preview([
      boundary,
      role({ managedPolicyArns: [`arn:aws:iam::${ACCOUNT}:policy/ml-boundary`] }),
    ]);
    expect(findingsOf(result, POLICY).map((d) => d.urn)).toEqual([urnOf(T.iamPolicy, "boundary")]);
  });

  test("a policy the stack does not use at all is still judged (someone will attach it)", async () => {
    const result = await client.preview([boundary]);
    expect(findingsOf(result, POLICY)).toHaveLength(1);
  });
});

describe("analyzer behaviour", () => {
  test("config: enforcement level and exemptions come from --policy-pack-config", async () => {
    await client.configure({
      [POLICY]: {
        enforcementLevel: "advisory",
        exemptPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"],
      },
    });
    const admin = await client.preview([
      {
        type: T.iamRolePolicyAttachment,
        props: { role: "r", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" },
      },
    ]);
    expect(admin.diagnostics).toEqual([]);
    const full = await client.preview([{ type: T.iamPolicy, props: { policy: doc(allow("sagemaker:*")) } }]);
    expect(full.diagnostics[0].enforcementLevel).toBe("advisory");
  });

  test("config: prefix wildcards can be forbidden", async () => {
    await client.configure({ [POLICY]: { allowNamePrefixWildcards: false } });
    const v = await violations(T.iamPolicy, {
      policy: doc(
        allow("sagemaker:InvokeEndpoint", "arn:aws:sagemaker:eu-west-1:111122223333:endpoint/dogs-*"),
      ),
    });
    expect(v).toHaveLength(1);
  });

  test("disabled policies do not run", async () => {
    await client.configure({ [POLICY]: "disabled" });
    const result = await client.preview([{ type: T.iamPolicy, props: { policy: doc(allow("*")) } }]);
    expect(result.diagnostics).toEqual([]);
  });

  test("a stack without IAM carriers is answered not applicable", async () => {
    const result = await runStackPolicy(sagemakerNoWildcardPermissions, [
      { type: T.s3Bucket, props: { bucket: "b" } },
    ]);
    expect(result).toEqual({
      reports: [],
      notApplicable: "the stack has no IAM policy, inline policy or policy attachment",
    });
  });

  test("exemptResources names the resource that carries the grant", async () => {
    await client.configure({ [POLICY]: { exemptResources: ["break-glass"] } });
    const result = await client.preview([
      { type: T.iamPolicy, name: "break-glass", props: { policy: doc(allow("*")) } },
      { type: T.iamPolicy, name: "other", props: { policy: doc(allow("*")) } },
    ]);
    expect(violationsOf(result, POLICY).map((d) => d.urn)).toEqual([urnOf(T.iamPolicy, "other")]);
  });
});

describe("messages name the carrier and the place exactly", () => {
  test.each([
    [T.iamPolicy, "this IAM policy"],
    [T.iamRolePolicy, "this inline role policy"],
    [T.iamUserPolicy, "this inline user policy"],
    [T.iamGroupPolicy, "this inline group policy"],
  ])("%s: %s", async (type, what) => {
    const v = await violations(type, { policy: doc(allow("sagemaker:*")) });
    expect(v[0].message.split("\n")[1]).toMatch(
      new RegExp(`^policy: ${what} Statement\\[0\\]: Action "sagemaker:\\*"`),
    );
  });

  test("a Role's inline policies by index and name; an empty document is no policy", async () => {
    const v = await violations(T.iamRole, {
      assumeRolePolicy: "{}",
      inlinePolicies: [
        { name: "removed", policy: "" },
        { name: "b", policy: JSON.stringify(doc(allow("sagemaker:*"))) },
        { policy: JSON.stringify(doc(allow("*"))) },
      ],
    });
    expect(v.map((d) => d.message.split("\n")[1].split(":")[0])).toEqual([
      'inlinePolicies[1] ("b")',
      "inlinePolicies[2]",
    ]);
    expect(v[0].message).toMatch(/inlinePolicies\[1\] \("b"\): inline policy Statement\[0\]/);
  });

  test("several unknown parts are named together", async () => {
    const result = await client.preview([
      {
        type: T.iamPolicy,
        name: "p",
        props: { policy: doc(allow("sagemaker:InvokeEndpoint", [UNKNOWN, UNKNOWN])) },
      },
    ]);
    expect(notChecked(result, POLICY)[0].message).toMatch(
      /Statement\[0\] Resource\[0\], Statement\[0\] Resource\[1\] of this IAM policy is unknown at preview .*; whether they grant SageMaker by wildcard depends on them\.$/,
    );
    const one = await client.preview([
      { type: T.iamPolicy, name: "p", props: { policy: doc(allow("sagemaker:InvokeEndpoint", UNKNOWN)) } },
    ]);
    expect(notChecked(one, POLICY)[0].message).toMatch(
      /; whether it grants SageMaker by wildcard depends on it\.$/,
    );
  });

  test("an unknown Statement list", async () => {
    const result = await client.preview([
      { type: T.iamPolicy, name: "p", props: { policy: { Version: "2012-10-17", Statement: UNKNOWN } } },
    ]);
    expect(notChecked(result, POLICY)[0].message).toMatch(
      /^not checked: Policy "p" policy: the policy's Statement list is unknown/,
    );
  });

  test("an ARN with blanks around it is still judged; what is not a managed policy ARN attaches nothing", async () => {
    expect(
      await violations(T.iamRolePolicyAttachment, {
        role: "r",
        policyArn: " arn:aws:iam::aws:policy/AdministratorAccess ",
      }),
    ).toHaveLength(1);
    expect(
      await violations(T.iamRolePolicyAttachment, {
        role: "r",
        policyArn: `arn:aws:iam::${ACCOUNT}:role/not-a-policy`,
      }),
    ).toEqual([]);
  });
});

describe("IAM Identity Center customer-managed policy references", () => {
  const ref = (reference: unknown): TestResource => ({
    type: T.ssoadminCustomerManagedPolicyAttachment,
    name: "cmp",
    props: { instanceArn: "i", permissionSetArn: "ps", customerManagedPolicyReference: reference },
  });
  beforeEach(() => client.configure({ [POLICY]: { inventoryFile: AUTH } }));

  test("the path defaults to /, and a policy found under its path is judged (clean here)", async () => {
    expect((await client.preview([ref({ name: "force-mfa", path: "/humans/" })])).diagnostics).toEqual([]);
    const wrongPath = await client.preview([ref({ name: "force-mfa" })]);
    expect(notChecked(wrongPath, POLICY)[0].message).toBe(
      'not checked: CustomerManagedPolicyAttachment "cmp" customerManagedPolicyReference: the customer-managed policy "/force-mfa" is neither created by this stack nor in offline authorization-details export ' +
        `${AUTH}; IAM Identity Center looks it up in each account the permission set is provisioned to, so judge it there.`,
    );
  });

  test("a fix that names the policy's next default version", async () => {
    const v = await violations(T.ssoadminCustomerManagedPolicyAttachment, {
      instanceArn: "i",
      permissionSetArn: "ps",
      customerManagedPolicyReference: { name: "legacy-sagemaker-admin", path: "" },
    });
    expect(v[0].message).toMatch(
      / \(in a new default version of legacy-sagemaker-admin\), or attach a policy scoped that way instead\.$/,
    );
  });

  test("a reference to a policy the stack creates needs no export", async () => {
    await client.configure();
    const result = await client.preview([
      {
        type: T.iamPolicy,
        name: "own",
        props: { name: "own-scoped", policy: doc(allow("sagemaker:InvokeEndpoint", ENDPOINT_ARN)) },
      },
      ref({ name: "own-scoped" }),
    ]);
    expect(result.diagnostics).toEqual([]);
  });

  test("unknown references and names are not checked", async () => {
    const whole = await client.preview([ref(UNKNOWN)]);
    expect(notChecked(whole, POLICY)[0].message).toMatch(
      /^not checked: CustomerManagedPolicyAttachment "cmp" customerManagedPolicyReference: the customer-managed policy reference is unknown/,
    );
    const name = await client.preview([ref({ name: UNKNOWN })]);
    expect(notChecked(name, POLICY)[0].message).toMatch(
      /customerManagedPolicyReference\.name: the policy name is unknown/,
    );
  });

  test("no export: not checked, naming the reference", async () => {
    await client.configure();
    const result = await client.preview([ref({ name: "legacy-sagemaker-admin" })]);
    expect(notChecked(result, POLICY)[0].message).toMatch(
      /attaches the customer-managed policy "\/legacy-sagemaker-admin" \(customerManagedPolicyReference\), which this stack does not create; no account facts/,
    );
  });

  test("a boundary given by reference (PermissionsBoundaryAttachment) grants nothing", async () => {
    const result = await client.preview([
      {
        type: T.iamPolicy,
        name: "boundary",
        props: { name: "ml-boundary", policy: doc(allow("sagemaker:*")) },
      },
      {
        type: T.ssoadminPermissionsBoundaryAttachment,
        name: "pb",
        props: {
          instanceArn: "i",
          permissionSetArn: "ps",
          permissionsBoundary: { customerManagedPolicyReference: { name: "ml-boundary", path: "/" } },
        },
      },
    ]);
    expect(result.diagnostics).toEqual([]);
  });
});

describe("exports that cannot answer", () => {
  test("an export listing a customer-managed policy without versions, and a credential report alone", async () => {
    const fs = await import("fs");
    const os = await import("os");
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "wild-")), "auth.json");
    fs.writeFileSync(
      file,
      JSON.stringify({
        Policies: [{ PolicyName: "bare", Arn: `arn:aws:iam::${ACCOUNT}:policy/bare`, PolicyVersionList: [] }],
      }),
    );
    await client.configure({ [POLICY]: { inventoryFile: file } });
    const attach: TestResource = {
      type: T.iamRolePolicyAttachment,
      name: "att",
      props: { role: "r", policyArn: `arn:aws:iam::${ACCOUNT}:policy/bare` },
    };
    expect(notChecked(await client.preview([attach]), POLICY)[0].message).toMatch(
      /lists the customer-managed policy arn:aws:iam::111122223333:policy\/bare without its versions, so what it grants cannot be judged/,
    );
    clearInventoryCache();
    process.env.ML_PLATFORM_CREDENTIAL_REPORT = path.join(__dirname, "fixtures", "credential-report.csv");
    try {
      await client.configure();
      expect(notChecked(await client.preview([attach]), POLICY)[0].message).toMatch(
        /offline credential report .* has no managed policies \(give an authorization-details export\)/,
      );
    } finally {
      delete process.env.ML_PLATFORM_CREDENTIAL_REPORT;
    }
  });
});
