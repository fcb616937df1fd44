/**
 * End to end, on this machine: `npm run local` trains on generated images whose class names
 * are awkward (a space, non-ASCII letters and a symbol, a leading digit), packages, serves and
 * invokes; then the kept model.tar.gz is served again to send the function bad images and a
 * model that does not load; and Ctrl-C leaves no process and no temporary file behind.
 *
 * Kept small on purpose: resnet18 on 32-pixel images, a few epochs, one training run.
 */
import { execFile, spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { bundleFunction, inferenceFunctionEntry } from "../functions/bundle";
import { startHttpsImageServer } from "../test/support/https-image-server";
import type { HttpsImageServer } from "../test/support/https-image-server";
import { GIF_BYTES, pngHeaderOnly, solidPng } from "../test/support/sample-images";
import { SAGEMAKER_DIR, startLocalEndpoint } from "./endpoint";
import type { LocalEndpoint } from "./endpoint";
import { startLambdaRunner } from "./lambda-runner";
import type { LambdaRunner } from "./lambda-runner";
import { ChildProcesses } from "./processes";
import { pythonForTests } from "./python";
import { LOCAL_AWS_ENVIRONMENT, LOOPBACK_FUNCTION_ENTRY, TEMP_PREFIX } from "./run";
import type { LocalRunResult } from "./run";

const PYTHON = pythonForTests();
const describePython = PYTHON ? describe : describe.skip;

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, "..");
const TS_NODE = require.resolve("ts-node/dist/bin.js");
const DEMO_CLASSES = ["red square", "grüner Kreis ●", "3 blue triangles"];

interface CliRun {
  readonly child: ChildProcess;
  readonly output: string[];
  readonly finished: Promise<number>;
  /** Resolves when the output has a line matching `pattern`. */
  waitFor(pattern: RegExp): Promise<void>;
}

/** `npm run local -- <args>`, as its own process group (as a terminal runs a foreground job). */
function startCli(args: readonly string[], tmp: string): CliRun {
  const child = spawn(
    process.execPath,
    [TS_NODE, "--transpile-only", path.join(ROOT, "local", "cli.ts"), ...args],
    {
      cwd: ROOT,
      // ts-node's compile cache would be the only file it leaves in TMPDIR (a cache, not ours).
      env: { ...process.env, TMPDIR: tmp, DISABLE_V8_COMPILE_CACHE: "1" },
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const output: string[] = [];
  const watchers: { pattern: RegExp; resolve: () => void }[] = [];
  const onData = (chunk: Buffer) => {
    output.push(...chunk.toString("utf8").split("\n"));
    for (const watcher of [...watchers]) {
      if (output.some((line) => watcher.pattern.test(line))) {
        watchers.splice(watchers.indexOf(watcher), 1);
        watcher.resolve();
      }
    }
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const finished = new Promise<number>((resolve) =>
    child.once("close", (code, signal) => resolve(code ?? (signal === "SIGINT" ? 130 : 1))),
  );
  return {
    child,
    output,
    finished,
    waitFor: (pattern) =>
      new Promise<void>((resolve, reject) => {
        if (output.some((line) => pattern.test(line))) return resolve();
        watchers.push({ pattern, resolve });
        void finished.then(() => reject(new Error(`exited before ${pattern}:\n${output.join("\n")}`)));
      }),
  };
}

/** Live processes (not zombies) in the process group `pgid`. */
function processesInGroup(pgid: number): string[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        const [state, , group] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        if (Number(group) !== pgid || state === "Z") return [];
        return [`${pid}: ${readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ")}`];
      } catch {
        return []; // gone while we looked
      }
    });
}

/** A PNG whose header claims `width` x `height` and whose pixel data is cut short. */
function truncatedPng(width: number, height: number): Buffer {
  const full = solidPng(width, height, [30, 140, 220]);
  return full.subarray(0, full.length - 40);
}

