/**
 * Our own dev and prod stacks through the offline plan with our policy pack (./policy) started as
 * the Pulumi CLI starts it: no mandatory violation, and no "can't run policy during preview"
 * advisory from our pack (every guardrail-relevant input is known at preview). Also the ways a
 * stack's config or the policy config can stop a plan (exit 2, one line naming the problem).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { regionProblem } from "../../cli/aws-partitions";
import { PlanJson } from "../../cli/plan/format/json";
import { OUR_PACK, Packs, plan, ROOT, startPacks } from "./support";

let packs: Packs;
beforeAll(async () => {
  packs = await startPacks([OUR_PACK]);
}, 120_000);
afterAll(() => packs?.stop());

const PACK_NAME = "ml-platform-guardrails";

/** The pack's clean account exports: prod's policy config may require account facts. */
const CLEAN_EXPORTS = [
  ...["--inventory", path.join(OUR_PACK, "tests", "fixtures", "authorization-details-clean.json")],
  ...["--credential-report", path.join(OUR_PACK, "tests", "fixtures", "credential-report-clean.csv")],
];

describe.each(["dev", "prod"])("the %s stack", (stack) => {
  const exportsFor = stack === "prod" ? CLEAN_EXPORTS : [];
  test.each([
    ["default policy levels", exportsFor],
    [
      `policy/config/${stack}.json`,
      ["--policy-config", path.join(OUR_PACK, "config", `${stack}.json`), ...exportsFor],
    ],
  ])("plans clean with %s: exit 0, no mandatory violation, no preview advisory", async (_, extra) => {
    const { code, stdout, stderr } = await plan(["--stack", stack, "--format", "json", ...extra], packs);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as PlanJson;
    expect(report).toMatchObject({ stack, project: "ml-platform" });
    expect(report.violations.filter((v) => v.enforcementLevel === "mandatory")).toEqual([]);
    expect(
      report.violations.filter((v) => v.policyPack === PACK_NAME && /can't run policy/.test(v.message)),
    ).toEqual([]);
    // Every resource the program declared is there, each custom one with a parent and a source line.
    expect(report.resources.length).toBeGreaterThan(20);
    expect(report.resources.filter((r) => r.type.startsWith("aws:") && !r.parent)).toEqual([]);
    expect(
      report.resources.filter(
        (r) => !r.source || !/^(components|stacks)\/.+\.ts$|^Pulumi\.\w+\.yaml$/.test(r.source.file),
      ),
    ).toEqual([]);
    expect(report.cost.monthlyUsd).toBeGreaterThan(0);
    // Nothing our own components could have made known is left unchecked: no invoke without an
    // answer, no policy that could not read a value; only the account-fact policies may say they
    // had no facts (no export given here).
    expect(
      report.notChecked.filter((n) => !["iam-no-stale-roles", "iam-require-mfa"].includes(n.policy)),
    ).toEqual([]);
    expect(report.packErrors).toEqual([]);
  });

  test("with the clean account exports: exit 0, nothing mandatory, nothing left unchecked", async () => {
    const { code, stdout, stderr } = await plan(
      [
        ...["--stack", stack, "--format", "json"],
        ...["--policy-config", path.join(OUR_PACK, "config", `${stack}.json`)],
        ...CLEAN_EXPORTS,
      ],
      packs,
    );
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as PlanJson;
    expect(report.violations.filter((v) => v.enforcementLevel === "mandatory")).toEqual([]);
    expect(report.notChecked).toEqual([]);
  });
});

test("prod carries the dependencies the engine would see (issue 10: the JSON names them)", async () => {
  const { stdout } = await plan(["--stack", "prod", "--format", "json"], packs);
  const report = JSON.parse(stdout) as PlanJson;
  const byName = (type: string, name: string) =>
    report.resources.find((r) => r.type === type && r.name === name)!;
  const endpoint = byName("aws:sagemaker/endpoint:Endpoint", "endpoint");
  const config = report.resources.find(
    (r) => r.type === "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
  )!;
  expect(endpoint.dependencies).toContain(config.urn);
  expect(endpoint.propertyDependencies.endpointConfigName).toEqual([config.urn]);
  // Every URN named in a dependency is a resource of the plan.
  const urns = new Set(report.resources.map((r) => r.urn));
  for (const r of report.resources) {
    for (const d of r.dependencies) expect(urns.has(d)).toBe(true);
    for (const list of Object.values(r.propertyDependencies))
      for (const d of list) expect(r.dependencies).toContain(d);
  }
});

test("text output for people: tree, findings, cost table and the summary line", async () => {
  const { code, stdout } = await plan(["--stack", "dev"], packs);
  expect(code).toBe(0);
  expect(stdout).toMatch(/^Offline plan of stack "dev" \(project ml-platform\)/);
  expect(stdout).toMatch(/[├└]─ ml-platform:notebook:NotebookInstance {2}notebook\n/);
  expect(stdout).toMatch(/Policy findings \(\d+\)/);
  expect(stdout).not.toContain("  mandatory (");
  expect(stdout).toMatch(/Monthly cost estimate \(USD, us-east-1 list prices/);
  // idle, typical and max, then what bills.
  expect(stdout).toMatch(
    /sagemaker:NotebookInstance notebook +\d+\.\d\d +\d+\.\d\d +\d+\.\d\d +notebook ml\.t3\.medium x ~176 h/,
  );
  expect(stdout.trimEnd().split("\n").pop()).toMatch(
    /^Summary: dev: \d+ resources, 0 mandatory, \d+ advisory finding\(s\), \d+ not checked, ~\$\d+\.\d\d\/month \(idle \$\d+\.\d\d, max \$\d+\.\d\d\) -> OK \(exit 0\)$/,
  );
  expect(stdout).toMatch(/\nCoverage: /);
});

test("--credential-report and --inventory reach the pack: the account's root without MFA blocks the plan", async () => {
  const fixtures = path.join(OUR_PACK, "tests", "fixtures");
  const report = path.join(fixtures, "credential-report.csv");
  const { code, stdout } = await plan(
    [
      "--format",
      "json",
      "--credential-report",
      report,
      "--inventory",
      path.join(fixtures, "authorization-details.json"),
    ],
    packs,
  );
  expect(code).toBe(1);
  const mfa = (JSON.parse(stdout) as PlanJson).violations.filter((v) => v.policy === "iam-require-mfa");
  expect(mfa).toEqual(
    expect.arrayContaining([
      expect.objectContaining({
        enforcementLevel: "mandatory",
        message: expect.stringMatching(
          new RegExp(`root user of .* has no MFA device \\(source: .*${path.basename(report)}`),
        ),
      }),
    ]),
  );
});

describe("stack config errors stop the plan with exit 2 and name the key", () => {
  let dir: string;
  beforeAll(() => {
    // Our program, with a stack file of our own making beside a copy of Pulumi.yaml.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-config-"));
    fs.writeFileSync(
      path.join(dir, "Pulumi.yaml"),
      `name: ml-platform\nruntime: nodejs\nmain: ${path.join(ROOT, "stacks", "index.ts")}\n`,
    );
    const dev = fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8");
    fs.writeFileSync(
      path.join(dir, "Pulumi.broken.yaml"),
      dev.replace(/idleStopMinutes: \d+/, "idleStopMinutes: 2"),
    );
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("an invalid value: the ConfigError's line, the key named, no stack trace", async () => {
    const { code, stdout, stderr } = await plan(["--program", dir, "--stack", "broken"], packs);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toBe(
      "plan: stack broken of ml-platform: invalid stack configuration (1 problem): " +
        "ml-platform:notebook.idleStopMinutes must be a whole number between 5 and 1440 (got 2)\n",
    );
  });

  const known =
    "(46 regions in 8 partitions are known: aws, aws-cn, aws-eusc, aws-us-gov, aws-iso, aws-iso-b, aws-iso-e, aws-iso-f)";
  test.each([
    ["42", `"42" is not an AWS region ${known}`],
    ["us-east-7", `"us-east-7" is not an AWS region ${known}; did you mean "us-east-1"?`],
  ])("aws:region %s: exit 2 naming the stack file, its line and the value", async (value, says) => {
    const dev = fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8");
    expect(dev).toMatch(/aws:region: \S+/);
    const text = dev.replace(/aws:region: \S+/, `aws:region: ${value}`);
    fs.writeFileSync(path.join(dir, "Pulumi.region.yaml"), text);
    const line = text.split("\n").findIndex((l) => l.includes("aws:region:")) + 1;
    const { code, stdout, stderr } = await plan(["--program", dir, "--stack", "region"], packs);
    expect({ code, stdout }).toEqual({ code: 2, stdout: "" });
    expect(stderr).toBe(`plan: ${path.join(dir, "Pulumi.region.yaml")}:${line}: aws:region: ${says}\n`);
  });

  test("regions of other partitions are accepted (eu-west-1, cn-north-1, us-gov-west-1)", () => {
    for (const region of ["eu-west-1", "cn-north-1", "us-gov-west-1"])
      expect(regionProblem(region)).toBeUndefined();
  });

  test("a stack without its Pulumi.<stack>.yaml", async () => {
    const { code, stderr } = await plan(["--stack", "qa"], packs);
    expect(code).toBe(2);
    expect(stderr).toBe(
      `plan: stack "qa": cannot read ${path.join(ROOT, "Pulumi.qa.yaml")}: no such file (pass --stack <name> for Pulumi.<name>.yaml)\n`,
    );
  });
});

describe("policy config errors stop the plan with exit 2", () => {
  const write = (content: unknown) => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "plan-policy-")), "config.json");
    fs.writeFileSync(file, JSON.stringify(content));
    return file;
  };

  test("an unknown policy name, with the name it probably meant", async () => {
    const file = write({ "iam-require-mfaa": "mandatory" });
    const { code, stderr } = await plan(["--policy-config", file], packs);
    expect(code).toBe(2);
    expect(stderr).toBe(
      `plan: --policy-config ${file}: unknown policy "iam-require-mfaa" (not in policy pack ${PACK_NAME}); did you mean "iam-require-mfa"?\n`,
    );
  });

  test("a bad enforcement level", async () => {
    const file = write({ "iam-require-mfa": "blocking" });
    const { code, stderr } = await plan(["--policy-config", file], packs);
    expect(code).toBe(2);
    expect(stderr).toContain(`"iam-require-mfa": "blocking" is not a valid enforcement level`);
  });

  test("an unknown property (a typo), with the property it probably meant", async () => {
    const file = write({
      "iam-no-stale-roles": { maxUnusedDayz: 30 },
      "iam-require-mfa": { exemptUser: ["bob"] },
    });
    const { code, stdout, stderr } = await plan(["--policy-config", file], packs);
    expect({ code, stdout }).toEqual({ code: 2, stdout: "" });
    expect(stderr).toMatch(
      new RegExp(
        `^plan: --policy-config ${file.replace(/[.]/g, "\\.")}: "iam-no-stale-roles" has no property "maxUnusedDayz" \\(its properties: [^)]*maxUnusedDays[^)]*\\); did you mean "maxUnusedDays"\\?; ` +
          '"iam-require-mfa" has no property "exemptUser" \\(its properties: [^)]*\\); did you mean "exemptUsers"\\?\n$',
      ),
    );
  });

  test('"all" takes only an enforcement level', async () => {
    const file = write({ all: { enforcementLevel: "mandatory", maxUnusedDays: 3 } });
    const { code, stderr } = await plan(["--policy-config", file], packs);
    expect(code).toBe(2);
    expect(stderr).toBe(
      `plan: --policy-config ${file}: "all" takes only an enforcement level (got "maxUnusedDays")\n`,
    );
  });

  test("a property that breaks the policy's config schema", async () => {
    const file = write({ "iam-no-stale-roles": { maxUnusedDays: "ninety" } });
    const { code, stderr } = await plan(["--policy-config", file], packs);
    expect(code).toBe(2);
    expect(stderr).toBe(
      `plan: policy config for pack ${PACK_NAME} is invalid: iam-no-stale-roles: maxUnusedDays should be integer\n`,
    );
  });
});
