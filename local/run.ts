/**
 * The whole ML path on one machine: train with the SageMaker conventions, package
 * model.tar.gz as SageMaker stores it, serve it behind the runtime API as the PyTorch serving
 * container does, build the Lambda bundle and invoke its handler through the real SDK client.
 * Everything lives in one temporary folder and a few child processes, all removed at the end,
 * whatever the end is (see `LocalRun.dispose`).
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { bundleFunction, inferenceFunctionEntry } from "../functions/bundle";
import { startLocalEndpoint } from "./endpoint";
import type { InvocationEvent, LocalEndpoint } from "./endpoint";
import { startLambdaRunner } from "./lambda-runner";
import type { LambdaRunner } from "./lambda-runner";
import { ChildProcesses } from "./processes";
import { findPython } from "./python";
import { runTrainingJob, storedHyperparameters } from "./training-job";
import type { TrainingJobResult } from "./training-job";

const run = promisify(execFile);

export const LOOPBACK_FUNCTION_ENTRY = path.join(__dirname, "loopback-function.ts");
export const TEMP_PREFIX = "ml-platform-local-";
/** Credentials the SDK signs with; the local runtime checks a signature is there, not whose. */
export const LOCAL_AWS_ENVIRONMENT: Readonly<Record<string, string>> = {
  AWS_ACCESS_KEY_ID: "AKIDLOCALMODE",
  AWS_SECRET_ACCESS_KEY: "local-mode-secret",
  AWS_REGION: "us-east-1",
  AWS_EC2_METADATA_DISABLED: "true",
};

export type ImageSource =
  { readonly kind: "image"; readonly file: string } | { readonly kind: "url"; readonly url: string };

export interface LocalRunOptions {
  /**
   * ImageFolder dataset (train/, valid/, test/) to train on; `demo` to generate one; or a
   * model.tar.gz to serve as it is, without training.
   */
  readonly data:
    | { readonly kind: "folder"; readonly dir: string }
    | { readonly kind: "demo" }
    | { readonly kind: "model"; readonly archive: string };
  /** What to classify; default: the demo's sample image, or the first image of `<data>/test/`. */
  readonly source?: ImageSource;
  /** train.py hyperparameters (`key=value`), over the local defaults. */
  readonly hyperparameters?: Readonly<Record<string, string>>;
  /** TOP_K of the function. */
  readonly topK?: number;
  /** Endpoint worker processes (SAGEMAKER_MODEL_SERVER_WORKERS). */
  readonly workers?: number;
  /** TEST ONLY: build the function with a URL guard that admits loopback and trusts this CA file. */
  readonly testLoopbackCaFile?: string;
  /** Copy model.tar.gz and output.tar.gz here before cleaning up. */
  readonly outputDir?: string;
}

export interface Progress {
  stage(name: string, detail?: string): void;
  log(source: "train" | "endpoint" | "function", line: string): void;
}

export interface StageTimings {
  dataset?: number;
  training?: number;
  packaging?: number;
  endpoint?: number;
  modelLoad?: number;
  bundle?: number;
  invoke?: number;
}

export interface LocalRunResult {
  /** The dataset's class names (train/ folder names; for --model, the archive's labels.json). */
  readonly classes: readonly string[];
  readonly source: ImageSource;
  /** The class the demo's sample image belongs to (demo only). */
  readonly expectedClass?: string;
  /** The training job (absent when a model.tar.gz was given). */
  readonly training?: TrainingJobResult;
  readonly artifact?: { readonly bytes: number; readonly entries: readonly string[] };
  readonly modelLoadError?: string;
  /** The handler's answer: statusCode and parsed body. */
  readonly answer?: { readonly statusCode: number; readonly body: Record<string, unknown> };
  /** Seconds per stage. */
  readonly seconds: StageTimings;
  /** The handler's own timings (ms), from its log line. */
  readonly handlerMs?: Readonly<Record<string, number>>;
  /** The container's per-handler timings (ms) for the request. */
  readonly endpointMs?: Readonly<Record<string, number>>;
  readonly coldStartMs?: number;
  readonly bundleBytes?: number;
  readonly outputs?: readonly string[];
}

export class LocalRunError extends Error {
  override readonly name = "LocalRunError";
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** One run's temporary folder and child processes; `dispose` removes both and is idempotent. */
export class LocalRun {
  readonly processes = new ChildProcesses();
  readonly workDir: string;
  private disposed?: Promise<void>;

  constructor() {
    this.workDir = mkdtempSync(path.join(tmpdir(), TEMP_PREFIX));
  }

