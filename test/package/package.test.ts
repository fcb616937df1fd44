/**
 * The components' npm package as another team gets it (issue 11, item 3):
 *
 * 1. `npm run pack:package` builds it (scripts/build-package.mjs) and packs it; the tarball holds
 *    compiled JavaScript and `.d.ts`, the prebuilt Lambda handler and the training code, and no
 *    TypeScript sources, tests or build tools.
 * 2. A fresh program outside this repository (examples/consumer's files) installs the tarball from
 *    its own package.json (`npm ci --offline`), type-checks with `tsc --noEmit` and is planned with
 *    `npm run plan -- --program <it>`: the function is granted exactly the endpoint, our guardrails
 *    find nothing mandatory and everything was checked.
 * 3. The same package linked instead of installed: an npm workspace (`file:`/workspace installs are
 *    symlinks into node_modules) and an `npm link` chain. The plan loads it where Node would (the
 *    link's real folder) and still points findings at the program's own lines.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildSourceBundle } from "../../components/source-bundle";
import { bundleFunction, inferenceFunctionEntry } from "../../functions";
import { planProcess } from "../plan/support";
import {
  buildAndPack,
  copyExample,
  installOffline,
  node,
  Packed,
  PACKAGE_NAME,
  readJson,
  ROOT,
  sh,
  writeTarballProgram,
  writeWorkspace,
} from "./support";

const MINUTES = 60_000;
const COMPONENTS = [
  "artifact-store",
  "ec2-trainer",
  "inference-endpoint",
  "inference-function",
  "network",
  "notebook",
  "platform-key",
  "source-bundle",
  "training-cluster",
];

let work: string;
let packed: Packed;
let program: string;

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "components-package-"));
  packed = buildAndPack(work);
  program = path.join(work, "consumer");
}, 5 * MINUTES);

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

/**
 * The account's exports (the pack's clean fixtures): the MFA and stale-role checks judge the
 * account, not the program, and without them report "not checked" whatever the program declares.
 */
const POLICY_FIXTURES = path.join(ROOT, "policy", "tests", "fixtures");
const ACCOUNT_EXPORTS = [
  ...["--inventory", path.join(POLICY_FIXTURES, "authorization-details-clean.json")],
  ...["--credential-report", path.join(POLICY_FIXTURES, "credential-report-clean.csv")],
];

/** The plan of `dir` as JSON, run as `npm run plan` runs it (the bundled CLI, a child process). */
async function planJson(dir: string) {
  const run = await planProcess(["--program", dir, "--stack", "dev", "--format", "json", ...ACCOUNT_EXPORTS]);
  if (run.code === 2) throw new Error(`plan failed: ${run.stderr}`);
  return { code: run.code, report: JSON.parse(run.stdout), stderr: run.stderr };
}

/** What the example program must plan to: the grant, the prebuilt handler, findings at its own lines. */
function expectExamplePlan(plan: { code: number; report: any }, sourceFile: string) {
  const { code, report } = plan;
  const byName = (type: string, name: string) =>
    report.resources.find((r: any) => r.type === type && r.name === name);
  expect(byName("ml-platform:serving:InferenceEndpoint", "classifier")).toBeDefined();
  expect(byName("ml-platform:serving:InferenceFunction", "classify")).toBeDefined();

  // The grant between them: the function's role may invoke this endpoint and nothing else.
  const policy = JSON.parse(byName("aws:iam/rolePolicy:RolePolicy", "classify-policy").inputs.policy);
  expect(policy.Statement[0]).toEqual({
    Sid: "InvokeEndpoint",
    Effect: "Allow",
    Action: ["sagemaker:InvokeEndpoint"],
    Resource: ["arn:aws:sagemaker:us-east-1:123456789012:endpoint/team-x-classifier"],
  });
  const fn = byName("aws:lambda/function:Function", "classify");
  expect(fn.inputs.environment.variables.ENDPOINT_NAME).toBe("team-x-classifier");
  // The handler the package ships is the one this repository bundles.
  const sha = bundleFunction(inferenceFunctionEntry).sha256;
  expect(fn.inputs.description).toContain(`bundle sha256 ${sha.slice(0, 12)}`);

  // Our guardrails: nothing mandatory, nothing left unchecked; every finding points at the program.
  expect(code).toBe(0);
  expect(report.violations.filter((v: any) => v.enforcementLevel === "mandatory")).toEqual([]);
  expect(report.notChecked ?? []).toEqual([]);
  for (const r of report.resources.filter((r: any) => r.type.startsWith("aws:")))
    expect({ resource: r.name, file: r.source?.file }).toEqual({ resource: r.name, file: sourceFile });
  for (const v of report.violations) expect(v.source?.file).toBe(sourceFile);
}

