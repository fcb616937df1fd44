/**
 * Lambda bills per request and per GB-second of duration, so an idle function costs nothing; it
 * is listed "per request" ($0 typical and idle). At maximum, every execution its reserved
 * concurrency allows runs all month (duration only; requests come on top); without reserved
 * concurrency there is no ceiling. Provisioned concurrency bills for as long as it is configured:
 * memory (GB) x provisioned executions x 730 h, at the architecture's GB-second price.
 */
import { Prices } from "../prices";
import { CostResource, num, ResourceIndex } from "../resource-index";
import { always, CostItem, itemOf, NO_PRICE, round2 } from "../types";

const FUNCTION = "aws:lambda/function:Function";
const ALIAS = "aws:lambda/alias:Alias";

type Arch = "x86_64" | "arm64";

const archOf = (f: CostResource | undefined): Arch =>
  Array.isArray(f?.inputs.architectures) && f.inputs.architectures[0] === "arm64" ? "arm64" : "x86_64";
const memoryMbOf = (f: CostResource | undefined) => num(f?.inputs.memorySize) ?? 128;

export function lambdaFunction(r: CostResource, _index: unknown, prices: Prices): CostItem {
  const arch = archOf(r);
  const mb = memoryMbOf(r);
  const reserved = num(r.inputs.reservedConcurrentExecutions);
  const ceiling = reserved !== undefined && reserved >= 0 ? reserved : undefined;
  const rate = prices.lambda.durationGbSecond[arch];
  const max =
    ceiling !== undefined
      ? (mb / 1024) * ceiling * prices.assumptions.hoursPerMonth.value * 3600 * rate
      : null;
  return {
    ...itemOf(r),
    description:
      `function ${mb} MB ${arch}: per request ($${prices.lambda.requestsPerMillion} per million requests + ` +
      `$${rate} per GB-second), $0 while idle` +
      (max !== null
        ? `; at most ${ceiling} running all month: $${max.toFixed(2)} of duration (requests extra)`
        : "; no reserved concurrency: no ceiling"),
    monthlyUsd: 0,
    idleMonthlyUsd: 0,
    maxMonthlyUsd: max === null ? null : round2(max),
  };
}

export function provisionedConcurrency(r: CostResource, index: ResourceIndex, prices: Prices): CostItem {
  const count = num(r.inputs.provisionedConcurrentExecutions);
  const fn = functionOf(r, index);
  const arch = archOf(fn);
  const mb = memoryMbOf(fn);
  if (count === undefined)
    return {
      ...itemOf(r),
      description: "provisioned concurrency: count unknown at preview",
      ...NO_PRICE,
    };
  const hours = prices.assumptions.hoursPerMonth.value;
  const rate = prices.lambda.provisionedConcurrencyGbSecond[arch];
  return {
    ...itemOf(r),
    description:
      `provisioned concurrency ${count} x ${mb} MB ${arch}${fn ? "" : " (function not in the plan: 128 MB x86_64 assumed)"}` +
      ` x ${hours} h at $${rate} per GB-second`,
    ...always((mb / 1024) * count * hours * 3600 * rate),
  };
}

/** The function behind `functionName`: directly, or through the alias the qualifier names. */
function functionOf(r: CostResource, index: ResourceIndex): CostResource | undefined {
  const direct = index.referenced(r, "functionName", FUNCTION, "name");
  if (direct) return direct;
  const alias = index.referenced(r, "qualifier", ALIAS, "name");
  return alias ? index.referenced(alias, "functionName", FUNCTION, "name") : undefined;
}
