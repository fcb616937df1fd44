/**
 * A fixture program seeded with insecure resources, planned with two packs at once (ours and a
 * third-party style pack): each expected violation appears in text, JSON and SARIF, mandatory ones
 * make the exit code 1, and the SARIF validates against the OASIS 2.1.0 schema (vendored; no
 * network at test time).
 */
import Ajv from "ajv";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PlanJson } from "../../cli/plan/format/json";
import { relativeTo, sourceRoot } from "../../cli/plan/source";
import { FIXTURES, INSECURE_PROGRAM, OUR_PACK, Packs, plan, ROOT, startPacks, TAGS_PACK } from "./support";

const THROWS_PACK = path.join(FIXTURES, "packs", "throws-on-bucket");
/** Sources are relative to the repository root (the program directory when there is no .git). */
const SOURCE_ROOT = sourceRoot(INSECURE_PROGRAM);
const SOURCE_FILE = relativeTo(SOURCE_ROOT, path.join(INSECURE_PROGRAM, "index.ts"));
const SOURCE = fs.readFileSync(path.join(INSECURE_PROGRAM, "index.ts"), "utf8").split("\n");
/** The line that declares the resource `new aws.<type>("<name>"`. */
const lineOf = (declaration: string) => {
  const at = SOURCE.findIndex((l) => l.includes(declaration));
  if (at < 0) throw new Error(`${declaration}: not in the fixture`);
  return at + 1;
};

const ARGS = [
  "--program",
  INSECURE_PROGRAM,
  "--stack",
  "test",
  "--policy-pack",
  OUR_PACK,
  "--policy-pack",
  TAGS_PACK,
];

const EXPECTED = [
  {
    policy: "sagemaker-no-wildcard-permissions",
    level: "mandatory",
    resource: "app-sagemaker",
    says: 'Action "sagemaker:*"',
  },
  {
    policy: "ec2-security-group-no-public-ingress",
    level: "mandatory",
    resource: "ssh",
    says: "port 22 (SSH) to 0.0.0.0/0",
  },
  {
    policy: "s3-bucket-public-access-block",
    level: "mandatory",
    resource: "data",
    says: "no BucketPublicAccessBlock",
  },
  {
    policy: "lambda-function-url-auth",
    level: "mandatory",
    resource: "api",
    says: 'authorizationType is "NONE"',
  },
  { policy: "s3-bucket-encryption", level: "advisory", resource: "data", says: "no default encryption" },
  { policy: "required-tags", level: "advisory", resource: "data", says: "missing tag(s): owner" },
] as const;

let packs: Packs;
beforeAll(async () => {
  packs = await startPacks([OUR_PACK, TAGS_PACK, THROWS_PACK]);
}, 120_000);
afterAll(() => packs?.stop());

