/**
 * `npm run bench`: the inference handler's cost on loopback, against the local SageMaker
 * runtime server in model mode.
 *
 * - floor: a bare InvokeEndpoint call with the same client and payload (the least any handler
 *   could cost); handler: the full handler (base64 decode, checks, invoke, answer validation,
 *   logging) on a ~100 KB JPEG-like image given as base64; bundle: the same through the built
 *   dist/functions/inference/index.js (its own bundled SDK copy).
 * - Rounds interleave floor and handler so drift hits both; warm-up first; bounded iterations.
 * - Log lines are serialised as in production but not written to the terminal.
 * - Cold load: fresh `node` processes requiring the bundle (module load creates the client).
 *
 * Prints a table with PASS/MISS per target; exits non-zero only if something crashes.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import path from "node:path";
import { deflateRawSync } from "node:zlib";
import { InvokeEndpointCommand } from "@aws-sdk/client-sagemaker-runtime";
import { Logger } from "@aws-lambda-powertools/logger";
import { CONFIG_DEFAULTS } from "../functions/inference/config";
import type { InferenceConfig } from "../functions/inference/config";
import { createRuntimeClient } from "../functions/inference/endpoint";
import { createImageFetcher } from "../functions/inference/fetch-image";
import { createHandler } from "../functions/inference/handler";
import type { InferenceHandler } from "../functions/inference/handler";
import { useTestAwsEnvironment } from "../test/support/aws-test-environment";
import { jpegLike } from "../test/support/sample-images";
import { startSageMakerRuntimeServer } from "../test/support/sagemaker-runtime-server";
import { median, summarize } from "./stats";
import type { LatencySummary } from "./stats";

const ROOT = path.resolve(__dirname, "..");
const BUNDLE = path.join(ROOT, "dist", "functions", "inference", "index.js");
const RESULTS = path.join(ROOT, "bench", "results", "inference.json");

const IMAGE_BYTES = 100 * 1024;
const WARMUP = 300;
const ROUNDS = 10;
const PER_ROUND = 200; // per variant per round: 2,000 measured calls each
const COLD_LOADS = 15;
const TIME_LIMIT_MS = 60_000;

const TARGETS = { overheadP50Ms: 1, bundleBytes: 300 * 1024, coldLoadMs: 100 };

type Call = () => Promise<unknown>;

async function main(): Promise<void> {
  useTestAwsEnvironment();
  const runtime = await startSageMakerRuntimeServer({ endpointNames: ["bench"] });
  const image = jpegLike(IMAGE_BYTES, 42);
  const event = { image: image.toString("base64") };
  const config: InferenceConfig = {
    ...CONFIG_DEFAULTS,
    endpointName: "bench",
    runtimeUrl: runtime.url,
    logLevel: "INFO",
  };
  const client = createRuntimeClient(config);
  const handler = createHandler({
    config,
    client,
    logger: new Logger({ serviceName: "inference", logLevel: "INFO" }),
    fetchImage: createImageFetcher(),
  });
  Object.assign(process.env, {
    ENDPOINT_NAME: "bench",
    SAGEMAKER_RUNTIME_URL: runtime.url,
    LOG_LEVEL: "INFO",
  });
  const bundled = (require(BUNDLE) as { handler: InferenceHandler }).handler;

  const context = { awsRequestId: "bench" };
  const expectOk = (response: { statusCode: number; body: string }) => {
    if (response.statusCode !== 200)
      throw new Error(`handler answered ${response.statusCode}: ${response.body}`);
  };
  const variants: Record<string, Call> = {
    floor: () =>
      client.send(
        new InvokeEndpointCommand({
          EndpointName: "bench",
          Body: image,
          ContentType: "image/jpeg",
          Accept: `application/json; topk=${config.topK}`,
        }),
      ),
    handler: async () => expectOk(await handler(event, context)),
    bundle: async () => expectOk(await bundled(event, context)),
  };

  const samples: Record<string, number[]> = { floor: [], handler: [], bundle: [] };
  const busyMs: Record<string, number> = { floor: 0, handler: 0, bundle: 0 };
  const logLines = silenceStdout();
  const started = performance.now();
  try {
    for (const call of Object.values(variants)) for (let i = 0; i < WARMUP; i += 1) await call();
    for (let round = 0; round < ROUNDS && performance.now() - started < TIME_LIMIT_MS; round += 1) {
      for (const [name, call] of Object.entries(variants)) {
        const roundStart = performance.now();
        for (let i = 0; i < PER_ROUND; i += 1) {
          const t0 = performance.now();
          await call();
          samples[name]!.push(performance.now() - t0);
        }
        busyMs[name]! += performance.now() - roundStart;
      }
    }
  } finally {
    logLines.restore();
  }
  client.destroy();
  await runtime.close();

  const latency = Object.fromEntries(
    Object.entries(samples).map(([name, list]) => [name, summarize(list)]),
  ) as Record<string, LatencySummary>;
  const throughput = Object.fromEntries(
    Object.entries(samples).map(([name, list]) => [name, (list.length / busyMs[name]!) * 1000]),
  );
  const bundleBytes = statSync(BUNDLE).size;
  const bundleDeflated = deflateRawSync(readFileSync(BUNDLE), { level: 9 }).length;
  const cold = coldLoads(runtime.url);

  const overhead = latency.handler!.p50 - latency.floor!.p50;
  const bundleOverhead = latency.bundle!.p50 - latency.floor!.p50;
  const results = {
    imageBytes: IMAGE_BYTES,
    eventBytes: Buffer.byteLength(JSON.stringify(event)),
    calls: latency.floor!.count,
    logLinesWritten: logLines.count(),
    latencyMs: latency,
    throughputPerSecond: throughput,
    overheadP50Ms: { handler: overhead, bundle: bundleOverhead },
    bundle: { bytes: bundleBytes, deflatedBytes: bundleDeflated },
    coldLoadMs: cold,
    node: process.version,
    cpus: cpus().length,
    loadAverage: loadavg(),
  };
  mkdirSync(path.dirname(RESULTS), { recursive: true });
  writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);

  const ms = (value: number) => value.toFixed(3);
  console.log(
    `\ninference handler benchmark (node ${process.version}, loopback, ${IMAGE_BYTES / 1024} KB JPEG-like image as base64)`,
  );
  console.log(`${latency.floor!.count} measured calls per variant after ${WARMUP} warm-up calls`);
  // Other work on the machine inflates every figure: the load average says how much there was.
  const load = loadavg()
    .map((value) => value.toFixed(2))
    .join(" ");
  console.log(`${cpus().length} CPUs, load average ${load} (1, 5, 15 min)\n`);
  console.log(pad(["variant", "p50 ms", "p99 ms", "mean ms", "calls/s"]));
  for (const name of ["floor", "handler", "bundle"]) {
    const row = latency[name]!;
    console.log(pad([name, ms(row.p50), ms(row.p99), ms(row.mean), throughput[name]!.toFixed(0)]));
  }
  console.log(`\nlog lines serialised (not printed): ${logLines.count()}`);
  console.log(
    `bundle: ${bundleBytes} bytes (${(bundleBytes / 1024).toFixed(1)} KB), ${bundleDeflated} bytes deflated`,
  );
  console.log(
    `cold load: median ${ms(cold.requireMedian)} ms to require the bundle; ` +
      `median ${ms(cold.processMedian)} ms for the whole node process (${COLD_LOADS} runs)\n`,
  );
  console.log(pad(["target", "limit", "measured", "result"]));
  const verdict = (ok: boolean) => (ok ? "PASS" : "MISS");
  console.log(
    pad([
      "p50 overhead, handler",
      `<= ${TARGETS.overheadP50Ms} ms`,
      `${ms(overhead)} ms`,
      verdict(overhead <= TARGETS.overheadP50Ms),
    ]),
  );
  console.log(
    pad([
      "p50 overhead, bundle",
      `<= ${TARGETS.overheadP50Ms} ms`,
      `${ms(bundleOverhead)} ms`,
      verdict(bundleOverhead <= TARGETS.overheadP50Ms),
    ]),
  );
  console.log(
    pad([
      "bundle size",
      `<= ${TARGETS.bundleBytes} B`,
      `${bundleBytes} B`,
      verdict(bundleBytes <= TARGETS.bundleBytes),
    ]),
  );
  console.log(
    pad([
      "cold load (require)",
      `<= ${TARGETS.coldLoadMs} ms`,
      `${ms(cold.requireMedian)} ms`,
      verdict(cold.requireMedian <= TARGETS.coldLoadMs),
    ]),
  );
  console.log(`\nresults written to ${path.relative(ROOT, RESULTS)}`);
}

/** Requires the bundle in fresh node processes; reports the require time and the whole process time. */
function coldLoads(runtimeUrl: string): { requireMedian: number; processMedian: number; runs: number[] } {
  const script =
    "const t=process.hrtime.bigint();require(process.argv[1]);" +
    "process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))";
  const env = {
    ...process.env,
    ENDPOINT_NAME: "bench",
    SAGEMAKER_RUNTIME_URL: runtimeUrl,
    LOG_LEVEL: "INFO",
  };
  const requireTimes: number[] = [];
  const processTimes: number[] = [];
  for (let i = 0; i < COLD_LOADS; i += 1) {
    const t0 = performance.now();
    const out = execFileSync(process.execPath, ["--no-warnings", "-e", script, BUNDLE], {
      env,
      encoding: "utf8",
    });
    processTimes.push(performance.now() - t0);
    requireTimes.push(Number(out));
  }
  return { requireMedian: median(requireTimes), processMedian: median(processTimes), runs: requireTimes };
}

/** Swallows stdout writes (the handler's log lines) while counting them. */
function silenceStdout(): { count(): number; restore(): void } {
  const original = process.stdout.write.bind(process.stdout);
  let lines = 0;
  process.stdout.write = ((..._args: unknown[]) => {
    lines += 1;
    return true;
  }) as typeof process.stdout.write;
  return { count: () => lines, restore: () => void (process.stdout.write = original) };
}

function pad(cells: string[]): string {
  const widths = [24, 12, 14, 10, 10];
  return cells.map((cell, index) => cell.padEnd(widths[index] ?? 10)).join(" ");
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
