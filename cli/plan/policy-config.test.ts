import { AnalyzerInfo, PolicyMeta } from "./analyzer-client";
import { PlanError } from "./errors";
import { checkPolicyNames, parsePolicyConfig, reconcile, validate } from "./policy-config";

function policy(name: string, extra: Partial<PolicyMeta> = {}): PolicyMeta {
  return {
    name,
    displayName: "",
    description: `${name} description`,
    message: "",
    enforcementLevel: "mandatory",
    severity: "high",
    kind: "resource",
    remediationSteps: "",
    url: "",
    ...extra,
  };
}

const pack: AnalyzerInfo = {
  name: "guardrails",
  displayName: "",
  version: "1.0.0",
  description: "",
  supportsConfig: true,
  initialConfig: {},
  policies: [
    policy("iam-no-stale-roles", {
      configSchema: {
        properties: {
          maxUnusedDays: { type: "integer", minimum: 1, default: 90 },
          scope: { type: "string", enum: ["stack", "account"], default: "stack" },
          inventoryFile: { type: "string" },
        },
        required: [],
      },
    }),
    policy("s3-bucket-encryption", { enforcementLevel: "advisory" }),
  ],
};

const parse = (text: string) => parsePolicyConfig(text, "config.json");

test("the CLI's file format: a level, or properties with an optional enforcementLevel", () => {
  expect(
    parse('{"a": "advisory", "b": {"enforcementLevel": "disabled", "x": 1}, "c": {"y": [1]}}').entries,
  ).toEqual({
    a: { enforcementLevel: "advisory", properties: {} },
    b: { enforcementLevel: "disabled", properties: { x: 1 } },
    c: { enforcementLevel: undefined, properties: { y: [1] } },
  });
  expect(parse("  \n").entries).toEqual({});
});

test.each([
  [
    '{"a": "blocking"}',
    '"a": "blocking" is not a valid enforcement level (use one of advisory, mandatory, disabled, remediate)',
  ],
  ['{"a": {"enforcementLevel": 1}}', '"a": enforcementLevel must be a string'],
  ['{"a": 3}', '"a": must be an enforcement level or an object (got 3)'],
  ["[1]", "expected a JSON object of policy names"],
  ["{oops", "not valid JSON"],
])("%s is rejected: %s", (text, message) => {
  expect(() => parse(text)).toThrow(PlanError);
  expect(() => parse(text)).toThrow(message);
});

test("defaults come from each policy's level and schema; all, then the file, then flags override", () => {
  const config = reconcile(
    pack,
    [
      parse(
        '{"all": "advisory", "iam-no-stale-roles": {"maxUnusedDays": 30, "inventoryFile": "from-file.json"}}',
      ),
    ],
    { inventoryFile: "/abs/auth.json", credentialReportFile: "/abs/report.csv" },
  );
  expect(config).toEqual({
    "iam-no-stale-roles": {
      enforcementLevel: "advisory",
      // credentialReportFile is not in this policy's schema, so it is not injected.
      properties: { maxUnusedDays: 30, scope: "stack", inventoryFile: "/abs/auth.json" },
    },
    "s3-bucket-encryption": { enforcementLevel: "advisory", properties: {} },
  });
});

test("a policy left out of the file keeps its default level (mandatory is never silently lost)", () => {
  expect(
    reconcile(pack, [parse('{"s3-bucket-encryption": "disabled"}')])["iam-no-stale-roles"].enforcementLevel,
  ).toBe("mandatory");
});

test("properties are checked against the policy's JSON Schema", () => {
  const config = reconcile(pack, [
    parse('{"iam-no-stale-roles": {"maxUnusedDays": "ninety", "scope": "org"}}'),
  ]);
  expect(validate(pack, config)).toEqual([
    "iam-no-stale-roles: maxUnusedDays should be integer",
    'iam-no-stale-roles: scope should be equal to one of the allowed values ("stack", "account")',
  ]);
});

test("an unknown policy name is an error that suggests the nearest name", () => {
  expect(() => checkPolicyNames(parse('{"iam-no-stale-role": "advisory"}'), [pack])).toThrow(
    'unknown policy "iam-no-stale-role" (not in policy pack guardrails); did you mean "iam-no-stale-roles"?',
  );
  expect(() => checkPolicyNames(parse('{"something-else": "advisory"}'), [pack])).toThrow(
    /unknown policy "something-else" \(not in policy pack guardrails\)$/,
  );
  expect(() =>
    checkPolicyNames(parse('{"all": "advisory", "s3-bucket-encryption": "mandatory"}'), [pack]),
  ).not.toThrow();
});
