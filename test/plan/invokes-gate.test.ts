/**
 * The gate fails closed where real programs live: IAM built with invokes. With our pack started
 * once, the plan runs fixture programs (test/fixtures/plan/invokes-program, one stack per case):
 *   - a wildcard that exists only inside getPolicyDocumentOutput / getPolicyDocument is found
 *     (exit 1), because the plan computes the document as the provider does;
 *   - account look-ups are answered from --inventory (a wildcard in an existing managed policy's
 *     default version is judged), and without it are "not checked" in JSON, SARIF and text;
 *   - an invoke the plan has no answer for yields unknowns traced to the resources that use them,
 *     listed as not checked (exit 1 with --fail-on-unchecked), never an empty "clean" result;
 *   - a look-up of a role that does not exist fails as the provider fails (exit 2);
 *   - an --inventory / --credential-report that cannot be parsed is exit 2 naming file and line.
 */
import Ajv from "ajv";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PlanJson } from "../../cli/plan/format/json";
import { relativeTo, sourceRoot } from "../../cli/plan/source";
import { FIXTURES, OUR_PACK, Packs, plan, ROOT, startPacks } from "./support";

const PROGRAM = path.join(FIXTURES, "invokes-program");
const INVENTORY = path.join(FIXTURES, "authorization-details.json");
const SOURCE = fs.readFileSync(path.join(PROGRAM, "index.ts"), "utf8").split("\n");
/** Sources are relative to the repository root (the program directory when there is no .git). */
const FILE = relativeTo(sourceRoot(PROGRAM), path.join(PROGRAM, "index.ts"));
const FILE_RE = FILE.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

/** The line of the first `needle` after the line holding `after`. */
function lineOf(needle: string, after: string): number {
  const start = SOURCE.findIndex((l) => l.includes(after));
  const at = SOURCE.findIndex((l, i) => i > start && l.includes(needle));
  if (start < 0 || at < 0) throw new Error(`${needle} after ${after}: not in the fixture`);
  return at + 1;
}

let packs: Packs;
beforeAll(async () => {
  packs = await startPacks([OUR_PACK]);
}, 120_000);
afterAll(() => packs?.stop());

const run = (stack: string, extra: string[] = []) =>
  plan(["--program", PROGRAM, "--stack", stack, "--policy-pack", OUR_PACK, ...extra], packs);
const json = async (stack: string, extra: string[] = []) => {
  const outcome = await run(stack, ["--format", "json", ...extra]);
  return { ...outcome, report: outcome.stdout ? (JSON.parse(outcome.stdout) as PlanJson) : undefined };
};

describe("a wildcard built with getPolicyDocument is found", () => {
  test.each([
    ["output", "getPolicyDocumentOutput", 'if (scenario === "output")'],
    ["plain", "getPolicyDocument (the Promise form)", 'if (scenario === "plain")'],
  ])("%s: %s -> exit 1 with the finding at the RolePolicy's line", async (stack, _, scenario) => {
    const { code, stderr, report } = await json(stack);
    expect(stderr).toBe("");
    expect(code).toBe(1);
    const found = report!.violations.filter((v) => v.policy === "sagemaker-no-wildcard-permissions");
    expect(found).toEqual([
      expect.objectContaining({
        enforcementLevel: "mandatory",
        kind: "violation",
        message: expect.stringContaining('Action "sagemaker:*"'),
        source: { file: FILE, line: lineOf('new aws.iam.RolePolicy("app-sagemaker"', scenario) },
      }),
    ]);
    // The policy document the pack judged is the provider's JSON.
    const policy = report!.resources.find((r) => r.name === "app-sagemaker")!.inputs.policy as string;
    expect(JSON.parse(policy).Statement).toContainEqual(
      expect.objectContaining({ Effect: "Allow", Action: "sagemaker:*", Resource: "*" }),
    );
    // The only check that could not run is the account's MFA: this run gives no account facts.
    expect(report!.notChecked.map((n) => n.policy)).toEqual(["iam-require-mfa"]);
  });
});

test("unknown inputs (a bucket's ARN) give an unknown document, not an empty one, and say so", async () => {
  const { report } = await json("unknown-inputs");
  const appData = report!.resources.find((r) => r.name === "app-data")!;
  expect(appData.inputs.policy).toBe("[unknown]");
  const entries = report!.notChecked.filter((n) => n.urn === appData.urn);
  expect(entries).toEqual([
    expect.objectContaining({
      policyPack: "ml-platform-guardrails",
      policy: "sagemaker-no-wildcard-permissions",
      reason: expect.stringMatching(
        /^RolePolicy "app-data" policy: the policy document is unknown at preview/,
      ),
    }),
    {
      policyPack: "",
      policy: "",
      urn: appData.urn,
      reason: expect.stringMatching(
        new RegExp(
          `^invoke aws:iam/getPolicyDocument:getPolicyDocument \\(called at ${FILE_RE}:\\d+\\): its inputs are unknown at preview .* ` +
            '\\(inputs from aws:s3/bucket:Bucket data\\); input "policy" of aws:iam/rolePolicy:RolePolicy app-data is unknown',
        ),
      ),
      source: {
        file: FILE,
        line: lineOf('new aws.iam.RolePolicy("app-data"', 'if (scenario === "unknown-inputs")'),
      },
    },
  ]);
});