test("JSON: the contract's shape plus the documented additive fields, every seeded violation, exit 1", async () => {
  const { code, stdout, stderr } = await plan([...ARGS, "--format", "json"], packs);
  expect(stderr).toBe("");
  expect(code).toBe(1);
  const report = JSON.parse(stdout) as PlanJson;
  expect(Object.keys(report)).toEqual([
    "stack",
    "project",
    "policyConfig",
    "warnings",
    "resources",
    "violations",
    "notChecked",
    "packErrors",
    "cost",
    "autoscaling",
  ]);
  // The insecure program declares no scaling policy.
  expect(report.autoscaling).toEqual([]);
  // Additive (cli/README.md): no policy/config/<stack>.json beside this program, so the defaults.
  expect(report.policyConfig).toMatchObject({ chosenBy: "defaults", files: [] });
  expect(report.warnings).toEqual([]);
  // Idle and maximum next to the typical month.
  expect(Object.keys(report.cost)).toEqual(["monthlyUsd", "idleMonthlyUsd", "monthlyUsdMax", "items"]);
  for (const r of report.resources)
    expect(Object.keys(r)).toEqual([
      "urn",
      "type",
      "name",
      "parent",
      "inputs",
      "dependencies",
      "propertyDependencies",
      "source",
    ]);
  for (const v of report.violations)
    expect(Object.keys(v)).toEqual([
      "policyPack",
      "policy",
      "enforcementLevel",
      "severity",
      "urn",
      "message",
      "kind",
      "source",
    ]);
  for (const i of report.cost.items)
    expect(Object.keys(i)).toEqual(["urn", "description", "monthlyUsd", "idleMonthlyUsd", "monthlyUsdMax"]);

  const urnOf = (name: string, type: string) =>
    report.resources.find((r) => r.name === name && r.type === type)!.urn;
  for (const e of EXPECTED) {
    const found = report.violations.filter(
      (v) => v.policy === e.policy && !/can't run|^not checked: /.test(v.message),
    );
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ enforcementLevel: e.level, message: expect.stringContaining(e.says) });
    expect(found[0].urn.endsWith(`::${e.resource}`)).toBe(true);
  }
  expect(report.violations.find((v) => v.policy === "required-tags")).toMatchObject({
    policyPack: "required-tags",
    severity: "low",
  });
  expect(report.violations.find((v) => v.policy === "sagemaker-no-wildcard-permissions")).toMatchObject({
    policyPack: "ml-platform-guardrails",
    severity: "critical",
    urn: urnOf("app-sagemaker", "aws:iam/rolePolicy:RolePolicy"),
  });

  // A decisive value unknown at preview: "could not check" for that resource,
  // listed in notChecked too.
  const unknownDocument = expect.stringMatching(
    /^not checked: RolePolicy "app-data" policy: the policy document is unknown at preview/,
  );
  const appData = { file: SOURCE_FILE, line: lineOf('new aws.iam.RolePolicy("app-data"') };
  expect(
    report.violations.filter(
      (v) => /can't run policy|^not checked: /.test(v.message) && v.policy !== "iam-require-mfa",
    ),
  ).toEqual([
    {
      policyPack: "ml-platform-guardrails",
      policy: "sagemaker-no-wildcard-permissions",
      enforcementLevel: "advisory",
      severity: "critical",
      urn: urnOf("app-data", "aws:iam/rolePolicy:RolePolicy"),
      message: unknownDocument,
      kind: "notChecked",
      source: appData,
    },
  ]);
  expect(report.notChecked.filter((n) => n.policy !== "iam-require-mfa")).toEqual([
    {
      policyPack: "ml-platform-guardrails",
      policy: "sagemaker-no-wildcard-permissions",
      urn: urnOf("app-data", "aws:iam/rolePolicy:RolePolicy"),
      reason: expect.stringMatching(
        /^RolePolicy "app-data" policy: the policy document is unknown at preview/,
      ),
      source: appData,
    },
  ]);
  expect(report.packErrors).toEqual([]);

  // Findings point at the line that declared the resource; stack-level ones at the stack file.
  expect(
    report.violations.find((v) => v.policy === "sagemaker-no-wildcard-permissions" && v.kind === "violation")!
      .source,
  ).toEqual({
    file: SOURCE_FILE,
    line: lineOf('new aws.iam.RolePolicy("app-sagemaker"'),
  });
  expect(report.resources.find((r) => r.type === "pulumi:pulumi:Stack")!.source).toEqual({
    file: relativeTo(SOURCE_ROOT, path.join(INSECURE_PROGRAM, "Pulumi.test.yaml")),
    line: 1,
  });

  // Dependencies and property dependencies, as the engine records them.
  const fn = report.resources.find((r) => r.type === "aws:lambda/function:Function")!;
  expect(fn.dependencies).toEqual([urnOf("app", "aws:iam/role:Role")]);
  expect(fn.propertyDependencies).toEqual({ role: [urnOf("app", "aws:iam/role:Role")] });
  expect(report.resources.find((r) => r.name === "ssh")!.dependencies).toEqual([]);

  // Values AWS computes are unknown at preview; config from the stack file is known.
  const policyDoc = report.resources.find((r) => r.name === "app-sagemaker")!;
  expect(policyDoc.inputs.role).toBe("[unknown]");
  expect(report.resources.find((r) => r.name === "ssh")!.inputs.ingress).toEqual([
    expect.objectContaining({ cidrBlocks: ["0.0.0.0/0"], fromPort: 22 }),
  ]);
  // The endpoint's instance type is not in the price list: "no price", never a guess.
  const endpointCost = report.cost.items.find(
    (i) => i.urn === urnOf("big", "aws:sagemaker/endpoint:Endpoint"),
  );
  expect(endpointCost).toEqual({
    urn: expect.any(String),
    description: expect.stringContaining("ml.p4d.24xlarge: no price in the price list"),
    monthlyUsd: null,
    idleMonthlyUsd: null,
    monthlyUsdMax: null,
  });
});

