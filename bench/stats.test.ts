import { median, percentile, summarize } from "./stats";

describe("benchmark statistics", () => {
  const samples = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 … 1, unsorted

  it("uses nearest-rank percentiles", () => {
    const sorted = [...samples].sort((a, b) => a - b);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 100)).toBe(100);
    expect(percentile(sorted, 0)).toBe(1);
    expect(percentile([7], 99)).toBe(7);
  });

  it("summarises unsorted samples", () => {
    expect(summarize(samples)).toEqual({ count: 100, p50: 50, p99: 99, mean: 50.5, min: 1, max: 100 });
    expect(median([3, 1, 2])).toBe(2);
  });

  it("refuses an empty sample set", () => {
    expect(() => percentile([], 50)).toThrow("no samples");
  });
});