describe("an invoke the plan cannot answer is not checked, in every output", () => {
  const reason = new RegExp(
    `^invoke aws:ec2/getVpc:getVpc \\(called at ${FILE_RE}:(\\d+)\\): the plan has no offline answer`,
  );

  test("JSON: the consumer's inputs are unknown (not empty) and notChecked names the invoke; exit 0", async () => {
    const { code, report } = await json("unanswered");
    expect(code).toBe(0);
    const web = report!.resources.find((r) => r.name === "web")!;
    expect(web.inputs).toMatchObject({
      vpcId: "[unknown]",
      ingress: [expect.objectContaining({ cidrBlocks: ["[unknown]"] })],
    });
    const entry = report!.notChecked.find((n) => n.policy === "" && n.urn === web.urn)!;
    expect(entry.reason).toMatch(reason);
    expect(Number(reason.exec(entry.reason)![1])).toBe(
      lineOf("aws.ec2.getVpcOutput", 'if (scenario === "unanswered")'),
    );
    expect(entry.reason).toContain(
      'input "ingress", input "vpcId" of aws:ec2/securityGroup:SecurityGroup web is unknown',
    );
    expect(entry.source).toEqual({
      file: FILE,
      line: lineOf('new aws.ec2.SecurityGroup("web"', "aws.ec2.getVpcOutput"),
    });
  });

  test("--fail-on-unchecked: exit 1", async () => {
    expect((await run("unanswered", ["--fail-on-unchecked"])).code).toBe(1);
  });

  test("text: a Not checked section and the coverage line", async () => {
    const { code, stdout } = await run("unanswered");
    expect(code).toBe(0);
    expect(stdout).toMatch(/\nNot checked \(3\)\n/);
    expect(stdout).toMatch(
      new RegExp(
        `\\[advisory\\] invoke without a known answer\\n {6}resource: aws:ec2/securityGroup:SecurityGroup {2}web {2}${FILE_RE}:\\d+\\n {6}invoke aws:ec2/getVpc:getVpc`,
      ),
    );
    expect(stdout).toContain(
      'Coverage: 3 check(s) could not run (2 by the policy packs, 1 because an invoke had no known answer); see "Not checked"',
    );
    expect(stdout.trimEnd().split("\n").pop()).toMatch(/, 3 not checked, .* -> OK \(exit 0\)$/);
  });

  test("SARIF: toolExecutionNotifications list them, and the log still validates", async () => {
    const { stdout } = await run("unanswered", ["--format", "sarif"]);
    const sarif = JSON.parse(stdout);
    const notes = sarif.runs[0].invocations[0].toolExecutionNotifications.filter(
      (n: any) => n.descriptor?.id === "not-checked",
    );
    expect(notes).toHaveLength(3);
    const invoke = notes.find((n: any) => n.properties.invoke === "aws:ec2/getVpc:getVpc");
    expect(invoke).toMatchObject({
      level: "warning",
      message: {
        text: expect.stringMatching(
          /^not checked: invoke on aws:ec2\/securityGroup:SecurityGroup web: invoke aws:ec2\/getVpc:getVpc/,
        ),
      },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: FILE, uriBaseId: "%SRCROOT%" },
            region: { startLine: lineOf('new aws.ec2.SecurityGroup("web"', "aws.ec2.getVpcOutput") },
          },
        },
      ],
    });
    const pack = notes.find((n: any) => n.properties.policy === "ec2-security-group-no-public-ingress");
    expect(pack.associatedRule).toEqual({
      id: "ec2-security-group-no-public-ingress",
      index: expect.any(Number),
    });
    expect(validSarif(sarif)).toEqual([]);
  });
});

