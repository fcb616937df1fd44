/**
 * What the estimate says about one resource, in three figures a month:
 * - `monthlyUsd`: a typical month (the baseline: minimum capacity, notebooks with an idle stop at
 *   working hours, one run of each job);
 * - `idleMonthlyUsd`: nothing running and no traffic (stopped notebooks, finished jobs, serverless
 *   and Lambda at zero); what a stack costs while nobody uses it;
 * - `maxMonthlyUsd`: at maximum capacity (autoscaling at its maximum, serverless and Lambda at
 *   their concurrency limits all month, notebooks never stopped).
 */
export interface CostItem {
  urn: string;
  type: string;
  name: string;
  /** What bills and on which assumption, in one line. */
  description: string;
  /** A typical month; null when the price list has no price for it. */
  monthlyUsd: number | null;
  /** Nothing running, no traffic; null when there is no price. */
  idleMonthlyUsd: number | null;
  /** At maximum capacity; null when there is no price, or no ceiling (the description says which). */
  maxMonthlyUsd: number | null;
}

export interface CostEstimate {
  /** Sum of the items that have a price: a typical month. */
  monthlyUsd: number;
  /** Sum while idle: nothing running, no traffic. */
  idleMonthlyUsd: number;
  /** Sum at maximum capacity (items without a ceiling left out; the notes say so). */
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

/** The three figures of a priced item, rounded to cents. */
export const figures = (monthly: number, idle: number, max: number | null) => ({
  monthlyUsd: round2(monthly),
  idleMonthlyUsd: round2(idle),
  maxMonthlyUsd: max === null ? null : round2(max),
});

/** The same figure whether idle, typical or at maximum (bills while it exists). */
export const always = (amount: number) => figures(amount, amount, amount);

/** No price in the price list. */
export const NO_PRICE = { monthlyUsd: null, idleMonthlyUsd: null, maxMonthlyUsd: null } as const;
