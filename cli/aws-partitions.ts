/**
 * AWS regions and their partitions, from one data file (data/aws-partitions.json, which names its
 * sources): used to answer `getPartition`/`getRegion` and to validate `aws:region`.
 */
import data from "./data/aws-partitions.json";

export interface PartitionInfo {
  partition: string;
  dnsSuffix: string;
}

const PARTITIONS = data.partitions as Record<string, { dnsSuffix: string; regions: string[] }>;

export const ALL_REGIONS: readonly string[] = Object.values(PARTITIONS).flatMap((p) => p.regions);

/** The partition a known region belongs to, or undefined. */
export function partitionOf(region: string): PartitionInfo | undefined {
  for (const [partition, p] of Object.entries(PARTITIONS))
    if (p.regions.includes(region)) return { partition, dnsSuffix: p.dnsSuffix };
  return undefined;
}

/** A problem with an `aws:region` value, or undefined when it names a region. */
export function regionProblem(value: string): string | undefined {
  if (ALL_REGIONS.includes(value)) return undefined;
  const guess = ALL_REGIONS.map((r) => ({ r, d: distance(value, r) })).sort((a, b) => a.d - b.d)[0];
  return (
    `"${value}" is not an AWS region (${ALL_REGIONS.length} regions in ${Object.keys(PARTITIONS).length} ` +
    `partitions are known: ${Object.keys(PARTITIONS).join(", ")})` +
    (guess && guess.d <= 3 ? `; did you mean "${guess.r}"?` : "")
  );
}

function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++)
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}