test("text: violations grouped by enforcement level, most severe first, with policy, resource and message", async () => {
  const { code, stdout } = await plan(ARGS, packs);
  expect(code).toBe(1);
  const mandatory = stdout.slice(stdout.indexOf("  mandatory (4)"), stdout.indexOf("  advisory ("));
  expect(
    mandatory.indexOf("[critical] sagemaker-no-wildcard-permissions (ml-platform-guardrails)"),
  ).toBeGreaterThan(0);
  expect(mandatory.indexOf("[critical]")).toBeLessThan(mandatory.indexOf("[high]"));
  for (const e of EXPECTED) {
    const block = stdout.slice(stdout.indexOf(`] ${e.policy} (`));
    expect(block).toMatch(
      new RegExp(
        `^\\] ${e.policy} \\([^)]+\\)\\n {6}resource: \\S+ {2}${e.resource} {2}${SOURCE_FILE}:\\d+\\n`,
      ),
    );
    expect(block.slice(0, 2000)).toContain(e.says);
  }
  expect(stdout).toContain("Policy findings (");
  expect(stdout).toMatch(
    /Summary: test: \d+ resources, 4 mandatory, \d+ advisory finding\(s\), 2 not checked, .* -> BLOCKED by mandatory policy \(exit 1\)\n$/,
  );
  expect(stdout).toContain(
    `      resource: aws:iam/rolePolicy:RolePolicy  app-sagemaker  ${SOURCE_FILE}:${lineOf('new aws.iam.RolePolicy("app-sagemaker"')}\n`,
  );
  expect(stdout).toMatch(
    /\nNot checked \(2\)\n {2}\[advisory\] sagemaker-no-wildcard-permissions \(ml-platform-guardrails\)\n/,
  );
  expect(stdout).toContain(
    'Coverage: 2 check(s) could not run (2 by the policy packs, 0 because an invoke had no known answer); see "Not checked"',
  );
});

