/**
 * VPC interface endpoints (PrivateLink) bill per endpoint per AZ-hour, one ENI per subnet, plus data
 * processed (not estimated), idle or not. Gateway endpoints (S3, DynamoDB) are free and not listed.
 */
import { Prices, unitPrice } from "../prices";
import { CostResource } from "../resource-index";
import { always, CostItem, itemOf } from "../types";

export function vpcEndpoint(r: CostResource, _index: unknown, prices: Prices): CostItem | undefined {
  if (r.inputs.vpcEndpointType !== "Interface") return undefined;
  const subnets: unknown[] | undefined = Array.isArray(r.inputs.subnetIds) ? r.inputs.subnetIds : undefined;
  const azs = subnets && subnets.length > 0 ? subnets.length : 1;
  const hours = prices.assumptions.hoursPerMonth.value;
  const rate = prices.privatelink.interfaceEndpointAzHourly;
  const service =
    typeof r.inputs.serviceName === "string" ? r.inputs.serviceName.split(".").slice(3).join(".") : "";
  return {
    ...itemOf(r),
    description:
      `interface endpoint${service ? ` ${service}` : ""} x ${azs} AZ${azs === 1 ? "" : "s"}${subnets ? "" : " (subnets unknown: 1 assumed)"}` +
      ` x ${hours} h at ${unitPrice(rate)}/AZ-h (plus data processed)`,
    ...always(azs * hours * rate),
  };
}
