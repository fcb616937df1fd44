/**
 * The gate's three answers (cli/README.md: Findings, exit codes): violation, clean, could not check. Classification of
 * what packs report, the notChecked list (packs' checks and invokes without an answer), and the exit
 * code each combination gives.
 */
import { Finding, isNotChecked } from "./analysis";
import { exitCodeOf, notChecked, PlanReport } from "./report";

const STACK = "urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev";
const ROLE = "urn:pulumi:dev::p::pulumi:pulumi:Stack$aws:iam/role:Role::app";

const finding = (extra: Partial<Finding>): Finding => ({
  policyPack: "pack",
  policyPackVersion: "1.0.0",
  policy: "p",
  enforcementLevel: "advisory",
  severity: "high",
  urn: ROLE,
  message: "something is wrong",
  description: "",
  kind: "violation",
  ...extra,
});

const report = (findings: Finding[], extra: Partial<PlanReport> = {}): PlanReport =>
  ({
    project: "p",
    stack: "dev",
    programDir: "/repo",
    stackFile: "/repo/Pulumi.dev.yaml",
    sourceRoot: "/repo",
    packs: [],
    resources: [
      { urn: STACK, type: "pulumi:pulumi:Stack", name: "p-dev", dependencies: [], propertyDependencies: {} },
      {
        urn: ROLE,
        type: "aws:iam/role:Role",
        name: "app",
        dependencies: [],
        propertyDependencies: {},
        source: { file: "index.ts", line: 7 },
        fromInvokes: { assumeRolePolicy: [4] },
      },
    ],
    findings,
    cost: { monthlyUsd: 0, maxMonthlyUsd: 0, items: [], notes: [] },
    programOutput: [],
    unresolvedInvokes: [],
    failOnUnchecked: false,
    timings: {},
    ...extra,
  }) as unknown as PlanReport;

test("a check that could not run: the `not checked: ` prefix, or the analyzer's can't-run advisory", () => {
  expect(isNotChecked("not checked: no account facts for role app (pass --inventory)")).toBe(true);
  expect(
    isNotChecked(
      "can't run policy 'iam-require-mfa' from policy pack 'ml-platform-guardrails@v0.1.0' during preview: string value at .policy can't be known during preview",
    ),
  ).toBe(true);
  expect(isNotChecked("Not checked: wrong case")).toBe(false);
  expect(isNotChecked("role app is not checked by anyone")).toBe(false);
});

test.each([
  ["nothing found", [], false, 0],
  ["an advisory violation", [finding({})], false, 0],
  ["a mandatory violation", [finding({ enforcementLevel: "mandatory" })], false, 1],
  [
    "an advisory check that could not run",
    [finding({ kind: "notChecked", message: "not checked: x" })],
    false,
    0,
  ],
  ["... with --fail-on-unchecked", [finding({ kind: "notChecked", message: "not checked: x" })], true, 1],
  [
    "a mandatory check that could not run (requireAccountFacts)",
    [finding({ kind: "notChecked", enforcementLevel: "mandatory", message: "not checked: x" })],
    false,
    1,
  ],
  [
    "a pack error, even beside a mandatory violation",
    [finding({ enforcementLevel: "mandatory" }), finding({ kind: "packError" })],
    false,
    2,
  ],
  ["a remediation", [finding({ kind: "remediation", enforcementLevel: "remediate" })], false, 0],
] as const)("%s -> exit %s", (_, findings, failOnUnchecked, code) => {
  expect(exitCodeOf(report([...findings], { failOnUnchecked }))).toBe(code);
});

test("--fail-on-unchecked counts an invoke without an answer as a check that did not run", () => {
  const invoke = {
    id: 4,
    token: "aws:iam/getPolicyDocument:getPolicyDocument",
    form: "output" as const,
    kind: "no-answer" as const,
    reason: "no offline answer",
    inputsFrom: [],
  };
  expect(exitCodeOf(report([], { unresolvedInvokes: [invoke] }))).toBe(0);
  expect(exitCodeOf(report([], { unresolvedInvokes: [invoke], failOnUnchecked: true }))).toBe(1);
});

test("notChecked: packs' entries without the prefix; invokes per resource they reached, else at the call site", () => {
  const entries = notChecked(
    report(
      [
        finding({
          kind: "notChecked",
          message: "not checked: no facts",
          source: { file: "index.ts", line: 7 },
        }),
      ],
      {
        unresolvedInvokes: [
          {
            id: 4,
            token: "aws:iam/getPolicyDocument:getPolicyDocument",
            form: "output",
            kind: "unknown-inputs",
            reason: "its inputs are unknown at preview",
            inputsFrom: ["urn:pulumi:dev::p::aws:s3/bucket:Bucket::data"],
            site: { uri: "file:///repo/index.ts", line: 5, column: 3 },
          },
          {
            id: 9,
            token: "aws:ec2/getVpc:getVpc",
            form: "plain",
            kind: "no-answer",
            reason: "no offline answer",
            inputsFrom: [],
            site: { uri: "file:///repo/lib/net.ts", line: 12, column: 9 },
          },
        ],
      },
    ),
  );
  expect(entries).toEqual([
    {
      policyPack: "pack",
      policy: "p",
      urn: ROLE,
      reason: "no facts",
      source: { file: "index.ts", line: 7 },
      enforcementLevel: "advisory",
    },
    {
      policyPack: "",
      policy: "",
      urn: ROLE,
      reason:
        "invoke aws:iam/getPolicyDocument:getPolicyDocument (called at index.ts:5): its inputs are unknown at preview " +
        '(inputs from aws:s3/bucket:Bucket data); input "assumeRolePolicy" of aws:iam/role:Role app is unknown, ' +
        "so the policies that read it could not check it",
      source: { file: "index.ts", line: 7 },
      enforcementLevel: "advisory",
      invoke: "aws:iam/getPolicyDocument:getPolicyDocument",
    },
    {
      policyPack: "",
      policy: "",
      urn: STACK,
      reason:
        "invoke aws:ec2/getVpc:getVpc (called at lib/net.ts:12): no offline answer; the program received an unknown " +
        "result, so what it declared from it was not checked",
      source: { file: "lib/net.ts", line: 12, column: 9 },
      enforcementLevel: "advisory",
      invoke: "aws:ec2/getVpc:getVpc",
    },
  ]);
});