test("--order: the creation waves, each resource after its parent, provider and dependencies", async () => {
  const { stdout } = await plan([...ARGS, "--order"], packs);
  const section = stdout.slice(stdout.indexOf("Creation order ("), stdout.indexOf("Policy findings ("));
  expect(section).toMatch(/^Creation order \(5 waves: /);
  const wave = (name: string) => {
    const at = section.indexOf(`  ${name}\n`);
    return section.slice(0, at).split("  wave ").length - 1;
  };
  expect(wave("pulumi:pulumi:Stack  insecure-demo-test")).toBe(1);
  expect(wave("pulumi:providers:aws  default_7_48_0")).toBe(1);
  expect(wave("aws:iam/role:Role  app")).toBe(2);
  expect(wave("aws:lambda/function:Function  api")).toBe(3);
  expect(wave("aws:lambda/functionUrl:FunctionUrl  api")).toBe(4);
  // role -> model -> endpoint configuration -> endpoint
  expect(wave("aws:sagemaker/model:Model  big")).toBe(3);
  expect(wave("aws:sagemaker/endpoint:Endpoint  big")).toBe(5);
});

test("a pack that throws on one resource: a packError for it, every other finding kept, exit 2", async () => {
  const argv = [...ARGS, "--policy-pack", THROWS_PACK, "--format", "json"];
  const { code, stdout, stderr } = await plan(argv, packs);
  expect(code).toBe(2);
  const report = JSON.parse(stdout) as PlanJson;
  const bucket = report.resources.find((r) => r.type === "aws:s3/bucket:Bucket")!;
  expect(report.packErrors).toEqual([
    {
      policyPack: "throws-on-bucket",
      urn: bucket.urn,
      message: expect.stringMatching(
        new RegExp(
          `^policy pack throws-on-bucket failed in Analyze for ${bucket.urn.replace(/[$]/g, "\\$")}: ` +
            "Error validating resource with policy 'bucket-naming' from policy pack 'throws-on-bucket@v0.3.0': " +
            "TypeError: Cannot read properties of undefined \\(reading 'startsWith'\\)$",
        ),
      ),
      source: { file: SOURCE_FILE, line: lineOf('new aws.s3.Bucket("data"') },
    },
  ]);
  expect(stderr).toBe(`plan: ${report.packErrors[0].message}\n`);
  // The other packs' findings, on the same resource too, are all there.
  for (const e of EXPECTED)
    expect(report.violations.some((v) => v.policy === e.policy && v.urn.endsWith(`::${e.resource}`))).toBe(
      true,
    );
  const sarif = JSON.parse((await plan([...argv.slice(0, -2), "--format", "sarif"], packs)).stdout);
  expect(sarif.runs[0].invocations[0]).toMatchObject({ executionSuccessful: false, exitCode: 2 });
  expect(sarif.runs[0].invocations[0].toolExecutionNotifications).toContainEqual(
    expect.objectContaining({ level: "error", descriptor: { id: "pack-error" } }),
  );
});

describe("policy config with several packs, as pulumi preview pairs --policy-pack-config", () => {
  const write = (content: unknown) => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "plan-configs-")), "config.json");
    fs.writeFileSync(file, JSON.stringify(content));
    return file;
  };
  const tags = { "required-tags": { enforcementLevel: "mandatory", tags: ["owner", "cost-center"] } };

  test("one file per pack, in --policy-pack order", async () => {
    const ours = write({ "s3-bucket-encryption": "disabled" });
    const theirs = write(tags);
    const { code, stdout } = await plan(
      [...ARGS, "--format", "json", "--policy-config", ours, "--policy-config", theirs],
      packs,
    );
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as PlanJson;
    expect(report.violations.filter((v) => v.policy === "s3-bucket-encryption")).toEqual([]);
    const tagged = report.violations.filter((v) => v.policy === "required-tags");
    expect(tagged.length).toBeGreaterThan(1);
    for (const v of tagged)
      expect(v).toMatchObject({
        enforcementLevel: "mandatory",
        message: expect.stringContaining("cost-center"),
      });
  });

  test("files in the wrong order: a policy the paired pack does not have is an error", async () => {
    const { code, stderr } = await plan(
      [...ARGS, "--policy-config", write(tags), "--policy-config", write({})],
      packs,
    );
    expect(code).toBe(2);
    expect(stderr).toMatch(/unknown policy "required-tags" \(not in policy pack ml-platform-guardrails\)\n$/);
  });

  test("one file for all packs: each entry goes to the pack that has the policy", async () => {
    const both = write({ ...tags, "s3-bucket-encryption": "disabled" });
    const { stdout } = await plan([...ARGS, "--format", "json", "--policy-config", both], packs);
    const report = JSON.parse(stdout) as PlanJson;
    expect(report.violations.filter((v) => v.policy === "s3-bucket-encryption")).toEqual([]);
    expect(
      report.violations
        .filter((v) => v.policy === "required-tags")
        .every((v) => v.enforcementLevel === "mandatory"),
    ).toBe(true);
  });
});

