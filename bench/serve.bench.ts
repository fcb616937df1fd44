/**
 * `npm run bench:serve`: what serving costs on this machine, before and after the serving
 * changes, and how many requests per second one instance sustains.
 *
 * 1. bench/serve_bench.py (model side, one Python process): fp32 matmul peak; ResNet50 and
 *    ResNet18 forward p50/p99 and GFLOP/s against the peak for each speed-up (inference_mode,
 *    channels-last, the frozen graph, 1 and 2 threads); 12-megapixel JPEG decode, full and
 *    draft, and its share of the forward time; inference.py's handlers per image, the module
 *    before the changes (read from git at BASELINE_COMMIT) against the current one.
 * 2. End to end through the handler: the built bundle (dist/functions/inference/index.js) in
 *    its own node process, the real SDK client, the local runtime route and container
 *    (local/sagemaker/hosting.py) serving model.tar.gz with each handler; p50/p99 per request.
 * 3. Capacity: closed-loop load at a few concurrency levels on the runtime route, the
 *    container with one worker per vCPU (TorchServe's default); the highest throughput whose
 *    p99 stays within LATENCY_BOUND_MS goes to bench/capacity/<name>.json (committed).
 *
 * Prints tables with PASS/MISS for the goals (ResNet50 forward >= 60 % of the matmul peak;
 * 12-MP JPEG decode <= 15 % of the forward time); exits non-zero only if something crashes.
 * Everything it starts is stopped and its temporary folder removed.
 */
