/**
 * A SageMaker training job on this machine (local/sagemaker/training_job.py): the code goes in
 * as the same deterministic sourcedir.tar.gz the stack uploads, the hyperparameters as
 * CreateTrainingJob stores them, and what comes out is model.tar.gz as SageMaker writes it.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { buildSourceBundle, DEFAULT_TRAINING_DIR } from "../components/source-bundle";
import { SAGEMAKER_DIR } from "./endpoint";
import type { ChildProcesses } from "./processes";
import { eachLine, exitOf } from "./processes";

/** Local defaults: small, CPU-only, nothing downloaded (no network; no pretrained weights). */
export const LOCAL_HYPERPARAMETERS: Readonly<Record<string, string | number | boolean>> = {
  arch: "resnet18",
  pretrained: false,
  epochs: 4,
  "batch-size": 16,
  lr: 0.01,
  "image-size": 32,
  "num-workers": 0,
};

/**
 * `key=value` pairs as CreateTrainingJob stores them: every value a string, JSON-encoded, as
 * the SageMaker Python SDK and our training component encode them
 * (components/training-cluster/job-spec.ts); the container's toolkit JSON-decodes them. A
 * value given on the command line is taken as a number or boolean when it reads as one,
 * else as text.
 */
export function storedHyperparameters(
  overrides: Readonly<Record<string, string>>,
  defaults: Readonly<Record<string, string | number | boolean>> = LOCAL_HYPERPARAMETERS,
): Record<string, string> {
  const typed: Record<string, string | number | boolean> = { ...defaults };
  for (const [key, text] of Object.entries(overrides)) typed[key] = parseValue(text);
  return {
    sagemaker_program: JSON.stringify("train.py"),
    sagemaker_submit_directory: JSON.stringify("/opt/ml/input/data/code/sourcedir.tar.gz"),
    sagemaker_container_log_level: JSON.stringify(20),
    sagemaker_region: JSON.stringify("local"),
    ...Object.fromEntries(Object.entries(typed).map(([key, value]) => [key, JSON.stringify(value)])),
  };
}

function parseValue(text: string): string | number | boolean {
  if (text === "true" || text === "false") return text === "true";
  if (/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(text)) return Number(text);
  return text;
}

export interface TrainingJobResult {
  readonly status: "Completed" | "Failed" | "Interrupted";
  readonly exitCode: number;
  /** The entry point's run time. */
  readonly seconds: number;
  /** Packing model/ into model.tar.gz. */
  readonly packSeconds?: number;
  readonly modelArtifact?: string;
  readonly outputArtifact?: string;
  readonly failureReason?: string;
  /** The last `test_accuracy=` the entry point logged, if any. */
  readonly testAccuracy?: number;
  readonly sourceBundleSha256: string;
}

export interface TrainingJobOptions {
  readonly python: string;
  /** Folder that stands for /opt/ml (created). */
  readonly root: string;
  /** The ImageFolder dataset: the `training` channel. */
  readonly dataDir: string;
  readonly hyperparameters: Readonly<Record<string, string>>;
  readonly processes: ChildProcesses;
  /** The entry point's output, line by line. */
  readonly onLog?: (line: string) => void;
}

const SUMMARY_PREFIX = "training-job: {";

export async function runTrainingJob(options: TrainingJobOptions): Promise<TrainingJobResult> {
  mkdirSync(options.root, { recursive: true });
  const bundle = buildSourceBundle(DEFAULT_TRAINING_DIR);
  const bundlePath = path.join(options.root, "..", "sourcedir.tar.gz");
  writeFileSync(bundlePath, bundle.archive);
  const hyperparametersPath = path.join(options.root, "..", "hyperparameters.json");
  writeFileSync(hyperparametersPath, JSON.stringify(options.hyperparameters, null, 2));

  const child = options.processes.spawn(
    options.python,
    [
      path.join(SAGEMAKER_DIR, "training_job.py"),
      "--root",
      options.root,
      "--source-bundle",
      bundlePath,
      "--entry-point",
      "train.py",
      "--channel",
      `training=${options.dataDir}`,
      "--hyperparameters",
      hyperparametersPath,
    ],
    {
      env: {
        ...process.env,
        PYTHONDONTWRITEBYTECODE: "1",
        PYTHONUNBUFFERED: "1",
        TORCH_HOME: path.join(options.root, "torch-home"),
      },
    },
  );
  let summary: Omit<TrainingJobResult, "sourceBundleSha256" | "testAccuracy"> | undefined;
  let testAccuracy: number | undefined;
  const onLine = (line: string) => {
    if (line.startsWith(SUMMARY_PREFIX)) {
      const message = JSON.parse(line.slice("training-job: ".length)) as { event?: string; pid?: number };
      if (message.event === "started" && message.pid) options.processes.adopt(message.pid);
      else summary = message as typeof summary;
      return;
    }
    const accuracy = /test_accuracy=([0-9.]+)/.exec(line);
    if (accuracy) testAccuracy = Number(accuracy[1]);
    options.onLog?.(line);
  };
  eachLine(child.stdout, onLine);
  eachLine(child.stderr, onLine);
  const code = await exitOf(child);
  if (code === 130 || code === 128 + 2 || code === 128 + 15) {
    return { status: "Interrupted", exitCode: code, seconds: 0, sourceBundleSha256: bundle.sha256 };
  }
  if (!summary) {
    return {
      status: "Failed",
      exitCode: code,
      seconds: 0,
      failureReason: `the training job runner exited with status ${code} before reporting`,
      sourceBundleSha256: bundle.sha256,
    };
  }
  return { ...summary, testAccuracy, sourceBundleSha256: bundle.sha256 };
}