describe("SARIF", () => {
  let sarif: any;
  let out: string;
  beforeAll(async () => {
    out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "plan-sarif-")), "nested", "plan.sarif");
    const { code, stdout } = await plan([...ARGS, "--format", "sarif", "--out", out], packs);
    expect(code).toBe(1);
    expect(stdout).toBe(""); // --out: nothing on stdout
    sarif = JSON.parse(fs.readFileSync(out, "utf8"));
  }, 60_000);

  test("validates against the SARIF 2.1.0 schema", () => {
    const schema = JSON.parse(
      fs.readFileSync(path.join(ROOT, "test", "fixtures", "sarif", "sarif-schema-2.1.0.json"), "utf8"),
    );
    // The schema is draft-04 (`id`, not `$id`): ajv 6 validates it with the draft-04 meta-schema.
    const ajv = new Ajv({ schemaId: "auto", allErrors: true, format: "full" });
    ajv.addMetaSchema(require("ajv/lib/refs/json-schema-draft-04.json"));
    const validate = ajv.compile(schema);
    expect(validate(sarif) ? [] : validate.errors).toEqual([]);
    // ...and the check has teeth: a result with a level SARIF does not define is rejected.
    const broken = JSON.parse(JSON.stringify(sarif));
    broken.runs[0].results[0].level = "critical";
    expect(validate(broken)).toBe(false);
  });

  test("one rule per policy of both packs, with description and help", () => {
    const rules = sarif.runs[0].tool.driver.rules;
    const ids = rules.map((r: any) => r.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        "sagemaker-no-wildcard-permissions",
        "iam-require-mfa",
        "required-tags",
        "max-resources",
      ]),
    );
    expect(new Set(ids).size).toBe(ids.length);
    const wildcard = rules.find((r: any) => r.id === "sagemaker-no-wildcard-permissions");
    expect(wildcard).toMatchObject({
      shortDescription: { text: expect.any(String) },
      fullDescription: { text: expect.stringContaining("SageMaker") },
      help: { text: expect.any(String) },
      defaultConfiguration: { level: "error", enabled: true },
      properties: { policyPack: "ml-platform-guardrails", severity: "critical", "security-severity": "9.5" },
    });
    expect(rules.find((r: any) => r.id === "required-tags").defaultConfiguration.level).toBe("warning");
    expect(sarif.runs[0].tool.extensions.map((e: any) => `${e.name}@${e.version}`)).toEqual([
      "ml-platform-guardrails@0.1.0",
      "required-tags@1.2.0",
    ]);
  });

  test("one result per violation: level from the enforcement level, the URN as logical location", () => {
    const results = sarif.runs[0].results;
    for (const e of EXPECTED) {
      const result = results.find(
        (r: any) => r.ruleId === e.policy && r.locations[0].logicalLocations[0].name === e.resource,
      );
      expect(result.level).toBe(e.level === "mandatory" ? "error" : "warning");
      expect(result.message.text).toContain(e.says);
      const location = result.locations[0].logicalLocations[0];
      expect(location).toMatchObject({ name: e.resource, kind: "resource" });
      expect(location.fullyQualifiedName).toMatch(
        new RegExp(`^urn:pulumi:test::insecure-demo::.*::${e.resource}$`),
      );
      expect(sarif.runs[0].tool.driver.rules[result.ruleIndex].id).toBe(e.policy);
    }
    expect(sarif.runs[0].invocations[0]).toMatchObject({ executionSuccessful: true, exitCode: 1 });
  });

  test("a violation's result has a physicalLocation: the program's file, repository-relative, and the resource's line", () => {
    const result = sarif.runs[0].results.find(
      (r: any) => r.ruleId === "sagemaker-no-wildcard-permissions" && r.level === "error",
    );
    expect(result.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: SOURCE_FILE, uriBaseId: "%SRCROOT%" },
      region: {
        startLine: lineOf('new aws.iam.RolePolicy("app-sagemaker"'),
        startColumn: expect.any(Number),
      },
    });
    expect(sarif.runs[0].originalUriBaseIds).toEqual({ "%SRCROOT%": { uri: `file://${SOURCE_ROOT}/` } });
    // Every result can be shown by code scanning: each has a physical location.
    for (const r of sarif.runs[0].results)
      expect(r.locations[0].physicalLocation.artifactLocation.uri).toMatch(/\S/);
  });
});
