/**
 * The policy pack outside this repository, as a security team or Pulumi Cloud gets it:
 *
 * 1. policy/ is copied to a temporary directory and installed from its own package.json
 *    (`npm ci --offline`: the packages come from npm's cache, which the root `npm ci` filled; the
 *    lockfile is cut from the root one, see lockfile.ts, so only what the pack declares is there).
 *    Its postinstall compiles it.
 * 2. It is started exactly as the Pulumi CLI starts a Node.js pack (cli/plan/pack-process.ts) and
 *    answers GetAnalyzerInfo and Analyze over gRPC with a real violation, from the compiled dist/.
 * 3. `npm pack` is what `pulumi policy publish` runs; it takes npm's whole stdout as the tarball's
 *    name (npm.Pack in pulumi/pulumi sdk/nodejs/npm). The tarball is unpacked and installed as the
 *    CLI installs a pack enforced from Pulumi Cloud (`npm install --loglevel=error` in the unpacked
 *    directory: installRequiredPolicy in pkg/backend/httpstate/policypack.go), then started again.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { AnalyzerClient } from "../../cli/plan/analyzer-client";
import { NO_ENGINE_ADDRESS, readPackProject, startPack } from "../../cli/plan/pack-process";
import type { PlannedResource } from "../../cli/plan/resources";
import { Manifest, standaloneLockfile } from "./lockfile";

const ROOT = path.resolve(__dirname, "..", "..");
const PACK = path.join(ROOT, "policy");
const manifest: Manifest = JSON.parse(fs.readFileSync(path.join(PACK, "package.json"), "utf8"));
const MINUTES = 60_000;

let work: string;
let copy: string;

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "pack-standalone-"));
  copy = path.join(work, "ml-platform-policy");
});

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

/** npm with the environment of a fresh shell: nothing inherited from an npm that runs this test. */
function npm(args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!/^npm_/i.test(k) || /^npm_config_(cache|userconfig)$/i.test(k)) env[k] = v;
  delete env.INIT_CWD;
  const run = spawnSync("npm", args, { cwd, env, encoding: "utf8", maxBuffer: 64 << 20 });
  return { status: run.status, stdout: run.stdout, stderr: `${run.stderr}${run.error?.message ?? ""}` };
}

const resource = (type: string, name: string, properties: Record<string, unknown>): PlannedResource => ({
  urn: `urn:pulumi:dev::standalone::${type}::${name}`,
  type,
  name,
  custom: true,
  dependencies: [],
  propertyDependencies: {},
  properties,
  options: {
    protect: false,
    ignoreChanges: [],
    additionalSecretOutputs: [],
    aliases: [],
    customTimeouts: { create: "", update: "", delete: "" },
  },
});
const attachment = (name: string, policyArn: string) =>
  resource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", name, { role: "inference-role", policyArn });
const securityGroup = (name: string, cidr: string) =>
  resource("aws:ec2/securityGroup:SecurityGroup", name, {
    ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: [cidr] }],
  });

/**
 * Starts the pack in `dir` as the CLI does, round-trips GetAnalyzerInfo and Analyze, stops it, and
 * returns what the pack wrote on stderr.
 */
