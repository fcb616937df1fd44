/**
 * The price list the estimate uses: one data file per region (today us-east-1 only), with its
 * date, sources and usage assumptions. A type or size missing from the file has no price; the
 * estimate says so rather than guessing.
 */
import prices from "./prices.us-east-1.json";

export type Prices = typeof prices;
export const PRICES: Prices = prices;

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
