/**
 * The capacity figure `npm run bench:serve` measures and commits to bench/capacity/<name>.json:
 * how many requests per second one instance with N vCPUs sustains while a latency percentile
 * stays within a bound. The stack config names such a file to derive the endpoint's
 * autoscaling target (invocations per instance per minute) from a measurement instead of a
 * guess. The shape is documented in bench/README.md; `CAPACITY_FORMAT_VERSION` changes when
 * it changes incompatibly.
 */
import { summarize } from "./stats";

export const CAPACITY_FORMAT_VERSION = 1;

/** One closed-loop load level: `concurrency` clients, each sending its next request on the previous answer. */
export interface LoadLevel {
  readonly concurrency: number;
  readonly requests: number;
  readonly errors: number;
  readonly seconds: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** CPU seconds the container's processes used per request at this level (all threads). */
  readonly cpuSecondsPerRequest: number;
}

export interface LatencyBound {
  readonly percentile: 50 | 99;
  readonly milliseconds: number;
}

export interface CapacityFile {
  readonly formatVersion: typeof CAPACITY_FORMAT_VERSION;
  readonly name: string;
  /** Requests per second one instance sustained within the bound; 0 when no level stayed within it. */
  readonly sustainedRequestsPerSecond: number;
  /**
   * The container's CPU time per request (median over the levels), and what it implies if the
   * instance's vCPUs did nothing else: vCpus / cpuSecondsPerRequest. An upper bound, free of
   * the measuring machine's other load; latency at that rate is not bounded.
   */
  readonly cpuSecondsPerRequest: number;
  readonly cpuBoundRequestsPerSecond: number;
  readonly latencyBound: LatencyBound;
  /** The level the figure comes from (its concurrency), or null. */
  readonly fromConcurrency: number | null;
  readonly instance: {
    readonly vCpus: number;
    readonly cpuModel: string;
    readonly memoryGiB: number;
    /** Instance types with the same vCPU count the figure stands for (same CPU generation assumed). */
    readonly comparableInstanceTypes: readonly string[];
    /** Load average (1 min) on the measuring machine at the start and end: other work shares it. */
    readonly loadAverage: readonly [number, number];
  };
  readonly model: {
    readonly arch: string;
    readonly numClasses: number;
    readonly imageSize: number;
    readonly weights: string;
    readonly handler: string;
    readonly optimizeForInference: boolean;
  };
  readonly server: { readonly workers: number; readonly torchThreadsPerWorker: number };
  readonly request: {
    readonly contentType: string;
    readonly bytes: number;
    readonly width: number;
    readonly height: number;
  };
  readonly method: string;
  readonly levels: readonly LoadLevel[];
  readonly measuredAt: string;
  readonly measuredBy: string;
}

/** Summarises one level's per-request latencies (ms) over `seconds` of load. */
export function loadLevel(
  concurrency: number,
  latenciesMs: readonly number[],
  errors: number,
  seconds: number,
  cpuSeconds = 0,
): LoadLevel {
  const stats = latenciesMs.length > 0 ? summarize(latenciesMs) : undefined;
  return {
    concurrency,
    requests: latenciesMs.length,
    errors,
    seconds: round(seconds, 2),
    requestsPerSecond: round(latenciesMs.length / seconds, 2),
    p50Ms: round(stats?.p50 ?? Number.POSITIVE_INFINITY, 1),
    p99Ms: round(stats?.p99 ?? Number.POSITIVE_INFINITY, 1),
    cpuSecondsPerRequest: latenciesMs.length > 0 ? round(cpuSeconds / latenciesMs.length, 4) : 0,
  };
}

/** Median CPU seconds per request over the levels, and the rate `vCpus` would sustain at it. */
export function cpuBound(
  levels: readonly LoadLevel[],
  vCpus: number,
): { cpuSecondsPerRequest: number; requestsPerSecond: number } {
  const costs = levels.map((level) => level.cpuSecondsPerRequest).filter((cost) => cost > 0);
  if (costs.length === 0) return { cpuSecondsPerRequest: 0, requestsPerSecond: 0 };
  const median = summarize(costs).p50;
  return { cpuSecondsPerRequest: round(median, 4), requestsPerSecond: round(vCpus / median, 2) };
}

/** The highest throughput among error-free levels whose percentile stayed within the bound. */
export function sustainedCapacity(
  levels: readonly LoadLevel[],
  bound: LatencyBound,
): { requestsPerSecond: number; fromConcurrency: number | null } {
  const within = levels.filter(
    (level) =>
      level.errors === 0 &&
      level.requests > 0 &&
      (bound.percentile === 99 ? level.p99Ms : level.p50Ms) <= bound.milliseconds,
  );
  if (within.length === 0) return { requestsPerSecond: 0, fromConcurrency: null };
  const best = within.reduce((a, b) => (b.requestsPerSecond > a.requestsPerSecond ? b : a));
  return { requestsPerSecond: best.requestsPerSecond, fromConcurrency: best.concurrency };
}

function round(value: number, digits: number): number {
  if (!Number.isFinite(value)) return value;
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
