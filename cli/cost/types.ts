/** What the estimate says about one resource. */
export interface CostItem {
  urn: string;
  type: string;
  name: string;
  /** What bills and on which assumption, in one line. */
  description: string;
  /** Monthly USD at the baseline (minimum capacity); null when the price list has no price for it. */
  monthlyUsd: number | null;
  /** Monthly USD at maximum capacity, when it differs (autoscaling). */
  maxMonthlyUsd?: number;
}

export interface CostEstimate {
  /** Sum of the items that have a price, at the baseline. */
  monthlyUsd: number;
  /** Sum at maximum capacity. */
  maxMonthlyUsd: number;
  items: CostItem[];
  pricesRegion: string;
  pricesAsOf: string;
  /** Region the stack deploys to (aws:region), when known. */
  stackRegion?: string;
  /** Assumptions and caveats to print with the table. */
  notes: string[];
}

export const round2 = (n: number): number => Math.round(n * 100) / 100;

/** The identifying part of an item, from the resource it is about. */
export const itemOf = (r: { urn: string; type: string; name: string }) => ({
  urn: r.urn,
  type: r.type,
  name: r.name,
});
