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
    [`policy/config/${stack}.json, picked for the stack`, exportsFor],
    [
      `policy/config/${stack}.json given with --policy-config`,
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

test("prod's autoscaling target shows the capacity figure it came from, in text and JSON", async () => {
  const figure = JSON.parse(
    fs.readFileSync(path.join(ROOT, "bench", "capacity", "resnet50-224-2vcpu.json"), "utf8"),
  );
  const target = Math.round(figure.sustainedRequestsPerSecond * 60 * 0.5);
  expect(target).toBe(83); // 2.75 req/s × 60 × 0.5
  const json = JSON.parse((await plan(["--stack", "prod", "--format", "json"], packs)).stdout) as PlanJson;
  const policy = json.resources.find((r) => r.type === "aws:appautoscaling/policy:Policy")!;
  expect(json.autoscaling).toEqual([
    {
      urn: policy.urn,
      name: "endpoint-invocations",
      metric: "SageMakerVariantInvocationsPerInstance",
      targetValue: target,
      derivation: {
        from: "capacity",
        targetValue: target,
        requestsPerSecondPerInstance: 2.75,
        safetyFactor: 0.5,
        capacity: {
          requestsPerSecondPerInstance: 2.75,
          vCpus: 2,
          latencyBoundMs: 1000,
          latencyPercentile: 99,
          source: "bench/capacity/resnet50-224-2vcpu.json",
          measuredAt: figure.measuredAt,
        },
        instanceType: "ml.m5.large",
        instanceVCpus: 2,
      },
      summary: expect.any(String),
    },
  ]);
  const { stdout } = await plan(["--stack", "prod"], packs);
  expect(stdout).toContain(
    "Autoscaling targets (1)\n" +
      "  endpoint-invocations: target 83 invocations/instance/min from bench/capacity/resnet50-224-2vcpu.json " +
      `(2.75 req/s at p99 <= 1000 ms on 2 vCPUs, measured ${figure.measuredAt}) x safety 0.5\n`,
  );
  const line = stdout.split("\n").find((l) => l.startsWith("  endpoint-invocations: "))!;
  expect(json.autoscaling[0].summary).toBe(line.slice("  endpoint-invocations: ".length));
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
  // dev's endpoint is serverless: no target-tracking policy, no autoscaling section.
  expect(stdout).not.toContain("Autoscaling targets");
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

  test("a stack file that is not valid YAML: exit 2, one line with file, line, column and what is wrong", async () => {
    const file = path.join(dir, "Pulumi.yamlerr.yaml");
    fs.writeFileSync(file, "config:\n  aws:region: us-east-1\n  aws:region: eu-west-1\n");
    const { code, stdout, stderr } = await plan(["--program", dir, "--stack", "yamlerr"], packs);
    expect({ code, stdout }).toEqual({ code: 2, stdout: "" });
    expect(stderr).toBe(
      `plan: ${file}:3:3: not valid YAML: key "aws:region" is given twice in the same map (keys must be unique)\n`,
    );
  });

  test("regions of other partitions are accepted (eu-west-1, cn-north-1, us-gov-west-1)", () => {
    for (const region of ["eu-west-1", "cn-north-1", "us-gov-west-1"])
      expect(regionProblem(region)).toBeUndefined();
  });

  test("a stack without its Pulumi.<stack>.yaml: exit 2, listing the stacks that exist", async () => {
    const { code, stdout, stderr } = await plan(["--stack", "nosuch"], packs);
    expect({ code, stdout }).toEqual({ code: 2, stdout: "" });
    expect(stderr).toBe(
      `plan: stack "nosuch": no ${path.join(ROOT, "Pulumi.nosuch.yaml")}; the stacks there: dev, prod (pass --stack <name> for Pulumi.<name>.yaml)\n`,
    );
  });

  test("a program without any stack file says so", async () => {
    const bare = fs.mkdtempSync(path.join(os.tmpdir(), "plan-nostacks-"));
    fs.writeFileSync(path.join(bare, "Pulumi.yaml"), "name: bare\nruntime: nodejs\n");
    const { code, stderr } = await plan(["--program", bare, "--stack", "dev"], packs);
    expect(code).toBe(2);
    expect(stderr).toBe(
      `plan: stack "dev": no ${path.join(bare, "Pulumi.dev.yaml")}; the program has no stack files (Pulumi.<name>.yaml beside Pulumi.yaml)\n`,
    );
    fs.rmSync(bare, { recursive: true, force: true });
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

describe("the policy config of a stack: --policy-config, else policy/config/<stack>.json, else the defaults", () => {
  const json = (stdout: string) => JSON.parse(stdout) as PlanJson;
  const sarifRun = (stdout: string) =>
    (JSON.parse(stdout) as { runs: { properties: Record<string, unknown> }[] }).runs[0].properties;

  test("--stack prod uses policy/config/prod.json: its requireAccountFacts blocks a plan without account facts", async () => {
    const { code, stdout } = await plan(["--stack", "prod", "--format", "json"], packs);
    const report = json(stdout);
    expect(report.policyConfig).toEqual({
      chosenBy: "stack",
      files: ["policy/config/prod.json"],
      stackFile: "policy/config/prod.json",
      description: 'policy/config/prod.json (the file for stack "prod"; --policy-config overrides it)',
    });
    // prod.json makes iam-require-mfa mandatory with requireAccountFacts: no facts, exit 1.
    expect(code).toBe(1);
    expect(
      report.violations.filter((v) => v.enforcementLevel === "mandatory").map((v) => [v.policy, v.kind]),
    ).toEqual([["iam-require-mfa", "notChecked"]]);
  });

  test("text and SARIF name the file too", async () => {
    const text = await plan(["--stack", "prod"], packs);
    expect(text.stdout.split("\n")[2]).toBe(
      '  policy config: policy/config/prod.json (the file for stack "prod"; --policy-config overrides it)',
    );
    const sarif = await plan(["--stack", "prod", "--format", "sarif"], packs);
    expect(sarifRun(sarif.stdout).policyConfig).toMatchObject({
      chosenBy: "stack",
      files: ["policy/config/prod.json"],
    });
  });

  test("--policy-config overrides the stack's file", async () => {
    const dev = path.join(OUR_PACK, "config", "dev.json");
    const { code, stdout } = await plan(
      ["--stack", "prod", "--format", "json", "--policy-config", dev],
      packs,
    );
    expect(code).toBe(0);
    expect(json(stdout).policyConfig).toMatchObject({
      chosenBy: "--policy-config",
      files: ["policy/config/dev.json"],
      description: "policy/config/dev.json (--policy-config)",
    });
  });

  test("a stack without a file of its own: the packs' defaults, and the report says so", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-qa-"));
    fs.writeFileSync(
      path.join(dir, "Pulumi.yaml"),
      `name: ml-platform\nruntime: nodejs\nmain: ${path.join(ROOT, "stacks", "index.ts")}\n`,
    );
    fs.copyFileSync(path.join(ROOT, "Pulumi.dev.yaml"), path.join(dir, "Pulumi.qa.yaml"));
    // Paths are relative to the program directory here (no repository around it).
    const stackFile = "policy/config/qa.json";
    const said = `none: every policy at its pack's defaults (no ${stackFile} for stack "qa"; give one with --policy-config)`;
    const { code, stdout } = await plan(["--program", dir, "--stack", "qa", "--format", "json"], packs);
    expect(code).toBe(0);
    expect(json(stdout).policyConfig).toEqual({
      chosenBy: "defaults",
      files: [],
      stackFile,
      description: said,
    });
    const text = await plan(["--program", dir, "--stack", "qa"], packs);
    expect(text.stdout).toContain(`\n  policy config: ${said}\n`);
    const sarif = await plan(["--program", dir, "--stack", "qa", "--format", "sarif"], packs);
    expect(sarifRun(sarif.stdout).policyConfig).toMatchObject({ chosenBy: "defaults", files: [] });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("a stack's own file that is broken: exit 2 naming it as the stack's policy config", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-broken-policy-"));
    fs.writeFileSync(
      path.join(dir, "Pulumi.yaml"),
      `name: ml-platform\nruntime: nodejs\nmain: ${path.join(ROOT, "stacks", "index.ts")}\n`,
    );
    fs.copyFileSync(path.join(ROOT, "Pulumi.dev.yaml"), path.join(dir, "Pulumi.dev.yaml"));
    fs.mkdirSync(path.join(dir, "policy", "config"), { recursive: true });
    const file = path.join(dir, "policy", "config", "dev.json");
    fs.writeFileSync(file, JSON.stringify({ "iam-require-mfaa": "mandatory" }));
    const { code, stderr } = await plan(["--program", dir], packs);
    expect(code).toBe(2);
    expect(stderr).toBe(
      `plan: policy config ${file} (for stack "dev"): unknown policy "iam-require-mfaa" (not in policy pack ${PACK_NAME}); did you mean "iam-require-mfa"?\n`,
    );
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe("an account export of another account than the stack's (aws:allowedAccountIds)", () => {
  const FIXTURES = path.join(OUR_PACK, "tests", "fixtures");
  const INVENTORY = path.join(FIXTURES, "authorization-details-clean.json"); // account 111122223333
  let dir: string;
  const stack = (name: string, allowed: string) => {
    const dev = fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8");
    fs.writeFileSync(
      path.join(dir, `Pulumi.${name}.yaml`),
      dev.replace(/^config:\n/m, `config:\n  aws:allowedAccountIds: ${allowed}\n`),
    );
    return path.join(dir, `Pulumi.${name}.yaml`);
  };
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-account-"));
    fs.writeFileSync(
      path.join(dir, "Pulumi.yaml"),
      `name: ml-platform\nruntime: nodejs\nmain: ${path.join(ROOT, "stacks", "index.ts")}\n`,
    );
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("is applied with a warning naming both accounts, in text, JSON and SARIF", async () => {
    const file = stack("other", '["444455556666"]');
    const warning =
      `--inventory ${INVENTORY} is an export of account 111122223333, but the stack deploys to account 444455556666 ` +
      `(aws:allowedAccountIds in ${file}): its facts are applied anyway, so findings from them are about account 111122223333`;
    const argv = ["--program", dir, "--stack", "other", "--inventory", INVENTORY];
    const json = await plan([...argv, "--format", "json"], packs);
    expect(json.code).toBe(0);
    expect((JSON.parse(json.stdout) as PlanJson).warnings).toEqual([
      { kind: "account-mismatch", message: warning },
    ]);
    const text = await plan(argv, packs);
    expect(text.stdout.split("\n").slice(0, 6)).toContain(`  warning: ${warning}`);
    const sarif = await plan([...argv, "--format", "sarif"], packs);
    const notifications = (
      JSON.parse(sarif.stdout) as { runs: { invocations: { toolExecutionNotifications: unknown[] }[] }[] }
    ).runs[0].invocations[0].toolExecutionNotifications;
    expect(notifications).toContainEqual({
      level: "warning",
      message: { text: warning },
      descriptor: { id: "account-mismatch" },
    });
  });

  test("the stack's own account, or no aws:allowedAccountIds: no warning", async () => {
    stack("same", '["111122223333", "444455556666"]');
    const same = await plan(
      ["--program", dir, "--stack", "same", "--inventory", INVENTORY, "--format", "json"],
      packs,
    );
    expect(same.code).toBe(0);
    expect((JSON.parse(same.stdout) as PlanJson).warnings).toEqual([]);
    const { stdout } = await plan(["--stack", "dev", "--inventory", INVENTORY, "--format", "json"], packs);
    expect((JSON.parse(stdout) as PlanJson).warnings).toEqual([]);
  });

  test("with requireAccountFacts on (prod's policy config): exit 2, another account cannot stand in", async () => {
    const file = stack("strict", '["444455556666"]');
    const { code, stdout, stderr } = await plan(
      [
        ...["--program", dir, "--stack", "strict", "--inventory", INVENTORY],
        ...["--policy-config", path.join(OUR_PACK, "config", "prod.json")],
      ],
      packs,
    );
    expect({ code, stdout }).toEqual({ code: 2, stdout: "" });
    expect(stderr).toBe(
      `plan: --inventory ${INVENTORY} is an export of account 111122223333, but the stack deploys to account 444455556666 ` +
        `(aws:allowedAccountIds in ${file}); requireAccountFacts is on for iam-no-stale-roles, iam-require-mfa, ` +
        "which need the facts of the stack's own account: pass that account's export\n",
    );
  });

  test("aws:allowedAccountIds that is not a list of account ids: exit 2 naming the file and line", async () => {
    const file = stack("badids", '["4444"]');
    const { code, stderr } = await plan(["--program", dir, "--stack", "badids"], packs);
    expect(code).toBe(2);
    const line =
      fs
        .readFileSync(file, "utf8")
        .split("\n")
        .findIndex((l) => l.includes("aws:allowedAccountIds")) + 1;
    expect(stderr).toBe(
      `plan: ${file}:${line}: aws:allowedAccountIds must be a list of 12-digit AWS account ids (got ["4444"])\n`,
    );
  });
});
