/**
 * `npm run local`: train, package, serve and invoke the real artifacts on this machine.
 *
 *   npm run local -- --demo
 *   npm run local -- --data ./dogImages --image rex.jpg --hp arch=resnet50 --hp epochs=2
 *
 * Exit status: 0 the function answered 200; 1 training failed, the model did not load or the
 * function answered an error; 2 bad usage; 130 interrupted (Ctrl-C), 143 terminated.
 */
import path from "node:path";
import { LocalRun, LocalRunError, runLocal } from "./run";
import type { ImageSource, LocalRunOptions, LocalRunResult, Progress } from "./run";

export const USAGE = `usage: npm run local -- (--data <dir> | --demo | --model <model.tar.gz>) [--image <file> | --url <url>] [options]

Trains training/train.py as a SageMaker training job would, packages model.tar.gz as SageMaker
stores it, serves it as the SageMaker PyTorch serving container does (GET /ping, POST
/invocations, and the runtime API route the SDK calls), builds the Lambda bundle and invokes its
handler through the real AWS SDK client. CPU only, no network, no Docker; everything it creates
is removed when it ends, Ctrl-C included.

  --data <dir>             ImageFolder dataset with train/, valid/ and test/ (the training channel)
  --demo                   generate a tiny dataset (3 classes with awkward names) and classify its sample
  --model <model.tar.gz>   skip training: serve this artifact (as a training job wrote it, e.g. from S3)
  --image <file>           JPEG or PNG to classify, sent as {"image": "<base64>"}
                           (default: the demo sample, or the first image under <data>/test/)
  --url <url>              https URL to classify, sent as {"url"}; the function fetches it with its
                           URL guard on (public addresses only)
  --hp <key>=<value>       train.py hyperparameter, as SageMaker passes it (repeatable); local defaults:
                           arch=resnet18 pretrained=false epochs=4 batch-size=16 lr=0.01 image-size=32
                           num-workers=0 (no weights can be downloaded here)
  --top-k <n>              predictions to return (the function's TOP_K, 1..100; default 5)
  --workers <n>            endpoint worker processes (SAGEMAKER_MODEL_SERVER_WORKERS; default 1)
  --output <dir>           keep model.tar.gz and output.tar.gz there
  --json                   print the result as one JSON document on stdout (progress goes to stderr)
  --test-allow-loopback-url <ca.pem>
                           TEST ONLY: build the function with a URL guard that also admits loopback
                           and trusts this CA, for tests serving --url from 127.0.0.1
  -h, --help               this text`;

export interface CliArguments {
  readonly options: LocalRunOptions;
  readonly json: boolean;
}

const ONE_SOURCE = "give one of --data <dir>, --demo or --model <model.tar.gz>";

export class UsageError extends Error {
  override readonly name = "UsageError";
}

export function parseArguments(argv: readonly string[]): CliArguments | "help" {
  let data: LocalRunOptions["data"] | undefined;
  let source: ImageSource | undefined;
  const hyperparameters: Record<string, string> = {};
  let topK: number | undefined;
  let workers: number | undefined;
  let outputDir: string | undefined;
  let testLoopbackCaFile: string | undefined;
  let json = false;
  const value = (index: number, flag: string): string => {
    const next = argv[index + 1];
    if (next === undefined || next.startsWith("--")) throw new UsageError(`${flag} needs a value`);
    return next;
  };
  const integer = (text: string, flag: string, min: number, max: number): number => {
    const n = Number(text);
    if (!/^\d+$/.test(text) || n < min || n > max)
      throw new UsageError(
        `${flag} must be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`,
      );
    return n;
  };
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i]!;
    switch (flag) {
      case "-h":
      case "--help":
        return "help";
      case "--demo":
        if (data) throw new UsageError(ONE_SOURCE);
        data = { kind: "demo" };
        break;
      case "--data":
      case "--model":
        if (data) throw new UsageError(ONE_SOURCE);
        data =
          flag === "--data"
            ? { kind: "folder", dir: value(i, flag) }
            : { kind: "model", archive: value(i, flag) };
        i += 1;
        break;
      case "--image":
      case "--url": {
        if (source) throw new UsageError("give at most one of --image <file> or --url <url>");
        const text = value(i, flag);
        source = flag === "--image" ? { kind: "image", file: text } : { kind: "url", url: text };
        i += 1;
        break;
      }
      case "--hp":
      case "--hyperparameter": {
        const pair = value(i, flag);
        const [key, ...rest] = pair.split("=");
        if (!key || rest.length === 0)
          throw new UsageError(`${flag} must be <key>=<value>, got ${JSON.stringify(pair)}`);
        hyperparameters[key] = rest.join("=");
        i += 1;
        break;
      }
      case "--top-k":
        topK = integer(value(i, flag), flag, 1, 100);
        i += 1;
        break;
      case "--workers":
        workers = integer(value(i, flag), flag, 1, 64);
        i += 1;
        break;
      case "--output":
        outputDir = path.resolve(value(i, flag));
        i += 1;
        break;
      case "--json":
        json = true;
        break;
      case "--test-allow-loopback-url":
        testLoopbackCaFile = value(i, flag);
        i += 1;
        break;
      default:
        throw new UsageError(`unknown argument ${JSON.stringify(flag)}`);
    }
  }
  if (!data) throw new UsageError(`${ONE_SOURCE} (--data: an ImageFolder dataset)`);
  if (data.kind === "model" && !source)
    throw new UsageError("give --image <file> or --url <url> to classify with --model");
  return { options: { data, source, hyperparameters, topK, workers, outputDir, testLoopbackCaFile }, json };
}