test("the tarball: compiled JavaScript with .d.ts, the prebuilt handler and the training code; no sources, tests or build tools", () => {
  const listing = sh("tar", ["-tzf", packed.tarball], work);
  const files = listing.stdout
    .split("\n")
    .filter(Boolean)
    .map((f) => f.replace(/^package\//, ""));
  expect(files).toEqual(
    expect.arrayContaining([
      "package.json",
      "README.md",
      "CHANGELOG.md",
      "components/index.js",
      "components/index.d.ts",
      ...COMPONENTS.flatMap((c) => [`components/${c}/index.js`, `components/${c}/index.d.ts`]),
      "functions/inference/index.js",
      "functions/inference/bundle.json",
      "training/train.py",
      "training/inference.py",
      "training/metrics.json",
    ]),
  );
  const unexpected = files.filter(
    (f) =>
      !/^(package\.json|README\.md|CHANGELOG\.md)$/.test(f) &&
      !/^components\/[a-z0-9-]+(\/[a-z0-9.-]+)?\.(js|d\.ts)$/.test(f) &&
      !/^functions\/inference\/(index\.js|bundle\.json)$/.test(f) &&
      !/^training\/(train\.py|inference\.py|metrics\.json)$/.test(f),
  );
  expect(unexpected).toEqual([]);
  expect(files.filter((f) => /\.test\.|(^|\/)tests?\//.test(f))).toEqual([]);
  expect(files.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))).toEqual([]);

  const manifest = packed.manifest;
  expect(manifest.name).toBe(PACKAGE_NAME);
  expect(manifest.version).toBe(readJson(path.join(ROOT, "package.json")).version);
  expect(manifest.dependencies).toEqual({ zod: expect.any(String) });
  expect(manifest.peerDependencies).toEqual({ "@pulumi/aws": "^7.48.0", "@pulumi/pulumi": "^3.248.0" });
  expect(Object.keys(manifest.exports)).toEqual([".", ...COMPONENTS.map((c) => `./${c}`), "./package.json"]);
  expect(manifest.exports["./inference-endpoint"]).toEqual({
    types: "./components/inference-endpoint/index.d.ts",
    default: "./components/inference-endpoint/index.js",
  });
  expect(Object.keys(manifest.typesVersions["*"])).toEqual(COMPONENTS);
  // The changelog's newest release is the package's version.
  const changelog = fs.readFileSync(path.join(packed.dir, "CHANGELOG.md"), "utf8");
  expect(/^## (\S+)/m.exec(changelog)?.[1]).toBe(manifest.version);
});

test(
  "a fresh program outside the repository installs the tarball from its package.json alone, without esbuild",
  () => {
    writeTarballProgram(program, packed, copyExample(program));
    installOffline(program);
    const installed = path.join(program, "node_modules", PACKAGE_NAME);
    expect(fs.lstatSync(installed).isSymbolicLink()).toBe(false);
    expect(readJson(path.join(installed, "package.json")).version).toBe(packed.manifest.version);
    // Consumers need no bundler: the handler ships prebuilt.
    expect(fs.existsSync(path.join(program, "node_modules", "esbuild"))).toBe(false);
  },
  5 * MINUTES,
);

test(
  "the program type-checks with tsc --noEmit (Pulumi's template tsconfig plus esModuleInterop, and node16 resolution)",
  () => {
    const tsc = path.join(program, "node_modules", "typescript", "bin", "tsc");
    // Every subpath too: `typesVersions` (node10 resolution, the template's) and `exports` (node16)
    // lead to the same declarations.
    const subpaths = COMPONENTS.map(
      (c, i) =>
        `import * as c${i} from "${PACKAGE_NAME}/${c}";\nexport const n${i} = Object.keys(c${i}).length;`,
    ).join("\n");
    fs.writeFileSync(path.join(program, "subpaths.ts"), `${subpaths}\n`);
    const node10 = node([tsc, "--noEmit", "-p", "."], program);
    expect({ status: node10.status, out: node10.stdout }).toEqual({ status: 0, out: "" });
    // The declarations themselves were checked above: here only what node16 resolves is new.
    const node16 = node(
      [tsc, "--noEmit", "-p", ".", "--module", "node16", "--moduleResolution", "node16", "--skipLibCheck"],
      program,
    );
    expect({ status: node16.status, out: node16.stdout }).toEqual({ status: 0, out: "" });
    fs.rmSync(path.join(program, "subpaths.ts"));
  },
  5 * MINUTES,
);

test("every subpath is the root's own export, internals stay private, and importing declares nothing", () => {
  const script = `
    const root = require(${JSON.stringify(PACKAGE_NAME)});
    const out = {};
    for (const name of ${JSON.stringify(COMPONENTS)}) {
      const sub = require(${JSON.stringify(PACKAGE_NAME)} + "/" + name);
      out[name] = Object.keys(sub).filter((k) => root[k] !== sub[k]);
    }
    try { require(${JSON.stringify(PACKAGE_NAME)} + "/components/shared/iam"); out.internal = "loaded"; }
    catch (e) { out.internal = e.code; }
    out.classes = ["InferenceEndpoint", "InferenceFunction", "lookupAwsContext", "endpointReference", "ComponentArgsError"]
      .filter((k) => typeof root[k] !== "function");
    out.sourceBundle = root.buildSourceBundle().sha256;
    console.log(JSON.stringify(out));`;
  // Outside the Pulumi engine, declaring a resource throws: importing must not declare any.
  const run = node(["-e", script], program);
  expect(run.stderr).toBe("");
  const out = JSON.parse(run.stdout);
  expect(out).toEqual({
    ...Object.fromEntries(COMPONENTS.map((c) => [c, []])),
    internal: "ERR_PACKAGE_PATH_NOT_EXPORTED",
    classes: [],
    // The package's default source bundle is this repository's, byte for byte (same key, same jobs).
    sourceBundle: buildSourceBundle().sha256,
  });
});

test(
  "npm run plan -- --program <it> plans the components it imported, with our guardrails clean",
  async () => {
    expectExamplePlan(await planJson(program), "index.ts");
  },
  5 * MINUTES,
);

test(
  "a shipped handler that is not the one the package was built with is refused, naming both hashes",
  async () => {
    const handler = path.join(program, "node_modules", PACKAGE_NAME, "functions", "inference", "index.js");
    const original = fs.readFileSync(handler);
    fs.appendFileSync(handler, "\n// edited after the build\n");
    try {
      const run = await planProcess(["--program", program, "--stack", "dev"]);
      expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 2, stdout: "" });
      const sha = (bytes: Buffer | string) => createHash("sha256").update(bytes).digest("hex").slice(0, 12);
      const manifestFile = path.join(path.dirname(handler), "bundle.json");
      const line =
        fs
          .readFileSync(path.join(program, "index.ts"), "utf8")
          .split("\n")
          .findIndex((l) => l.includes("new InferenceFunction(")) + 1;
      expect(run.stderr).toBe(
        `plan: stack dev of consumer: the program failed at index.ts:${line}: InferenceFunction: ${handler} ` +
          `is not the handler the package was built with (sha256 ${sha(fs.readFileSync(handler))}, ` +
          `${manifestFile} says ${sha(original)}); reinstall the package\n`,
      );
    } finally {
      fs.writeFileSync(handler, original);
    }
  },
  5 * MINUTES,
);

test("build-package: --out without a folder is refused with a one-line reason", () => {
  const run = node([path.join(ROOT, "scripts", "build-package.mjs"), "--out"], ROOT);
  expect(run).toEqual({ status: 1, stdout: "", stderr: "build-package: --out needs a folder\n" });
});

test(
  "linked into an npm workspace (a symlink in node_modules), the package loads from its real folder and findings point at the program",
  async () => {
    const root = path.join(work, "workspace");
    const member = path.join(root, "consumer");
    const manifest = copyExample(member);
    writeWorkspace(root, "consumer", packed, manifest);
    installOffline(root);
    const link = path.join(root, "node_modules", PACKAGE_NAME);
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.realpathSync(link)).toBe(path.join(root, PACKAGE_NAME));
    expectExamplePlan(await planJson(member), "index.ts");
  },
  5 * MINUTES,
);

