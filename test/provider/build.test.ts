/**
 * The provider's compiled start (provider/scripts/build.js, provider/main.js): it starts, as the
 * CLI starts it, without compiling any TypeScript, and a dist/ built from other sources is never
 * what answers (main.js rebuilds it first).
 *
 * The staleness tests build a copy of the provider and the sources it imports in a temporary
 * folder laid out like the repository (node_modules linked), so the checkout's dist/ is untouched.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROVIDER_DIR, ROOT, startProvider } from "./support";

const MINUTES = 60_000;
const { staleReason, readStamp } = require(path.join(PROVIDER_DIR, "scripts", "fingerprint.js"));

/** Runs `node <args>` in `cwd`; returns its exit status and output. */
function node(args: string[], cwd: string) {
  const run = spawnSync(process.execPath, args, { cwd, encoding: "utf8", timeout: 5 * MINUTES });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

test(
  "started as the CLI starts it, the provider prints its port having compiled no TypeScript: dist/ only, run-plugin's ts-node switched off",
  async () => {
    expect(node([path.join(PROVIDER_DIR, "scripts", "build.js"), "--if-stale"], PROVIDER_DIR).status).toBe(0);
    expect(staleReason(PROVIDER_DIR)).toBeUndefined();
    // A preload in the provider's process reports, when the port is written, every module loaded
    // and whether the ts-node that run-plugin registers (always, under Node: cmd/run-plugin/index.js
    // `typeScript: !process.versions.bun`) is still enabled.
    const probe = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "provider-probe-")), "probe.js");
    fs.writeFileSync(
      probe,
      `const write = process.stdout.write.bind(process.stdout);
process.stdout.write = (chunk, ...rest) => {
  if (/^\\d+\\n/.test(String(chunk))) {
    const tsNode = process[Symbol.for("ts-node.register.instance")];
    const report = { loaded: Object.keys(require.cache), tsNodeEnabled: tsNode ? tsNode.enabled() : null };
    process.stderr.write("PROBE " + JSON.stringify(report) + "\\n");
  }
  return write(chunk, ...rest);
};
`,
    );
    const before = process.env.NODE_OPTIONS;
    process.env.NODE_OPTIONS = `${before ?? ""} --require ${probe}`;
    let provider;
    try {
      provider = await startProvider("127.0.0.1:1");
    } finally {
      if (before === undefined) delete process.env.NODE_OPTIONS;
      else process.env.NODE_OPTIONS = before;
    }
    try {
      await new Promise((resolve) => setTimeout(resolve, 200)); // the probe's line on stderr
      const line = provider
        .stderr()
        .split("\n")
        .find((l) => l.startsWith("PROBE "));
      expect(line).toBeDefined();
      const { loaded, tsNodeEnabled } = JSON.parse(line!.slice("PROBE ".length)) as {
        loaded: string[];
        tsNodeEnabled: boolean | null;
      };
      // run-plugin registered its type-checking ts-node; main.js switched it off before loading anything.
      expect(tsNodeEnabled).toBe(false);
      expect(loaded).toContain(path.join(PROVIDER_DIR, "dist", "provider", "index.js"));
      expect(loaded).toContain(
        path.join(PROVIDER_DIR, "dist", "components", "inference-endpoint", "args.js"),
      );
      expect(loaded.filter((f) => /\.tsx?$/.test(f))).toEqual([]);
      // The components themselves come from dist/, not from a second copy.
      expect(loaded.filter((f) => f.startsWith(path.join(ROOT, "components") + path.sep))).toEqual([]);
    } finally {
      provider.stop();
      fs.rmSync(path.dirname(probe), { recursive: true, force: true });
    }
  },
  5 * MINUTES,
);