import { execFile, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { InvokeEndpointCommand, SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import { format } from "prettier";
import { startLocalEndpoint } from "../local/endpoint";
import type { LocalEndpoint } from "../local/endpoint";
import { startLambdaRunner } from "../local/lambda-runner";
import { ChildProcesses, eachLine } from "../local/processes";
import { findPython } from "../local/python";
import { LOCAL_AWS_ENVIRONMENT } from "../local/run";
import { CAPACITY_FORMAT_VERSION, cpuBound, loadLevel, sustainedCapacity } from "./capacity";
import type { CapacityFile, LatencyBound, LoadLevel } from "./capacity";
import { summarize } from "./stats";

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, "..");
const BUNDLE = path.join(ROOT, "dist", "functions", "inference", "index.js");
const RESULTS = path.join(ROOT, "bench", "results", "serve.json");
const CAPACITY_DIR = path.join(ROOT, "bench", "capacity");
/** The last commit before the serving changes: its training/inference.py is "before". */
export const BASELINE_COMMIT = "23141a7";
const QUICK = process.env.BENCH_SERVE_QUICK === "1";
export const LATENCY_BOUND: LatencyBound = {
  percentile: 99,
  milliseconds: Number(process.env.BENCH_SERVE_LATENCY_BOUND_MS ?? 1000),
};
const GOALS = { forwardOfPeak: 0.6, decodeOfForward: 0.15 };
const E2E_CALLS = { after: QUICK ? 8 : 40, before: QUICK ? 3 : 10 };
const LEVEL_SECONDS = QUICK ? 4 : 15;

interface ForwardStats {
  count: number;
  p50: number;
  p99: number;
  min: number;
  cpuP50?: number;
  gflopsAtCpuP50?: number;
  ofPeakAtCpuP50?: number;
  gflopsAtP50: number;
  ofPeakAtP50: number;
  gflopsBest: number;
  ofPeakBest: number;
  maxProbabilityDifference: number;
}
interface Latency {
  count: number;
  p50: number;
  p99: number;
  min: number;
  cpuP50?: number;
}
interface ModelResult {
  archive: string;
  baselineArchive?: string;
  requestBytes: number;
  gflopPerImage: number;
  forward: Record<string, ForwardStats>;
  handlers: Record<string, Latency>;
}
interface PythonResult {
  machine: Record<string, unknown> & { cpus: number; cpuModel: string; torchDefaultThreads: number };
  rounds: number;
  peak: Record<string, Record<string, number> & { peak: number; peakCpu?: number }>;
  models: Record<string, ModelResult>;
  photo: {
    width: number;
    height: number;
    bytes: number;
    timings: Record<string, Latency>;
    draftFidelity: Record<string, number>;
  };
}

async function main(): Promise<void> {
  const processes = new ChildProcesses();
  const work = mkdtempSync(path.join(tmpdir(), "bench-serve-"));
  const stop = () => void processes.stopAll().then(() => rmSync(work, { recursive: true, force: true }));
  process.once("SIGINT", () => {
    stop();
    process.exitCode = 130;
  });
  try {
    const python = await findPython();
    const baseline = await baselineHandler(work);
    console.log(
      `serve benchmark: ${cpus().length} CPUs, load average ${loadavg()[0].toFixed(2)} at start${QUICK ? " (QUICK: not for figures)" : ""}`,
    );
    const model = await modelSide(python, work, baseline, processes);
    const endToEnd = await endToEndSide(python, work, model, processes);
    const capacity = await capacitySide(python, work, model, processes);
    const results = { model, endToEnd, capacity, loadAverageAtEnd: loadavg()[0] };
    mkdirSync(path.dirname(RESULTS), { recursive: true });
    writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
    report(model, endToEnd, capacity);
  } finally {
    await processes.stopAll();
    rmSync(work, { recursive: true, force: true });
  }
}

/** inference.py as it was before the serving changes, or undefined (with a note) without git. */
async function baselineHandler(work: string): Promise<string | undefined> {
  try {
    const { stdout } = await run("git", ["show", `${BASELINE_COMMIT}:training/inference.py`], {
      cwd: ROOT,
      maxBuffer: 1 << 24,
    });
    const file = path.join(work, "inference_before.py");
    writeFileSync(file, stdout);
    return file;
  } catch {
    console.log(`note: no git history with ${BASELINE_COMMIT}; the "before" handler figures are left out`);
    return undefined;
  }
}

async function modelSide(
  python: string,
  work: string,
  baseline: string | undefined,
  processes: ChildProcesses,
): Promise<PythonResult> {
  const out = path.join(work, "model-side.json");
  const args = [path.join(ROOT, "bench", "serve_bench.py"), "--work", work, "--out", out];
  if (baseline) args.push("--baseline", baseline);
  if (QUICK) args.push("--quick");
  const child = processes.spawn(python, args, { env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" } });
  eachLine(child.stderr, (line) => console.log(`  ${line}`));
  eachLine(child.stdout, (line) => console.log(`  ${line}`));
  const code = await new Promise<number>((resolve) => child.once("close", (c) => resolve(c ?? 1)));
  if (code !== 0) throw new Error(`serve_bench.py exited with status ${code}`);
  return JSON.parse(readFileSync(out, "utf8")) as PythonResult;
}

interface EndToEnd {
  arch: string;
  handler: "before" | "after";
  calls: number;
  /** The handler's own time in the runtime process (the Lambda's billed duration, roughly). */
  handlerMs: Latency;
  /** The container's time for the same requests (input_fn + predict_fn + output_fn). */
  containerMs: Latency;
}

async function endToEndSide(
  python: string,
  work: string,
  model: PythonResult,
  processes: ChildProcesses,
): Promise<EndToEnd[]> {
  const image = jpegFile(work);
  const results: EndToEnd[] = [];
  const cases: [string, "before" | "after", string | undefined, number][] = [
    ["resnet50", "after", model.models.resnet50!.archive, E2E_CALLS.after],
    ["resnet50", "before", model.models.resnet50!.baselineArchive, E2E_CALLS.before],
    ["resnet18", "after", model.models.resnet18!.archive, E2E_CALLS.after],
    ["resnet18", "before", model.models.resnet18!.baselineArchive, E2E_CALLS.before],
  ];
  for (const [arch, handler, archive, calls] of cases) {
    if (!archive) continue;
    console.log(`  end to end: ${arch}, handler ${handler}, ${calls} calls through the bundle`);
    const endpoint = await startLocalEndpoint({
      python,
      modelArchive: archive,
      modelDir: path.join(work, `e2e-${arch}-${handler}`),
      processes,
      endpointName: "bench",
    });
    if (!endpoint.modelLoad.ok)
      throw new Error(`the ${arch} model did not load: ${endpoint.modelLoad.error}`);
    const runner = await startLambdaRunner({
      bundlePath: BUNDLE,
      processes,
      logWaitMs: 0,
      env: {
        ...LOCAL_AWS_ENVIRONMENT,
        ENDPOINT_NAME: "bench",
        SAGEMAKER_RUNTIME_URL: endpoint.url,
        LOG_LEVEL: "SILENT",
      },
    });
    const event = { image: image.toString("base64") };
    await runner.invoke(event); // warm: connection, first request
    const before = endpoint.invocations.length;
    const handlerMs: number[] = [];
    for (let i = 0; i < calls; i += 1) {
      const { response, durationMs } = await runner.invoke(event);
      if ((response as { statusCode: number }).statusCode !== 200)
        throw new Error(`the handler answered ${JSON.stringify(response)}`);
      handlerMs.push(durationMs);
    }
    const containerMs = endpoint.invocations.slice(before).map((event) => event.ms.total ?? 0);
    results.push({ arch, handler, calls, handlerMs: latency(handlerMs), containerMs: latency(containerMs) });
    await runner.close();
    await endpoint.close();
  }
  return results;
}

interface CapacityResult {
  file: string;
  workers: number;
  document: CapacityFile;
}

async function capacitySide(
  python: string,
  work: string,
  model: PythonResult,
  processes: ChildProcesses,
): Promise<CapacityResult[]> {
  const image = jpegFile(work);
  const vCpus = model.machine.cpus;
  const results: CapacityResult[] = [];
  for (const workers of [vCpus, 1].filter((w, i, all) => all.indexOf(w) === i)) {
    console.log(`  capacity: resnet50, ${workers} worker(s), closed loop ${LEVEL_SECONDS} s per level`);
    const endpoint = await startLocalEndpoint({
      python,
      modelArchive: model.models.resnet50!.archive,
      modelDir: path.join(work, `capacity-${workers}`),
      processes,
      endpointName: "bench",
      workers,
    });
    if (!endpoint.modelLoad.ok) throw new Error(`the model did not load: ${endpoint.modelLoad.error}`);
    const levels: LoadLevel[] = [];
    for (const concurrency of workers === 1 ? [1, 2] : [1, workers, workers + 1, workers * 2]) {
      const level = await closedLoop(endpoint, image, concurrency, LEVEL_SECONDS);
      console.log(
        `    concurrency ${concurrency}: ${level.requestsPerSecond} req/s, p50 ${level.p50Ms} ms, p99 ${level.p99Ms} ms, ${level.cpuSecondsPerRequest} CPU s per request`,
      );
      levels.push(level);
    }
    await endpoint.close();
    const { requestsPerSecond, fromConcurrency } = sustainedCapacity(levels, LATENCY_BOUND);
    const cpu = cpuBound(levels, vCpus);
    const name = `resnet50-224-${vCpus}vcpu${workers === vCpus ? "" : `-${workers}worker`}`;
    const document: CapacityFile = {
      formatVersion: CAPACITY_FORMAT_VERSION,
      name,
      sustainedRequestsPerSecond: requestsPerSecond,
      cpuSecondsPerRequest: cpu.cpuSecondsPerRequest,
      cpuBoundRequestsPerSecond: cpu.requestsPerSecond,
      latencyBound: LATENCY_BOUND,
      fromConcurrency,
      instance: {
        vCpus,
        cpuModel: model.machine.cpuModel,
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        comparableInstanceTypes: vCpus === 2 ? ["ml.m5.large", "ml.c5.large"] : [],
        loadAverage: [round2(Number(model.machine.loadAverageAtStart)), round2(loadavg()[0])],
      },
      model: {
        arch: "resnet50",
        numClasses: 133,
        imageSize: 224,
        weights: "random (the same FLOPs as trained weights; none can be downloaded here)",
        handler: "training/inference.py",
        optimizeForInference: true,
      },
      server: { workers, torchThreadsPerWorker: model.machine.torchDefaultThreads },
      request: { contentType: "image/jpeg", bytes: image.length, width: 224, height: 224 },
      method:
        `closed loop: for each concurrency level, that many clients each send the next InvokeEndpoint as soon as the ` +
        `previous answer arrives, for ${LEVEL_SECONDS} s after a warm-up request each, through the runtime API route ` +
        `(real SDK client, local/sagemaker/hosting.py) to ${workers} container worker(s); the figure is the highest ` +
        `throughput among error-free levels whose p${LATENCY_BOUND.percentile} stayed within ` +
        `${LATENCY_BOUND.milliseconds} ms. CPU seconds per request: user + system time of the container's ` +
        `processes (/proc/<pid>/stat) over the level, divided by its requests. The machine is shared with other ` +
        `work (see loadAverage): a dedicated instance does at least as well.`,
      levels,
      measuredAt: new Date().toISOString(),
      measuredBy: "npm run bench:serve",
    };
    const file = path.join(CAPACITY_DIR, `${name}.json`);
    if (!QUICK) {
      mkdirSync(CAPACITY_DIR, { recursive: true });
      // Committed: written as the repository's formatter writes JSON, so `npm run lint` passes.
      writeFileSync(file, await format(JSON.stringify(document), { parser: "json" }));
    }
    results.push({ file, workers, document });
  }
  return results;
}

async function closedLoop(
  endpoint: LocalEndpoint,
  image: Buffer,
  concurrency: number,
  seconds: number,
): Promise<LoadLevel> {
  const client = new SageMakerRuntimeClient({
    endpoint: endpoint.url,
    region: LOCAL_AWS_ENVIRONMENT.AWS_REGION,
    credentials: {
      accessKeyId: LOCAL_AWS_ENVIRONMENT.AWS_ACCESS_KEY_ID!,
      secretAccessKey: LOCAL_AWS_ENVIRONMENT.AWS_SECRET_ACCESS_KEY!,
    },
    maxAttempts: 1,
  });
  const send = () =>
    client.send(
      new InvokeEndpointCommand({
        EndpointName: endpoint.endpointName,
        Body: image,
        ContentType: "image/jpeg",
        Accept: "application/json; topk=5",
      }),
    );
  await Promise.all(Array.from({ length: concurrency }, () => send())); // warm-up
  const cpuBefore = cpuSecondsOf(endpoint.pids);
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        try {
          await send();
          latencies.push(performance.now() - t0);
        } catch {
          errors += 1;
        }
      }
    }),
  );
  const cpuUsed = cpuSecondsOf(endpoint.pids) - cpuBefore;
  client.destroy();
  return loadLevel(concurrency, latencies, errors, (performance.now() - started) / 1000, cpuUsed);
}

