import { cpuBound, loadLevel, sustainedCapacity } from "./capacity";

describe("capacity figure", () => {
  const level = (concurrency: number, rps: number, p99: number, errors = 0) => ({
    concurrency,
    requests: Math.round(rps * 10),
    errors,
    seconds: 10,
    requestsPerSecond: rps,
    p50Ms: p99 / 2,
    p99Ms: p99,
    cpuSecondsPerRequest: 0.2,
  });

  it("is the highest throughput whose p99 stays within the bound", () => {
    const levels = [level(1, 4, 300), level(2, 7.5, 600), level(4, 8, 1400)];
    expect(sustainedCapacity(levels, { percentile: 99, milliseconds: 1000 })).toEqual({
      requestsPerSecond: 7.5,
      fromConcurrency: 2,
    });
    expect(sustainedCapacity(levels, { percentile: 99, milliseconds: 1500 })).toEqual({
      requestsPerSecond: 8,
      fromConcurrency: 4,
    });
  });

  it("ignores levels with errors, and says 0 when nothing stays within the bound", () => {
    expect(sustainedCapacity([level(1, 4, 300, 1)], { percentile: 99, milliseconds: 1000 })).toEqual({
      requestsPerSecond: 0,
      fromConcurrency: null,
    });
    expect(sustainedCapacity([level(1, 4, 3000)], { percentile: 99, milliseconds: 1000 })).toEqual({
      requestsPerSecond: 0,
      fromConcurrency: null,
    });
  });

  it("summarises a level from its latencies", () => {
    const latencies = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(loadLevel(2, latencies, 0, 20, 25)).toEqual({
      concurrency: 2,
      requests: 100,
      errors: 0,
      seconds: 20,
      requestsPerSecond: 5,
      p50Ms: 50,
      p99Ms: 99,
      cpuSecondsPerRequest: 0.25,
    });
  });

  it("derives the CPU-bound rate from the median CPU cost per request", () => {
    const levels = [0.2, 0.25, 0.1].map((cost, i) => ({
      ...level(i + 1, 4, 300),
      cpuSecondsPerRequest: cost,
    }));
    expect(cpuBound(levels, 2)).toEqual({ cpuSecondsPerRequest: 0.2, requestsPerSecond: 10 });
    expect(cpuBound([], 2)).toEqual({ cpuSecondsPerRequest: 0, requestsPerSecond: 0 });
  });
});