function progressOn(stream: NodeJS.WriteStream): Progress {
  const stages = ["dataset", "training", "endpoint", "function", "invoke"];
  return {
    stage(name, detail) {
      const index = stages.indexOf(name);
      const step = index >= 0 ? `[${index + 1}/${stages.length}]` : "     ";
      stream.write(`${step} ${name.padEnd(9)}${detail ?? ""}\n`);
    },
    log(source, line) {
      if (source === "function") return; // summarised below
      stream.write(`      ${source === "train" ? "train   " : "endpoint"} | ${line}\n`);
    },
  };
}

const ms = (value: number | undefined) =>
  value === undefined ? "-" : `${value < 10 ? value.toFixed(2) : value.toFixed(0)} ms`;
const s = (value: number | undefined) => (value === undefined ? "-" : `${value.toFixed(2)} s`);

export function formatResult(result: LocalRunResult): string {
  const lines: string[] = [];
  const body = result.answer?.body ?? {};
  const subject = result.source.kind === "image" ? path.basename(result.source.file) : result.source.url;
  if (result.modelLoadError)
    lines.push("", `The model did not load: ${result.modelLoadError}`, "GET /ping answers 500 Unhealthy.");
  if (result.answer?.statusCode === 200) {
    const predictions = body.predictions as { label: string; index: number; probability: number }[];
    lines.push(
      "",
      `Predictions for ${subject}${result.expectedClass ? ` (the demo sample is a "${result.expectedClass}")` : ""}:`,
    );
    const width = Math.max(5, ...predictions.map((p) => p.label.length));
    lines.push(`  #  ${"label".padEnd(width)}  index  probability`);
    predictions.forEach((p, i) =>
      lines.push(
        `  ${i + 1}  ${p.label.padEnd(width)}  ${String(p.index).padStart(5)}  ${p.probability.toFixed(6)}`,
      ),
    );
  } else {
    lines.push("", `The function answered ${result.answer?.statusCode}: ${JSON.stringify(body)}`);
  }
  const t = result.seconds;
  const h = result.handlerMs ?? {};
  const e = result.endpointMs ?? {};
  const stages = Object.entries(e)
    .filter(([name]) => name !== "total")
    .map(([name, value]) => `${name} ${ms(value)}`)
    .join(", ");
  lines.push(
    "",
    "Timings:",
    `  dataset     ${s(t.dataset)}`,
    `  training    ${s(t.training)}  ${result.training ? `train.py${result.training.testAccuracy === undefined ? "" : `, test accuracy ${result.training.testAccuracy}`}` : "skipped (--model)"}`,
    `  packaging   ${s(t.packaging)}  model.tar.gz ${((result.artifact?.bytes ?? 0) / 1e6).toFixed(1)} MB: ${(result.artifact?.entries ?? []).join(", ")}`,
    `  endpoint    ${s(t.endpoint)}  start-up, model_fn included${t.modelLoad === undefined ? "" : ` (workers ready after ${s(t.modelLoad)})`}`,
    `  bundle      ${s(t.bundle)}  ${((result.bundleBytes ?? 0) / 1024).toFixed(0)} KB, cold load ${ms(result.coldStartMs)}`,
    `  invoke      ${s(t.invoke)}  handler ${ms(h.totalMs)} (fetch ${ms(h.fetchMs)}, InvokeEndpoint ${ms(h.invokeMs)}); container ${ms(e.total)}${stages ? ` (${stages})` : ""}`,
  );
  if (result.outputs?.length) lines.push("", `Kept: ${result.outputs.join(", ")}`);
  return lines.join("\n") + "\n";
}

export async function main(argv: readonly string[]): Promise<number> {
  let parsed: CliArguments | "help";
  try {
    parsed = parseArguments(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(
      `local: ${error.message}\n${USAGE.split("\n")[0]}\n(npm run local -- --help for more)\n`,
    );
    return 2;
  }
  if (parsed === "help") {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const { options, json } = parsed;
  const out = json ? process.stderr : process.stdout;
  const progress = progressOn(out);
  const localRun = new LocalRun();
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    out.write(`\n${signal}: stopping the local run and removing ${localRun.workDir}\n`);
    void localRun.dispose().then(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, onSignal);

  out.write(
    "local mode: the training job, model.tar.gz, endpoint and function, on this machine (CPU, no network)\n",
  );
  try {
    const result = await runLocal(options, progress, localRun);
    if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else out.write(formatResult(result));
    return result.answer?.statusCode === 200 && !result.modelLoadError ? 0 : 1;
  } catch (error) {
    if (stopping) return new Promise<number>(() => undefined); // the signal handler exits
    const code = error instanceof LocalRunError ? error.exitCode : 1;
    process.stderr.write(`local: ${error instanceof Error ? error.message : String(error)}\n`);
    return code;
  } finally {
    if (!stopping) await localRun.dispose();
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
