/**
 * The plan as a process and its failure modes: exit 2 with one clear line on stderr (a stack
 * trace only with --verbose) for bad flags, a program that throws, packs that cannot start; pack
 * processes never outlive a failed start; and a program that lives outside this repository, with
 * no node_modules of its own (only a decoy @pulumi/pulumi), still runs on the mock runtime's
 * @pulumi/pulumi.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PlanJson } from "../../cli/plan/format/json";
import { readPackProject, startPack } from "../../cli/plan/pack-process";
import { FIXTURES, INSECURE_PROGRAM, plan, planProcess, TAGS_PACK } from "./support";

const NEVER_STARTS = path.join(FIXTURES, "packs", "never-starts");
const CRASHES = path.join(FIXTURES, "packs", "crashes");
const THROWING_PROGRAM = path.join(FIXTURES, "throwing-program");

const oneLine = (stderr: string) => {
  expect(stderr.endsWith("\n")).toBe(true);
  expect(stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
};

describe("the CLI process", () => {
  test("a bad flag: exit 2, one line on stderr, nothing on stdout", async () => {
    const { code, stdout, stderr } = await planProcess(["--stak", "prod"]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toBe("plan: unknown flag --stak (see --help)\n");
  }, 30_000);

  test("--help: the usage text, exit 0", async () => {
    const { code, stdout } = await planProcess(["--help"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: npm run plan -- \[options\]/);
    expect(stdout).toContain("--policy-pack <dir>");
    expect(stdout).toMatch(/Exit codes: 0 no mandatory violation and nothing mandatory left unchecked;/);
    expect(stdout).toContain("--fail-on-unchecked");
    expect(stdout).toContain("--timeout <seconds>");
  }, 30_000);

  test("a program outside the repo without node_modules runs on our @pulumi/pulumi, not its decoy copy", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-foreign-"));
    for (const f of ["Pulumi.yaml", "Pulumi.test.yaml", "index.ts"])
      fs.copyFileSync(path.join(INSECURE_PROGRAM, f), path.join(dir, f));
    const decoy = path.join(dir, "node_modules", "@pulumi", "pulumi");
    fs.mkdirSync(decoy, { recursive: true });
    fs.writeFileSync(
      path.join(decoy, "package.json"),
      '{"name":"@pulumi/pulumi","version":"0.0.0","main":"index.js"}',
    );
    fs.writeFileSync(
      path.join(decoy, "index.js"),
      'throw new Error("the program loaded its own @pulumi/pulumi");',
    );

    const { code, stdout, stderr } = await planProcess(
      ["--program", dir, "--stack", "test", "--policy-pack", TAGS_PACK, "--format", "json"],
      os.tmpdir(),
    );
    expect(stderr).toBe("");
    expect(code).toBe(0); // this pack's findings are advisory
    const report = JSON.parse(stdout) as PlanJson;
    expect(report.project).toBe("insecure-demo");
    expect(report.resources.map((r) => r.type)).toEqual(
      expect.arrayContaining([
        "pulumi:pulumi:Stack",
        "aws:s3/bucket:Bucket",
        "aws:lambda/functionUrl:FunctionUrl",
      ]),
    );
    expect(report.violations).toEqual([
      expect.objectContaining({
        policyPack: "required-tags",
        policy: "required-tags",
        message: expect.stringContaining("owner"),
      }),
    ]);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 90_000);
});

describe("errors stop the plan with exit 2 and one line", () => {
  test("a program that throws; --verbose adds its stack trace", async () => {
    const argv = ["--program", THROWING_PROGRAM, "--stack", "test", "--policy-pack", TAGS_PACK];
    const quiet = await plan(argv);
    expect(quiet.code).toBe(2);
    expect(quiet.stderr).toBe(
      "plan: stack test of throwing-demo: the program failed at index.ts:3: the artifact bucket name is missing (set throwing-demo:bucket)\n",
    );
    const verbose = await plan([...argv, "--verbose"]);
    expect(verbose.code).toBe(2);
    expect(verbose.stderr).toMatch(
      /^plan: stack test of throwing-demo: the program failed at index\.ts:3: .*\nError: the artifact bucket/,
    );
    expect(verbose.stderr).toMatch(/\n\s+at .*index\.ts/);
  });

  test.each([
    [
      ["--policy-pack", path.join(FIXTURES, "insecure-program")],
      /^plan: --policy-pack .*insecure-program: no PulumiPolicy\.yaml there/,
    ],
    [
      ["--inventory", "/nonexistent/auth.json"],
      /^plan: --inventory \/nonexistent\/auth\.json: cannot read the file \(ENOENT\)$/,
    ],
    [
      ["--policy-config", "/nonexistent/config.json"],
      /^plan: --policy-config \/nonexistent\/config\.json: cannot read the file$/,
    ],
    [["--program", "/nonexistent/program"], /^plan: --program \/nonexistent\/program: no such directory$/],
    [["--format", "xml"], /^plan: --format must be one of text, json, sarif \(got "xml"\) \(see --help\)$/],
  ])("%j", async (argv, message) => {
    const { code, stdout, stderr } = await plan(argv as string[]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    oneLine(stderr);
    expect(stderr.trimEnd()).toMatch(message);
  });

  test("a pack that never prints its port: timeout, and its process is gone", async () => {
    const { code, stderr } = await plan([
      ...["--program", INSECURE_PROGRAM, "--stack", "test"],
      ...["--policy-pack", NEVER_STARTS, "--pack-timeout", "5"],
    ]);
    expect(code).toBe(2);
    oneLine(stderr);
    expect(stderr).toBe(`plan: policy pack ${NEVER_STARTS} did not print its port within 5 s\n`);
  }, 30_000);

  test("a pack that fails while loading: its exit code and its error", async () => {
    const { code, stderr } = await plan([
      ...["--program", INSECURE_PROGRAM, "--stack", "test", "--policy-pack", CRASHES],
    ]);
    expect(code).toBe(2);
    oneLine(stderr);
    expect(stderr).toBe(
      `plan: policy pack ${CRASHES} exited with code 32 before it started: crashing-pack: refusing to start on purpose\n`,
    );
  }, 30_000);

  test("a pack process that times out is killed, not left running", async () => {
    const starting = startPack(readPackProject(NEVER_STARTS), {
      project: "p",
      stack: "s",
      organization: "o",
      config: {},
      secretKeys: [],
      env: {},
      timeoutMs: 3000,
    });
    await expect(starting.ready).rejects.toThrow("did not print its port within 3 s");
    const child = starting.child!;
    await new Promise((resolve) =>
      child.exitCode !== null || child.signalCode !== null ? resolve(null) : child.once("exit", resolve),
    );
    expect(child.signalCode).toBe("SIGKILL");
    expect(() => process.kill(child.pid!, 0)).toThrow(/ESRCH/);
  }, 30_000);
});