  dispose(): Promise<void> {
    this.disposed ??= (async () => {
      await this.processes.stopAll();
      rmSync(this.workDir, { recursive: true, force: true });
    })();
    return this.disposed;
  }
}

const since = (start: number) => Math.round((performance.now() - start) / 10) / 100;

export async function runLocal(
  options: LocalRunOptions,
  progress: Progress,
  localRun: LocalRun,
): Promise<LocalRunResult> {
  const work = localRun.workDir;
  const processes = localRun.processes;
  const seconds: StageTimings = {};
  const python = await findPython().catch((error: Error) => {
    throw new LocalRunError(error.message, 2);
  });

  // 1. Data
  let started = performance.now();
  let source = options.source;
  let expectedClass: string | undefined;
  let dataDir: string | undefined;
  let classes: string[] = [];
  if (options.data.kind === "demo") {
    progress.stage("dataset", "generating a tiny demo dataset (3 classes of coloured shapes)");
    const { stdout } = await run(
      python,
      [path.join(__dirname, "demo_dataset.py"), path.join(work, "demo-data")],
      {
        env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" },
      },
    );
    const demo = JSON.parse(stdout) as {
      root: string;
      classes: string[];
      sample: string;
      sampleClass: string;
    };
    dataDir = demo.root;
    classes = demo.classes;
    source ??= { kind: "image", file: demo.sample };
    expectedClass = demo.sampleClass;
  } else if (options.data.kind === "folder") {
    dataDir = path.resolve(options.data.dir);
    classes = classFolders(dataDir);
    source ??= { kind: "image", file: firstTestImage(dataDir) };
  } else if (!existsSync(options.data.archive)) {
    throw new LocalRunError(`--model ${options.data.archive}: no such file`, 2);
  }
  if (!source) throw new LocalRunError("give --image <file> or --url <url> to classify with --model", 2);
  seconds.dataset = since(started);
  if (source.kind === "image") readImageFile(source.file); // fail before training, not after

  // 2. Training job (the platform packs model.tar.gz when it ends)
  let training: TrainingJobResult | undefined;
  let modelArchive: string;
  if (dataDir !== undefined) {
    progress.stage("training", `train.py on ${dataDir} (${classes.length} classes)`);
    started = performance.now();
    training = await runTrainingJob({
      python,
      root: path.join(work, "training-job", "opt-ml"),
      dataDir,
      hyperparameters: storedHyperparameters(options.hyperparameters ?? {}),
      processes,
      onLog: (line) => progress.log("train", line),
    });
    seconds.training = since(started) - (training.packSeconds ?? 0);
    seconds.packaging = training.packSeconds;
    if (training.status === "Interrupted") throw new LocalRunError("interrupted", 130);
    if (training.status !== "Completed" || !training.modelArtifact) {
      throw new LocalRunError(
        `the training job failed: ${training.failureReason ?? `exit status ${training.exitCode}`}`,
        1,
      );
    }
    modelArchive = training.modelArtifact;
  } else {
    progress.stage("training", "skipped: serving the given model.tar.gz");
    modelArchive = path.resolve((options.data as { archive: string }).archive);
  }
  const artifact = {
    bytes: statSync(modelArchive).size,
    entries: await archiveEntries(python, modelArchive),
  };
  const outputs = options.outputDir && training ? copyOutputs(training, options.outputDir) : undefined;

  // 3. Endpoint
  progress.stage(
    "endpoint",
    `serving model.tar.gz (${(artifact.bytes / 1e6).toFixed(1)} MB) as the PyTorch container does`,
  );
  started = performance.now();
  const endpoint: LocalEndpoint = await startLocalEndpoint({
    python,
    modelArchive,
    modelDir: path.join(work, "endpoint", "opt-ml-model"),
    processes,
    endpointName: "local-endpoint",
    workers: options.workers,
    env: {},
    onLog: (line) => progress.log("endpoint", line),
  });
  seconds.endpoint = since(started);
  if (endpoint.modelLoad.ok) seconds.modelLoad = Math.round(endpoint.modelLoad.seconds * 100) / 100;
  const modelLoadError = endpoint.modelLoad.ok ? undefined : endpoint.modelLoad.error;

  // 4. The Lambda bundle, exactly as `npm run build` makes it
  progress.stage(
    "function",
    options.testLoopbackCaFile ? "building the TEST-ONLY loopback bundle" : "building the Lambda bundle",
  );
  started = performance.now();
  const bundle = bundleFunction(
    options.testLoopbackCaFile ? LOOPBACK_FUNCTION_ENTRY : inferenceFunctionEntry,
  );
  const bundlePath = path.join(work, "function", "index.js");
  mkdirSync(path.dirname(bundlePath), { recursive: true });
  writeFileSync(bundlePath, bundle.code);
  seconds.bundle = since(started);

  // 5. Invoke the handler through the real SDK client
  progress.stage(
    "invoke",
    source.kind === "image" ? `{"image": <base64 of ${source.file}>}` : `{"url": "${source.url}"}`,
  );
  const runner: LambdaRunner = await startLambdaRunner({
    bundlePath,
    processes,
    env: {
      ...LOCAL_AWS_ENVIRONMENT,
      ENDPOINT_NAME: endpoint.endpointName,
      SAGEMAKER_RUNTIME_URL: endpoint.url,
      TOP_K: String(options.topK ?? 5),
      LOG_LEVEL: "INFO",
      ...(options.testLoopbackCaFile ? { LOCAL_TEST_CA_FILE: path.resolve(options.testLoopbackCaFile) } : {}),
    },
  });
  started = performance.now();
  const event =
    source.kind === "image" ? { image: readImageFile(source.file).toString("base64") } : { url: source.url };
  const invocation = await runner.invoke(event);
  seconds.invoke = since(started);
  await runner.close();
  const response = invocation.response as { statusCode: number; body: string };
  const logLine = invocation.logs.find((entry) => typeof entry.statusCode === "number");
  for (const entry of invocation.logs) progress.log("function", JSON.stringify(entry));
  const endpointEvent: InvocationEvent | undefined = endpoint.invocations
    .filter((e) => e.route === "runtime")
    .at(-1);
  await endpoint.close();
  if (options.data.kind === "model") classes = labelsOf(path.join(work, "endpoint", "opt-ml-model"));

  return {
    classes,
    source,
    expectedClass,
    training,
    artifact,
    modelLoadError,
    answer: { statusCode: response.statusCode, body: JSON.parse(response.body) as Record<string, unknown> },
    seconds,
    handlerMs: logLine?.timings as Record<string, number> | undefined,
    endpointMs: endpointEvent?.ms,
    coldStartMs: Math.round(runner.loadMs * 10) / 10,
    bundleBytes: bundle.bytes,
    outputs,
  };
}

function labelsOf(modelDir: string): string[] {
  try {
    return JSON.parse(readFileSync(path.join(modelDir, "labels.json"), "utf8")) as string[];
  } catch {
    return [];
  }
}

function classFolders(dataDir: string): string[] {
  const train = path.join(dataDir, "train");
  if (!existsSync(dataDir) || !statSync(dataDir).isDirectory()) {
    throw new LocalRunError(`--data ${dataDir} does not exist or is not a folder`, 2);
  }
  if (!existsSync(train) || !statSync(train).isDirectory()) {
    throw new LocalRunError(
      `--data ${dataDir} has no train/ folder; expected train/, valid/ and test/ in ImageFolder layout`,
      2,
    );
  }
  return readdirSync(train, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith("."))
    .map((entry) => entry.name)
    .sort();
}

const IMAGE_EXTENSIONS = [".jpg", ".jpeg", ".png"];

function firstTestImage(dataDir: string): string {
  const test = path.join(dataDir, "test");
  if (existsSync(test)) {
    for (const label of readdirSync(test).sort()) {
      const folder = path.join(test, label);
      if (!statSync(folder).isDirectory()) continue;
      const image = readdirSync(folder)
        .sort()
        .find((name) => IMAGE_EXTENSIONS.includes(path.extname(name).toLowerCase()));
      if (image) return path.join(folder, image);
    }
  }
  throw new LocalRunError(
    `--data ${dataDir}: no JPEG or PNG under test/ to classify; pass --image <file> or --url <url>`,
    2,
  );
}

function readImageFile(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new LocalRunError(
      `--image ${file}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message}`,
      2,
    );
  }
}

async function archiveEntries(python: string, archive: string): Promise<string[]> {
  const { stdout } = await run(python, [
    path.join(__dirname, "sagemaker", "model_archive.py"),
    "list",
    archive,
  ]);
  return (JSON.parse(stdout) as { name: string; kind: string }[]).map((entry) =>
    entry.kind === "dir" ? `${entry.name}/` : entry.name,
  );
}

function copyOutputs(training: TrainingJobResult, outputDir: string): string[] {
  mkdirSync(outputDir, { recursive: true });
  const copied: string[] = [];
  for (const file of [training.modelArtifact, training.outputArtifact]) {
    if (!file) continue;
    const target = path.join(outputDir, path.basename(file));
    copyFileSync(file, target);
    copied.push(target);
  }
  return copied;
}
