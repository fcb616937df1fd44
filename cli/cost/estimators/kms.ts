/** KMS: each customer managed key (and replica) bills monthly; requests are not estimated. */
import { Prices, usd } from "../prices";
import { CostResource } from "../resource-index";
import { always, CostItem, itemOf } from "../types";

export function kmsKey(r: CostResource, _index: unknown, prices: Prices): CostItem {
  const rate = prices.kms.customerManagedKeyMonthly;
  return {
    ...itemOf(r),
    description: `KMS customer managed key at ${usd(rate)}/month${r.inputs.enableKeyRotation === true ? " (+$1/month for each of its first two yearly rotations)" : ""}`,
    ...always(rate),
  };
}