const CLOCK_TICKS = Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;

/** User + system CPU seconds of these processes so far (all their threads), from /proc. */
function cpuSecondsOf(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
    } catch {
      // gone
    }
  }
  return ticks / CLOCK_TICKS;
}

let cachedImage: Buffer | undefined;
/** The 224x224 photo-like JPEG serve_bench.py measured with (same bytes everywhere). */
function jpegFile(work: string): Buffer {
  cachedImage ??= readFileSync(path.join(work, "request-224.jpg"));
  return cachedImage;
}

function latency(samples: number[]): Latency {
  const s = summarize(samples);
  return { count: s.count, p50: round(s.p50), p99: round(s.p99), min: round(s.min) };
}

const round = (value: number) => Math.round(value * 10) / 10;
const round2 = (value: number) => Math.round(value * 100) / 100;
const pad = (cells: readonly string[], widths = [46, 12, 12, 12, 12]) =>
  cells.map((cell, i) => cell.padEnd(widths[i] ?? 12)).join("");

function report(model: PythonResult, endToEnd: EndToEnd[], capacity: CapacityResult[]): void {
  const verdict = (ok: boolean) => (ok ? "PASS" : "MISS");
  console.log(`\nfp32 matmul peak (GFLOP/s, best of many):`);
  for (const [threads, peak] of Object.entries(model.peak)) {
    const routes = Object.entries(peak)
      .filter(([name]) => name !== "peak" && name !== "peakCpu")
      .map(([name, value]) => `${name} ${value}`)
      .join(", ");
    const cpu = peak.peakCpu === undefined ? "" : `; by CPU time ${peak.peakCpu}`;
    console.log(`  ${threads} thread(s): peak ${peak.peak}${cpu}  (${routes})`);
  }
  for (const [arch, result] of Object.entries(model.models)) {
    console.log(`\n${arch}: forward, batch 1, 224x224, ${result.gflopPerImage} GFLOP per image`);
    console.log(
      pad(
        ["variant", "p50 ms", "p99 ms", "cpu p50", "GFLOP/s@p50", "of peak", "best", "cpu p50", "max |dp|"],
        FORWARD_COLUMNS,
      ),
    );
    for (const [name, s] of Object.entries(result.forward)) {
      console.log(
        pad(
          [
            name,
            s.p50.toFixed(1),
            s.p99.toFixed(1),
            s.cpuP50 === undefined ? "-" : s.cpuP50.toFixed(1),
            s.gflopsAtP50.toFixed(1),
            pct(s.ofPeakAtP50),
            pct(s.ofPeakBest),
            s.ofPeakAtCpuP50 === undefined ? "-" : pct(s.ofPeakAtCpuP50),
            s.maxProbabilityDifference.toExponential(1),
          ],
          FORWARD_COLUMNS,
        ),
      );
    }
    console.log(
      `  inference.py per image (input_fn + predict_fn + output_fn, ${result.requestBytes}-byte 224x224 JPEG):`,
    );
    for (const [name, s] of Object.entries(result.handlers))
      console.log(`    ${name}: p50 ${s.p50.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms (${s.count} calls)`);
  }
  const photo = model.photo;
  console.log(`\n${photo.width}x${photo.height} JPEG (${(photo.bytes / 1e6).toFixed(2)} MB):`);
  for (const [name, s] of Object.entries(photo.timings))
    console.log(
      `  ${name.padEnd(34)} p50 ${s.p50.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms, cpu p50 ${s.cpuP50?.toFixed(1)} ms`,
    );
  console.log(`  draft vs full decode, after resize and crop: ${JSON.stringify(photo.draftFidelity)}`);
  console.log("\nend to end through the handler (bundle, SDK, runtime route, container), 224x224 JPEG:");
  for (const e of endToEnd) {
    console.log(
      `  ${e.arch} ${e.handler.padEnd(6)} handler p50 ${e.handlerMs.p50} ms, p99 ${e.handlerMs.p99} ms; container p50 ${e.containerMs.p50} ms (${e.calls} calls)`,
    );
  }
  console.log(`\ncapacity (resnet50, p${LATENCY_BOUND.percentile} <= ${LATENCY_BOUND.milliseconds} ms):`);
  for (const c of capacity) {
    console.log(
      `  ${c.workers} worker(s): ${c.document.sustainedRequestsPerSecond} req/s sustained (concurrency ${c.document.fromConcurrency}); ` +
        `${c.document.cpuSecondsPerRequest} CPU s per request, so ${c.document.cpuBoundRequestsPerSecond} req/s if the ${c.document.instance.vCpus} vCPUs did nothing else` +
        `${QUICK ? "" : ` -> ${path.relative(ROOT, c.file)}`}`,
    );
  }

  const threads = String(model.machine.torchDefaultThreads);
  const after =
    model.models.resnet50!.forward[`frozen graph, inference_mode (after) @ ${threads} thread(s)`]!;
  const draft = photo.timings["decode, draft (after)"]!;
  const full = photo.timings["decode, full (before)"]!;
  console.log(`\n${pad(["goal", "limit", "measured", "result"], GOAL_COLUMNS)}`);
  console.log(
    pad(
      [
        `ResNet50 forward of the matmul peak (${threads} thread(s), p50)`,
        ">= 60 %",
        pct(after.ofPeakAtP50),
        verdict(after.ofPeakAtP50 >= GOALS.forwardOfPeak),
      ],
      GOAL_COLUMNS,
    ),
  );
  console.log(
    pad(
      [
        `ResNet50 forward of the matmul peak (best run)`,
        ">= 60 %",
        pct(after.ofPeakBest),
        verdict(after.ofPeakBest >= GOALS.forwardOfPeak),
      ],
      GOAL_COLUMNS,
    ),
  );
  for (const [clock, decode, full_, forward] of [
    ["p50", draft.p50, full.p50, after.p50],
    ["cpu p50", draft.cpuP50!, full.cpuP50!, after.cpuP50!],
  ] as const) {
    const share = decode / forward;
    console.log(
      pad(
        [
          `12-MP JPEG decode of the forward time (draft, ${clock})`,
          "<= 15 %",
          `${pct(share)} (full: ${pct(full_ / forward)})`,
          verdict(share <= GOALS.decodeOfForward),
        ],
        GOAL_COLUMNS,
      ),
    );
  }
  if (after.ofPeakAtCpuP50 !== undefined) {
    console.log(
      pad(
        [
          "ResNet50 forward of the matmul peak (cpu p50)",
          ">= 60 %",
          pct(after.ofPeakAtCpuP50),
          verdict(after.ofPeakAtCpuP50 >= GOALS.forwardOfPeak),
        ],
        GOAL_COLUMNS,
      ),
    );
  }
  console.log(
    `\nload average ${loadavg()
      .map((v) => v.toFixed(2))
      .join(" ")} at the end; results in ${path.relative(ROOT, RESULTS)}`,
  );
}

const pct = (fraction: number) => `${(fraction * 100).toFixed(1)} %`;
const FORWARD_COLUMNS = [52, 9, 9, 9, 12, 9, 9, 9, 9];
const GOAL_COLUMNS = [60, 10, 24, 8];

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exitCode = 1;
  });
}
