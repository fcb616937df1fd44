import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { bundleFunction, inferenceFunctionEntry, LAZY_CREDENTIAL_PROVIDERS, PROJECT_ROOT } from "./bundle";
import { TEST_AWS_ENVIRONMENT } from "../test/support/aws-test-environment";
import { solidPng } from "../test/support/sample-images";
import { modelPredictions, startSageMakerRuntimeServer } from "../test/support/sagemaker-runtime-server";

const run = promisify(execFile);
const BUILT = path.join(PROJECT_ROOT, "dist", "functions", "inference", "index.js");
const SIZE_BUDGET_BYTES = 300 * 1024;

describe("inference function bundle", () => {
  const first = bundleFunction(inferenceFunctionEntry);

  it("is deterministic: two builds give the same bytes and hash", () => {
    const second = bundleFunction("functions/inference/index.ts");
    expect(second.code).toBe(first.code);
    expect(second.sha256).toBe(first.sha256);
    expect(first.sha256).toBe(createHash("sha256").update(first.code).digest("hex"));
    expect(first.bytes).toBe(Buffer.byteLength(first.code));
  });

  it(`stays within the ${SIZE_BUDGET_BYTES / 1024} KB budget`, () => {
    expect(first.bytes).toBeLessThanOrEqual(SIZE_BUDGET_BYTES);
  });

  it("requires only Node built-ins and the lazily loaded credential providers", () => {
    const required = new Set([...first.code.matchAll(/require\("([^"]+)"\)/g)].map((match) => match[1]!));
    const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
    const others = [...required].filter((name) => !builtins.has(name));
    expect(others.sort()).toEqual([...LAZY_CREDENTIAL_PROVIDERS].sort());
  });

  it("is what `npm run build` writes to dist/functions/inference/index.js", async () => {
    const { stdout } = await run(
      process.execPath,
      [path.join(PROJECT_ROOT, "scripts", "build-functions.mjs")],
      {
        cwd: PROJECT_ROOT,
      },
    );
    expect(stdout).toContain(
      `inference: dist/functions/inference/index.js ${first.bytes} bytes sha256 ${first.sha256}`,
    );
    expect(existsSync(BUILT)).toBe(true);
    expect(readFileSync(BUILT, "utf8")).toBe(first.code);
  });

  it("loads alone in a fresh node process as CommonJS exporting a working handler", async () => {
    const runtime = await startSageMakerRuntimeServer({ endpointNames: ["dog-breeds"] });
    const dir = mkdtempSync(path.join(tmpdir(), "inference-bundle-"));
    try {
      // Away from node_modules: the bundle must not need anything beside it.
      writeFileSync(path.join(dir, "index.js"), first.code);
      const png = solidPng(5, 5);
      const script = `
        const mod = require("./index.js");
        const event = { image: ${JSON.stringify(png.toString("base64"))} };
        mod.handler(event, { awsRequestId: "bundle-1" }).then((response) => {
          process.stdout.write(JSON.stringify({ exports: Object.keys(mod), type: typeof mod.handler, response }));
        });`;
      const { stdout } = await run(process.execPath, ["--no-warnings", "-e", script], {
        cwd: dir,
        env: {
          PATH: process.env.PATH,
          ...TEST_AWS_ENVIRONMENT,
          ENDPOINT_NAME: "dog-breeds",
          SAGEMAKER_RUNTIME_URL: runtime.url,
          TOP_K: "4",
          LOG_LEVEL: "SILENT",
        },
      });
      const result = JSON.parse(stdout);
      expect(result.exports).toEqual(["handler"]);
      expect(result.type).toBe("function");
      expect(result.response.statusCode).toBe(200);
      expect(JSON.parse(result.response.body)).toEqual({ predictions: modelPredictions(png, 4) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await runtime.close();
    }
  });
});
