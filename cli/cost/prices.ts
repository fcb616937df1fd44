/**
 * The price list the estimate uses: one data file per region (today us-east-1 only), with its
 * date and usage assumptions. Every unit price in the file carries the page it comes from, the
 * day it was read and whether that reading confirmed it (`PRICE_ENTRIES`); the estimators see the
 * plain numbers (`PRICES`). A type or size missing from the file has no price; the estimate says so
 * rather than guessing.
 */
import file from "./prices.us-east-1.json";

/** One unit price as the file holds it. */
export interface PriceEntry {
  usd: number;
  /** The AWS pricing page it comes from. */
  source: string;
  /** The day it was read (YYYY-MM-DD). */
  read: string;
  /** Whether the page, as read, shows this figure. */
  confirmed: boolean;
  /** What the reading showed, when it did not confirm the figure (or how it did). */
  note?: string;
}

/** The file's price tree with each entry replaced by its number. */
type Numeric<T> = T extends { usd: number } ? number : { [K in keyof T]: Numeric<T[K]> };

export type Prices = Omit<typeof file, "prices"> & Numeric<(typeof file)["prices"]>;

const isEntry = (v: unknown): v is PriceEntry =>
  v !== null && typeof v === "object" && typeof (v as { usd?: unknown }).usd === "number";

function numeric(tree: unknown): unknown {
  if (isEntry(tree)) return tree.usd;
  if (tree === null || typeof tree !== "object") return tree;
  return Object.fromEntries(Object.entries(tree).map(([k, v]) => [k, numeric(v)]));
}

/** Every unit price of the file with its path (`sagemaker.notebookInstanceHourly.ml.t3.medium`). */
export function priceEntries(
  tree: unknown = file.prices,
  path: string[] = [],
): { path: string; entry: PriceEntry }[] {
  if (isEntry(tree)) return [{ path: path.join("."), entry: tree }];
  if (tree === null || typeof tree !== "object") return [{ path: path.join("."), entry: tree as never }];
  return Object.entries(tree).flatMap(([k, v]) => priceEntries(v, [...path, k]));
}

export const PRICE_ENTRIES = priceEntries();

const { prices: _tree, ...meta } = file;
export const PRICES: Prices = { ...meta, ...(numeric(file.prices) as Numeric<(typeof file)["prices"]>) };

export type InstanceTable = Record<string, number | undefined>;

export function hourly(table: InstanceTable, instanceType: string | undefined): number | undefined {
  return instanceType ? table[instanceType] : undefined;
}

/** An amount of money: `$84.00`. */
export function usd(amount: number): string {
  return `$${amount.toFixed(2)}`;
}

/** A unit price as the price list gives it, without rounding cents away: `$0.115`, `$0.0464`. */
export function unitPrice(amount: number): string {
  return `$${Number(amount.toFixed(7))}`;
}