async function roundTrip(dir: string, from: "dist" | "sources" = "dist"): Promise<string> {
  const starting = startPack(readPackProject(dir), {
    project: "standalone",
    stack: "dev",
    organization: "organization",
    config: { "aws:region": "us-east-1" },
    secretKeys: [],
    env: {},
    timeoutMs: 2 * MINUTES,
  });
  let stderr = "";
  starting.child?.stderr?.on("data", (chunk: string) => (stderr += chunk));
  let client: AnalyzerClient | undefined;
  try {
    const pack = await starting.ready;
    client = new AnalyzerClient(`127.0.0.1:${pack.port}`);
    await client.waitForReady(10_000);
    await client.handshake(NO_ENGINE_ADDRESS, dir);

    const info = await client.info();
    expect(info.name).toBe("ml-platform-guardrails");
    expect(info.version).toBe(manifest.version);
    expect(info.policies.map((p) => p.name)).toEqual(
      expect.arrayContaining(["sagemaker-no-wildcard-permissions", "iam-no-stale-roles", "iam-require-mfa"]),
    );

    // Analyze (one resource): a resource policy's verdict.
    const open = await client.analyze(securityGroup("ssh", "0.0.0.0/0"));
    expect(open.filter((d) => d.policyName === "ec2-security-group-no-public-ingress")).toEqual([
      expect.objectContaining({ enforcementLevel: "mandatory", policyPackVersion: manifest.version }),
    ]);
    const closed = await client.analyze(securityGroup("ssh", "203.0.113.7/32"));
    expect(closed.filter((d) => d.policyName === "ec2-security-group-no-public-ingress")).toEqual([]);

    // AnalyzeStack: sagemaker-no-wildcard-permissions judges grants over the whole stack.
    const bad = await client.analyzeStack(
      [attachment("full-access", "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess")],
      new Map(),
    );
    const wildcard = bad.filter((d) => d.policyName === "sagemaker-no-wildcard-permissions");
    expect(wildcard).toHaveLength(1);
    expect(wildcard[0]).toMatchObject({
      policyPackName: "ml-platform-guardrails",
      policyPackVersion: manifest.version,
      enforcementLevel: "mandatory",
      severity: "critical",
    });
    expect(wildcard[0]!.message).toContain("AmazonSageMakerFullAccess");

    const good = await client.analyzeStack(
      [attachment("logs-read", "arn:aws:iam::aws:policy/CloudWatchLogsReadOnlyAccess")],
      new Map(),
    );
    expect(good.filter((d) => d.policyName === "sagemaker-no-wildcard-permissions")).toEqual([]);
    // A customer-managed policy the stack does not create, with no account facts: could not check.
    const unknown = await client.analyzeStack(
      [attachment("scoped", "arn:aws:iam::123456789012:policy/invoke-one-endpoint")],
      new Map(),
    );
    expect(unknown.filter((d) => d.policyName === "sagemaker-no-wildcard-permissions")).toEqual([
      expect.objectContaining({
        enforcementLevel: "advisory",
        message: expect.stringMatching(/^not checked: /),
      }),
    ]);

    // main.js ran the compiled pack, or (sources edited after the build) the TypeScript sources.
    if (from === "dist") expect(stderr).not.toContain("running the TypeScript sources");
    else
      expect(stderr).toContain("the sources changed since dist/ was built; running the TypeScript sources");
    return stderr;
  } finally {
    client?.close();
    starting.stop();
  }
}

test(
  "copied out of the repository, policy/ installs from its own package.json and compiles itself",
  () => {
    fs.cpSync(PACK, copy, {
      recursive: true,
      filter: (src) => !/[\\/](node_modules|dist)$|\.tgz$/.test(src),
    });
    expect(fs.existsSync(path.join(copy, "dist"))).toBe(false);
    const rootLock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8"));
    fs.writeFileSync(
      path.join(copy, "package-lock.json"),
      JSON.stringify(standaloneLockfile(rootLock, "policy", manifest), null, 2),
    );

    const install = npm(["ci", "--offline", "--no-audit", "--no-fund", "--loglevel=error"], copy);
    expect({ status: install.status, stderr: install.stderr }).toEqual({
      status: 0,
      stderr: expect.any(String),
    });
    expect(fs.existsSync(path.join(copy, "dist", "index.js"))).toBe(true);
    expect(fs.existsSync(path.join(copy, "dist", "index.d.ts"))).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(copy, "dist", "build.json"), "utf8"))).toEqual({
      fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/),
      typescript: expect.stringMatching(/^5\./),
    });
  },
  6 * MINUTES,
);

test(
  "started as the Pulumi CLI starts it, the copy answers GetAnalyzerInfo and Analyze with a real violation",
  async () => {
    expect(fs.existsSync(path.join(copy, "node_modules"))).toBe(true);
    await roundTrip(copy);
  },
  3 * MINUTES,
);