describe("account look-ups", () => {
  test("answered from --inventory: the exported policy's default version is judged, the stale role found", async () => {
    const { code, report } = await json("lookups", ["--inventory", INVENTORY]);
    expect(code).toBe(1);
    expect(report!.notChecked.filter((n) => n.policy === "")).toEqual([]);
    const group = report!.resources.find((r) => r.name === "scientists-read")!;
    expect(group.inputs.group).toBe("data-scientists");
    expect(JSON.parse(group.inputs.policy as string).Statement).toContainEqual({
      Effect: "Allow",
      Action: "sagemaker:*",
      Resource: "*",
    });
    expect(report!.violations).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          policy: "sagemaker-no-wildcard-permissions",
          urn: group.urn,
          enforcementLevel: "mandatory",
        }),
        expect.objectContaining({
          policy: "iam-no-stale-roles",
          message: expect.stringContaining('"legacy-sagemaker-role"'),
        }),
      ]),
    );
    const attachment = report!.resources.find((r) => r.name === "alice-data")!;
    expect(attachment.inputs).toEqual({
      user: "alice",
      policyArn: "arn:aws:iam::111122223333:policy/ml-data-read",
    });
  });

  test("without --inventory: every look-up is not checked, naming the flag that would answer it", async () => {
    const { code, report } = await json("lookups");
    expect(code).toBe(0);
    const invokes = report!.notChecked.filter((n) => n.policy === "");
    const tokens = invokes.map((n) => /^invoke (\S+)/.exec(n.reason)![1]);
    expect(new Set(tokens)).toEqual(
      new Set([
        "aws:iam/getRole:getRole",
        "aws:iam/getPolicy:getPolicy",
        "aws:iam/getUser:getUser",
        "aws:iam/getGroup:getGroup",
      ]),
    );
    for (const n of invokes) expect(n.reason).toContain("pass --inventory <file>");
    expect(report!.resources.find((r) => r.name === "legacy-data")!.inputs).toEqual({
      role: "[unknown]",
      policyArn: "[unknown]",
    });
  });

  test("a role the account does not have: the provider's error, exit 2", async () => {
    const { code, stdout, stderr } = await run("missing-role", ["--inventory", INVENTORY]);
    expect({ code, stdout }).toEqual({ code: 2, stdout: "" });
    expect(stderr).toBe(
      "plan: stack missing-role of invokes-demo: the program failed: invoking aws:iam/getRole:getRole: " +
        "1 error occurred: reading IAM Role (deleted-last-year): couldn't find resource\n",
    );
  });
});

describe("an export that cannot be read or parsed stops the plan before anything starts (exit 2)", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-exports-"));
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const full = fs.readFileSync(INVENTORY, "utf8");
  const report = fs.readFileSync(
    path.join(ROOT, "policy", "tests", "fixtures", "credential-report-clean.csv"),
    "utf8",
  );

  test.each([
    [
      "a truncated --inventory",
      () => ["--inventory", write("truncated.json", full.slice(0, 1200))],
      (f: string) => `--inventory ${f}:${full.slice(0, 1200).split("\n").length}:`,
      "not valid JSON (unexpected end of JSON input)",
    ],
    [
      "--inventory with a syntax error",
      () => [
        "--inventory",
        write("comma.json", '{\n  "RoleDetailList": [\n    {"RoleName": "a",}\n  ]\n}\n'),
      ],
      (f: string) => `--inventory ${f}:3:22:`,
      "not valid JSON (invalid character '}' looking for beginning of object key string)",
    ],
    [
      "--inventory that is a top-level array",
      () => ["--inventory", write("array.json", "[]")],
      (f: string) => `--inventory ${f}:`,
      "expected the JSON object printed by 'aws iam get-account-authorization-details'",
    ],
    [
      "--inventory with a role missing its name",
      () => [
        "--inventory",
        write("field.json", JSON.stringify({ RoleDetailList: [{ Arn: "arn:aws:iam::1:role/x" }] })),
      ],
      (f: string) => `--inventory ${f}:RoleDetailList[0].RoleName:`,
      "missing or not a string",
    ],
    [
      "--credential-report without the mfa_active column",
      () => ["--credential-report", write("no-mfa.csv", report.replace(",mfa_active,", ",mfa,"))],
      (f: string) => `--credential-report ${f}:1:`,
      'the header has no "mfa_active" column',
    ],
    [
      "--credential-report with a short line",
      () => ["--credential-report", write("short.csv", report.replace(/\n(bob,[^\n]*),[^,\n]*\n/, "\n$1\n"))],
      (f: string) => `--credential-report ${f}:3:`,
      "expected 22 fields as in the header, found 21",
    ],
  ])("%s: one line naming the file and the line or field", async (_, argv, prefix, says) => {
    const args = argv();
    const { code, stdout, stderr } = await run("output", args);
    expect({ code, stdout }).toEqual({ code: 2, stdout: "" });
    expect(stderr.endsWith("\n") && stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(stderr.startsWith(`plan: ${prefix(args[1])}`)).toBe(true);
    expect(stderr).toContain(says);
  });
});

function validSarif(sarif: unknown): unknown[] {
  const schema = JSON.parse(
    fs.readFileSync(path.join(ROOT, "test", "fixtures", "sarif", "sarif-schema-2.1.0.json"), "utf8"),
  );
  const ajv = new Ajv({ schemaId: "auto", allErrors: true, format: "full" });
  ajv.addMetaSchema(require("ajv/lib/refs/json-schema-draft-04.json"));
  const validate = ajv.compile(schema);
  return validate(sarif) ? [] : (validate.errors ?? []);
}
