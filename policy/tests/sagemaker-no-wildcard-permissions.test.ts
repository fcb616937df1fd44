import { sagemakerNoWildcardPermissions } from "../policies/sagemaker-no-wildcard-permissions";
import { T } from "../lib/resource-types";
import { AnalyzerClient, UNKNOWN, previewAdvisories, startInProcessAnalyzer, violationsOf } from "./util";

const POLICY = "sagemaker-no-wildcard-permissions";
const ENDPOINT_ARN = "arn:aws:sagemaker:eu-west-1:111122223333:endpoint/dog-breeds-prod";

let client: AnalyzerClient;
let stop: () => void;

beforeAll(async () => {
  ({ client, stop } = await startInProcessAnalyzer([sagemakerNoWildcardPermissions]));
});
afterAll(() => stop());
beforeEach(() => client.configure());

function doc(...statements: object[]) {
  return { Version: "2012-10-17", Statement: statements };
}
const allow = (Action: unknown, Resource: unknown = "*", extra: object = {}) => ({
  Effect: "Allow",
  Action,
  Resource,
  ...extra,
});

async function violations(type: string, props: Record<string, unknown>) {
  const result = await client.analyze({ type, props });
  expect(previewAdvisories(result)).toEqual([]);
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
      "customer-managed policy attachment",
      T.iamRolePolicyAttachment,
      { role: "r", policyArn: "arn:aws:iam::111122223333:policy/invoke-dogs" },
    ],
    [
      "AWS-managed policy without SageMaker wildcards",
      T.iamRolePolicyAttachment,
      { role: "r", policyArn: "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole" },
    ],
    [
      "attachment of a policy created in the stack (ARN unknown in preview)",
      T.iamRolePolicyAttachment,
      { role: "r", policyArn: UNKNOWN },
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

describe("analyzer behaviour", () => {
  test("an unknown policy document gets the analyzer's preview advisory, not a verdict", async () => {
    const result = await client.analyze({ type: T.iamPolicy, props: { policy: UNKNOWN } });
    expect(result.diagnostics).toHaveLength(1);
    expect(result.diagnostics[0].enforcementLevel).toBe("advisory");
    expect(result.diagnostics[0].message).toMatch(
      /can't run policy 'sagemaker-no-wildcard-permissions' .* during preview: string value at \.policy can't be known during preview/,
    );
  });

  test("an unknown Resource matters only when the statement grants scopable SageMaker actions", async () => {
    const unrelated = await client.analyze({
      type: T.iamPolicy,
      props: { policy: doc(allow("s3:GetObject", UNKNOWN)) },
    });
    expect(unrelated.diagnostics).toEqual([]);
    const related = await client.analyze({
      type: T.iamPolicy,
      props: { policy: doc(allow("sagemaker:InvokeEndpoint", UNKNOWN)) },
    });
    expect(related.diagnostics[0].message).toMatch(/during preview/);
  });

  test("config: enforcement level and exemptions come from --policy-pack-config", async () => {
    await client.configure({
      [POLICY]: {
        enforcementLevel: "advisory",
        exemptPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"],
      },
    });
    const admin = await client.analyze({
      type: T.iamRolePolicyAttachment,
      props: { role: "r", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" },
    });
    expect(admin.diagnostics).toEqual([]);
    const full = await client.analyze({ type: T.iamPolicy, props: { policy: doc(allow("sagemaker:*")) } });
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
    const result = await client.analyze({ type: T.iamPolicy, props: { policy: doc(allow("*")) } });
    expect(result.diagnostics).toEqual([]);
  });

  test("other resource types are answered not applicable", async () => {
    const result = await client.analyze({ type: T.s3Bucket, props: { bucket: "b" } });
    expect(result.diagnostics).toEqual([]);
    expect(result.notApplicable[0].policyName).toBe(POLICY);
  });
});
