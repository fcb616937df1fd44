/** Cost estimate of a plan: `estimateCost(resources, region)`; prices live in prices.<region>.json. */
export { estimateCost, ESTIMATORS } from "./estimate";
export { PRICES } from "./prices";
export type { CostEstimate, CostItem } from "./types";