test(
  "npm link: node_modules/<package> -> a global link -> a checkout with its own node_modules; the plan loads it and points at the program",
  async () => {
    // As `npm link` leaves it: the program's entry links to the global prefix, which links to the
    // checkout, whose own node_modules (its devDependencies) hold a second @pulumi/pulumi and aws.
    const checkout = path.join(work, "checkout", PACKAGE_NAME);
    fs.cpSync(packed.dir, checkout, { recursive: true });
    const deps = path.join(checkout, "node_modules");
    fs.mkdirSync(path.join(deps, "@pulumi"), { recursive: true });
    for (const dep of ["zod", "@pulumi/pulumi", "@pulumi/aws"])
      fs.symlinkSync(path.join(program, "node_modules", dep), path.join(deps, dep));
    const global = path.join(work, "prefix", "lib", "node_modules", PACKAGE_NAME);
    fs.mkdirSync(path.dirname(global), { recursive: true });
    fs.symlinkSync(checkout, global);
    const entry = path.join(program, "node_modules", PACKAGE_NAME);
    fs.rmSync(entry, { recursive: true });
    fs.symlinkSync(global, entry);

    expectExamplePlan(await planJson(program), "index.ts");
  },
  5 * MINUTES,
);

test(
  "a linked package whose dependencies are not where it really lives: exit 2 naming the link and what to install, as pulumi preview would fail",
  async () => {
    const checkout = path.join(work, "checkout", PACKAGE_NAME);
    fs.rmSync(path.join(checkout, "node_modules"), { recursive: true });
    const run = await planProcess(["--program", program, "--stack", "dev"]);
    expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 2, stdout: "" });
    expect(run.stderr).toBe(
      `plan: stack dev of consumer: Cannot find module '@pulumi/aws' from ${PACKAGE_NAME}, ` +
        `linked at node_modules/${PACKAGE_NAME} -> ${checkout}: Node resolves a linked package's ` +
        `dependencies from its real folder, so \`pulumi preview\` fails the same way; install them there ` +
        `(npm install in ${checkout}) or install the package instead of linking it\n`,
    );
  },
  5 * MINUTES,
);