describePython("npm run local, end to end", () => {
  let scratch: string;
  let python: string;
  let demo: { code: number; result: LocalRunResult; output: string[]; pgid: number };
  let keptModel: string;

  beforeAll(async () => {
    python = PYTHON!;
    scratch = mkdtempSync(path.join(tmpdir(), "local-e2e-"));
    const tmp = path.join(scratch, "tmp");
    mkdirSync(tmp);
    const cli = startCli(["--demo", "--json", "--top-k", "5", "--output", path.join(scratch, "kept")], tmp);
    const code = await cli.finished;
    const json = cli.output.find((line) => line.startsWith("{"));
    if (!json)
      throw new Error(`npm run local -- --demo printed no result (exit ${code}):\n${cli.output.join("\n")}`);
    demo = { code, result: JSON.parse(json) as LocalRunResult, output: cli.output, pgid: cli.child.pid! };
    keptModel = path.join(scratch, "kept", "model.tar.gz");
  }, 300_000);
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  describe("--demo", () => {
    it("exits 0 with predictions that carry exactly the dataset's class names", () => {
      expect(demo.code).toBe(0);
      const { answer, classes } = demo.result;
      expect(classes).toEqual(DEMO_CLASSES);
      expect(answer!.statusCode).toBe(200);
      const predictions = answer!.body.predictions as { label: string; index: number; probability: number }[];
      // top-k 5, three classes: every class comes back once, spelt exactly as its folder.
      expect(predictions.map((p) => p.label).sort()).toEqual([...DEMO_CLASSES].sort());
      // Index i is the i-th class folder in sorted order (labels.json, written by train.py).
      const sorted = [...DEMO_CLASSES].sort();
      for (const p of predictions) expect(p.label).toBe(sorted[p.index]);
      const total = predictions.reduce((sum, p) => sum + p.probability, 0);
      expect(total).toBeCloseTo(1, 4);
    });

    it("reports the training job, the artifact and every stage's time", () => {
      const { training, artifact, seconds, handlerMs, endpointMs, coldStartMs } = demo.result;
      expect(training).toMatchObject({ status: "Completed", exitCode: 0 });
      expect(training!.testAccuracy).toBeGreaterThan(0.34); // above chance
      expect(artifact!.entries).toEqual([
        "code/",
        "labels.json",
        "model.pth",
        "model_config.json",
        "code/inference.py",
      ]);
      for (const stage of ["dataset", "training", "packaging", "endpoint", "bundle", "invoke"] as const) {
        expect(seconds[stage]).toBeGreaterThan(0);
      }
      expect(handlerMs!.invokeMs).toBeGreaterThan(0);
      expect(handlerMs!.totalMs).toBeGreaterThanOrEqual(handlerMs!.invokeMs!);
      expect(Object.keys(endpointMs!)).toEqual(["input_fn", "predict_fn", "output_fn", "total"]);
      expect(coldStartMs).toBeGreaterThan(0);
    });

    it("leaves no process and no temporary folder behind", () => {
      expect(processesInGroup(demo.pgid)).toEqual([]);
      expect(readdirSync(path.join(scratch, "tmp"))).toEqual([]);
      expect(readdirSync(path.join(scratch, "kept")).sort()).toEqual(["model.tar.gz", "output.tar.gz"]);
    });
  });

  describe("the kept model.tar.gz, served again", () => {
    const processes = new ChildProcesses();
    let endpoint: LocalEndpoint;
    let production: LambdaRunner;
    let loopback: LambdaRunner;
    let images: HttpsImageServer;
    let work: string;

    async function runnerFor(entry: string, name: string, url: string, extra: Record<string, string> = {}) {
      const file = path.join(work, name, "index.js");
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, bundleFunction(entry).code);
      return startLambdaRunner({
        bundlePath: file,
        processes,
        env: {
          ...LOCAL_AWS_ENVIRONMENT,
          ENDPOINT_NAME: "local-endpoint",
          SAGEMAKER_RUNTIME_URL: url,
          LOG_LEVEL: "INFO",
          ...extra,
        },
      });
    }

    const answerOf = async (runner: LambdaRunner, event: unknown) => {
      const { response } = await runner.invoke(event);
      const { statusCode, body } = response as { statusCode: number; body: string };
      return { statusCode, body: JSON.parse(body) as Record<string, unknown> };
    };
    const image = (bytes: Buffer) => ({ image: bytes.toString("base64") });

    beforeAll(async () => {
      work = mkdtempSync(path.join(scratch, "serve-"));
      endpoint = await startLocalEndpoint({
        python,
        modelArchive: keptModel,
        modelDir: path.join(work, "opt-ml-model"),
        processes,
        endpointName: "local-endpoint",
      });
      images = await startHttpsImageServer({
        "/sample.png": { kind: "file", contentType: "image/png", body: solidPng(40, 30, [215, 40, 40]) },
      });
      writeFileSync(path.join(work, "ca.pem"), images.ca);
      production = await runnerFor(inferenceFunctionEntry, "production", endpoint.url);
      loopback = await runnerFor(LOOPBACK_FUNCTION_ENTRY, "loopback", endpoint.url, {
        LOCAL_TEST_CA_FILE: path.join(work, "ca.pem"),
      });
    }, 180_000);
    afterAll(async () => {
      await processes.stopAll();
      await images?.close();
    });

    it("answers the model's 400 with its reason for an image that does not decode", async () => {
      const { statusCode, body } = await answerOf(production, image(truncatedPng(64, 64)));
      expect(statusCode).toBe(400);
      expect(body.error).toMatch(/^request body is not a decodable JPEG or PNG image \(.+\)$/);
      expect(JSON.stringify(body)).not.toMatch(/Traceback|0x[0-9a-f]{6}|\/opt\/ml/);
    });

    it("answers the model's 413 with its reason for an image with too many pixels", async () => {
      const { statusCode, body } = await answerOf(production, image(pngHeaderOnly(6000, 6000)));
      expect(statusCode).toBe(413);
      expect(body).toEqual({
        error: "image is 6000x6000 = 36000000 pixels; the limit is 25000000 (MAX_IMAGE_PIXELS)",
      });
    });

    it("classifies a 3000x1 PNG with bounded work", async () => {
      const wide = solidPng(3000, 1, [10, 200, 30]);
      expect(wide.length).toBeLessThan(200);
      const { statusCode, body } = await answerOf(production, image(wide));
      expect(statusCode).toBe(200);
      expect((body.predictions as unknown[]).length).toBe(3);
    });

    it("refuses a GIF itself (415) without calling the endpoint", async () => {
      const before = endpoint.invocations.length;
      const { statusCode, body } = await answerOf(production, image(GIF_BYTES));
      expect(statusCode).toBe(415);
      expect(body).toEqual({ error: "image must be a JPEG or PNG" });
      expect(endpoint.invocations.length).toBe(before);
    });

    it("keeps the URL guard on in the real bundle: a loopback url is refused", async () => {
      const { statusCode, body } = await answerOf(production, {
        url: `https://127.0.0.1:${images.port}/sample.png`,
      });
      expect(statusCode).toBe(400);
      expect(body).toEqual({ error: "url must point to a public internet address" });
    });

    it("fetches a --url through the test-only loopback build", async () => {
      const { statusCode, body } = await answerOf(loopback, {
        url: `https://127.0.0.1:${images.port}/sample.png`,
      });
      expect(statusCode).toBe(200);
      expect((body.predictions as { label: string }[]).map((p) => p.label).sort()).toEqual(
        [...DEMO_CLASSES].sort(),
      );
    });

    it("a model that fails to load makes /ping unhealthy and the function answer 502", async () => {
      const broken = path.join(work, "broken");
      await run(python, [path.join(SAGEMAKER_DIR, "model_archive.py"), "unpack", keptModel, broken]);
      writeFileSync(path.join(broken, "model.pth"), "not a state dict");
      const archive = path.join(work, "broken.tar.gz");
      await run(python, [path.join(SAGEMAKER_DIR, "model_archive.py"), "pack", broken, archive]);
      const failing = await startLocalEndpoint({
        python,
        modelArchive: archive,
        modelDir: path.join(work, "broken-model"),
        processes,
        endpointName: "local-endpoint",
      });
      expect(failing.modelLoad.ok).toBe(false);
      expect(!failing.modelLoad.ok && failing.modelLoad.error).toMatch(
        /^ModelLoadError: cannot load model\.pth: /,
      );
      const ping = await failing.ping();
      expect(ping.status).toBe(500);
      expect(JSON.parse(ping.body)).toEqual({ status: "Unhealthy" });
      const runner = await runnerFor(inferenceFunctionEntry, "broken-function", failing.url);
      const { statusCode, body } = await answerOf(runner, image(solidPng(8, 8)));
      expect(statusCode).toBe(502);
      expect(body.error).toBe("the model endpoint failed to classify the image");
      await runner.close();
      await failing.close();
    });
  });

  describe("Ctrl-C", () => {
    it("during training: exit 130, no process and no temporary folder left", async () => {
      const tmp = mkdtempSync(path.join(scratch, "sigint-train-"));
      const cli = startCli(["--demo"], tmp);
      await cli.waitFor(/train {4}\| .*hyperparameters: arch=resnet18/);
      process.kill(-cli.child.pid!, "SIGINT"); // the whole foreground group, as a terminal does
      expect(await cli.finished).toBe(130);
      expect(processesInGroup(cli.child.pid!)).toEqual([]);
      expect(readdirSync(tmp)).toEqual([]);
    }, 120_000);

    it("sent to local mode alone while the function waits on a slow url: everything it started stops", async () => {
      const images = await startHttpsImageServer({ "/slow.png": { kind: "hang" } });
      const tmp = mkdtempSync(path.join(scratch, "sigint-serve-"));
      const ca = path.join(scratch, "slow-ca.pem");
      writeFileSync(ca, images.ca);
      try {
        const url = `https://127.0.0.1:${images.port}/slow.png`;
        const cli = startCli(["--model", keptModel, "--url", url, "--test-allow-loopback-url", ca], tmp);
        await cli.waitFor(/^\[5\/5\] invoke/);
        await new Promise((resolve) => setTimeout(resolve, 500)); // the function is now fetching
        expect(readdirSync(tmp).filter((name) => name.startsWith(TEMP_PREFIX))).toHaveLength(1);
        process.kill(cli.child.pid!, "SIGINT"); // only local mode: it must stop its children itself
        expect(await cli.finished).toBe(130);
        expect(processesInGroup(cli.child.pid!)).toEqual([]);
        expect(readdirSync(tmp)).toEqual([]);
      } finally {
        await images.close();
      }
    }, 120_000);
  });

  it("exits 2 with one line naming a usage problem (the rest: cli.test.ts)", async () => {
    const cli = startCli(["--demo", "--data", "x"], scratch);
    expect(await cli.finished).toBe(2);
    expect(cli.output[0]).toBe("local: give one of --data <dir>, --demo or --model <model.tar.gz>");
  });
});