test(
  "npm pack (pulumi policy publish) prints only the tarball's name; unpacked and installed, the tarball starts",
  async () => {
    const packed = npm(["pack", "--loglevel=error"], copy);
    expect(packed.status).toBe(0);
    const tarball = `${manifest.name}-${manifest.version}.tgz`;
    expect(packed.stdout.trim()).toBe(tarball);

    const listing = spawnSync("tar", ["-tzf", path.join(copy, tarball)], { encoding: "utf8" });
    const files = listing.stdout.split("\n").filter(Boolean);
    expect(files).toEqual(
      expect.arrayContaining([
        "package/package.json",
        "package/PulumiPolicy.yaml",
        "package/main.js",
        "package/scripts/fingerprint.js",
        "package/dist/index.js",
        "package/dist/index.d.ts",
        "package/dist/build.json",
        "package/index.ts",
      ]),
    );
    expect(files.filter((f) => /^package\/(tests|node_modules)\//.test(f))).toEqual([]);

    const published = path.join(work, "published");
    fs.mkdirSync(published);
    const unpack = spawnSync("tar", ["-xzf", path.join(copy, tarball), "-C", published], {
      encoding: "utf8",
    });
    expect(unpack.status).toBe(0);
    const dir = path.join(published, "package");
    const stamp = fs.readFileSync(path.join(dir, "dist", "build.json"), "utf8");
    // The copy's installed tree stands in for the download: the install below must not need the network.
    fs.renameSync(path.join(copy, "node_modules"), path.join(dir, "node_modules"));
    const install = npm(["install", "--offline", "--no-audit", "--no-fund", "--loglevel=error"], dir);
    expect({ status: install.status, stderr: install.stderr }).toEqual({
      status: 0,
      stderr: expect.any(String),
    });
    // The shipped dist/ was current, so the postinstall left it as it is.
    expect(fs.readFileSync(path.join(dir, "dist", "build.json"), "utf8")).toBe(stamp);

    await roundTrip(dir);
  },
  4 * MINUTES,
);

test(
  "a source edited after the build is what runs: main.js falls back to the TypeScript sources, never to a stale dist/",
  async () => {
    const dir = path.join(work, "published", "package");
    fs.appendFileSync(path.join(dir, "index.ts"), '\nconsole.error("edited after the build");\n');
    const stderr = await roundTrip(dir, "sources");
    expect(stderr).toContain("edited after the build");

    // Outside the runner (no ts-node registered) a stale pack refuses to load rather than run old code.
    const plain = spawnSync(process.execPath, ["-e", `require(${JSON.stringify(dir)})`], {
      encoding: "utf8",
    });
    expect(plain.status).toBe(1);
    expect(plain.stderr).toContain(
      `ml-platform-policy: the sources changed since dist/ was built. Run \`npm run build\` in ${dir}.`,
    );
  },
  3 * MINUTES,
);

test(
  "a type error: the build names it (npm run build fails, postinstall only warns) and the pack refuses to start with it",
  async () => {
    const dir = path.join(work, "published", "package");
    fs.appendFileSync(path.join(dir, "index.ts"), '\nexport const broken: number = "not a number";\n');
    const build = (flag: string) =>
      spawnSync(process.execPath, [path.join("scripts", "build.js"), flag], { cwd: dir, encoding: "utf8" });

    const lenient = build("--if-stale");
    expect(lenient.status).toBe(0);
    expect(lenient.stdout).toBe("");
    expect(lenient.stderr).toMatch(
      /index\.ts\(\d+,\d+\): error TS2322: Type 'string' is not assignable to type 'number'/,
    );
    expect(lenient.stderr).toContain(
      "policy build: tsc failed (exit 1); dist/ is not built, so the pack will start",
    );
    expect(fs.existsSync(path.join(dir, "dist", "build.json"))).toBe(false);

    const strict = build("--force");
    expect(strict.status).toBe(1);
    expect(strict.stderr).toContain("error TS2322");

    const starting = startPack(readPackProject(dir), {
      project: "standalone",
      stack: "dev",
      organization: "organization",
      config: {},
      secretKeys: [],
      env: {},
      timeoutMs: 2 * MINUTES,
    });
    await expect(starting.ready).rejects.toThrow(
      /exited with code \d+ before it started: .*index\.ts\(\d+,\d+\): error TS2322/,
    );
  },
  4 * MINUTES,
);