describe("a copy of the repository's provider sources", () => {
  let root: string;
  let provider: string;

  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "provider-build-"));
    for (const dir of ["components", "functions"])
      fs.cpSync(path.join(ROOT, dir), path.join(root, dir), {
        recursive: true,
        filter: (src) => !src.endsWith(".test.ts"),
      });
    fs.cpSync(PROVIDER_DIR, path.join(root, "provider"), {
      recursive: true,
      filter: (src) => !src.startsWith(path.join(PROVIDER_DIR, "dist")) && !src.includes(`${path.sep}.dist-`),
    });
    fs.copyFileSync(path.join(ROOT, "tsconfig.json"), path.join(root, "tsconfig.json"));
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(root, "node_modules"), "dir");
    provider = path.join(root, "provider");
  });

  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  const exportsOf = () =>
    node(["-e", `console.log(JSON.stringify(Object.keys(require(${JSON.stringify(provider)}))))`], root);

  test(
    "postinstall builds dist/, a second run leaves it alone, and dist/ is what main.js loads",
    () => {
      expect(staleReason(provider)).toBe("dist/ has not been built");
      const first = node(["scripts/build.js", "--if-stale"], provider);
      expect(first.status).toBe(0);
      expect(first.stdout).toBe(""); // nothing on npm's stdout
      expect(first.stderr).toMatch(/^provider build: compiled to dist\/ in \d+\.\d s\n$/);
      const stamp = readStamp(provider);
      expect(stamp.entry).toBe("dist/provider/index.js");
      expect(stamp.sources).toEqual(
        expect.arrayContaining([
          "provider/index.ts",
          "components/shared/aws-facts.ts",
          "provider/package.json",
        ]),
      );
      expect(staleReason(provider)).toBeUndefined();

      const again = node(["scripts/build.js", "--if-stale"], provider);
      expect(again).toEqual({ status: 0, stdout: "", stderr: "" });

      const loaded = exportsOf();
      expect(loaded.stderr).toBe("");
      expect(JSON.parse(loaded.stdout)).toEqual(expect.arrayContaining(["InferenceEndpoint", "PlatformKey"]));
    },
    5 * MINUTES,
  );

  test(
    "a source edited after the build makes dist/ stale, and main.js rebuilds it before loading it",
    () => {
      fs.appendFileSync(path.join(provider, "index.ts"), '\nexport const BUILD_PROBE = "rebuilt";\n');
      expect(staleReason(provider)).toBe("the sources changed since dist/ was built");
      const run = node(
        [
          "-e",
          `console.log(require(${JSON.stringify(provider)}).BUILD_PROBE, require.extensions[".ts"] === undefined)`,
        ],
        root,
      );
      expect(run.stderr).toBe("");
      expect(run.stdout).toBe("rebuilt true\n"); // the edit, compiled, and no .ts loader registered
      expect(staleReason(provider)).toBeUndefined();

      // An imported component's edit counts as well, not only the provider's own files.
      fs.appendFileSync(path.join(root, "components", "shared", "tags.ts"), "\n// edited\n");
      expect(staleReason(provider)).toBe("the sources changed since dist/ was built");
    },
    5 * MINUTES,
  );

  test(
    "a source that does not compile: --if-stale says so and exits 0, --force exits 1, main.js runs the sources",
    () => {
      const file = path.join(provider, "components", "platform-key.ts");
      const good = fs.readFileSync(file, "utf8");
      fs.writeFileSync(file, `${good}\nexport const broken = ;\n`);
      try {
        const ifStale = node(["scripts/build.js", "--if-stale"], provider);
        expect(ifStale.status).toBe(0);
        expect(ifStale.stderr).toMatch(
          /^provider build: compiling failed: .*; dist\/ is not built, so the provider will run its TypeScript sources \(slower start\)\n$/,
        );
        const force = node(["scripts/build.js", "--force"], provider);
        expect(force.status).toBe(1);
        expect(force.stderr).toMatch(/^provider build: compiling failed: /);
        // The previous dist/ is kept as it was, but it is stale: main.js does not run it.
        expect(staleReason(provider)).toBe("the sources changed since dist/ was built");
        const run = exportsOf();
        expect(run.stderr).toContain(
          "mlplatform provider: the sources changed since dist/ was built, and rebuilding it failed",
        );
        expect(run.stderr).toContain("running the TypeScript sources with ts-node instead");
      } finally {
        fs.writeFileSync(file, good);
      }
    },
    5 * MINUTES,
  );
});
