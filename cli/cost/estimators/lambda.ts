/**
 * Lambda bills per request and per GB-second of duration, so an idle function costs nothing; it
 * is listed "per request". Provisioned concurrency bills for as long as it is configured:
 * memory (GB) x provisioned executions x 730 h, at the architecture's GB-second price.
 */
import { Prices } from "../prices";
import { CostResource, num, ResourceIndex } from "../resource-index";
import { CostItem, itemOf, round2 } from "../types";

const FUNCTION = "aws:lambda/function:Function";
const ALIAS = "aws:lambda/alias:Alias";

type Arch = "x86_64" | "arm64";

const archOf = (f: CostResource | undefined): Arch =>
  Array.isArray(f?.inputs.architectures) && f.inputs.architectures[0] === "arm64" ? "arm64" : "x86_64";
const memoryMbOf = (f: CostResource | undefined) => num(f?.inputs.memorySize) ?? 128;

export function lambdaFunction(r: CostResource, _index: unknown, prices: Prices): CostItem {
  const arch = archOf(r);
  const mb = memoryMbOf(r);
  return {
    ...itemOf(r),
    description:
      `function ${mb} MB ${arch}: per request ($${prices.lambda.requestsPerMillion} per million requests + ` +
      `$${prices.lambda.durationGbSecond[arch]} per GB-second), $0 while idle`,
    monthlyUsd: 0,
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
      monthlyUsd: null,
    };
  const hours = prices.assumptions.hoursPerMonth.value;
  const rate = prices.lambda.provisionedConcurrencyGbSecond[arch];
  return {
    ...itemOf(r),
    description:
      `provisioned concurrency ${count} x ${mb} MB ${arch}${fn ? "" : " (function not in the plan: 128 MB x86_64 assumed)"}` +
      ` x ${hours} h at $${rate} per GB-second`,
    monthlyUsd: round2((mb / 1024) * count * hours * 3600 * rate),
  };
}

/** The function behind `functionName`: directly, or through the alias the qualifier names. */
function functionOf(r: CostResource, index: ResourceIndex): CostResource | undefined {
  const direct = index.referenced(r, "functionName", FUNCTION, "name");
  if (direct) return direct;
  const alias = index.referenced(r, "qualifier", ALIAS, "name");
  return alias ? index.referenced(alias, "functionName", FUNCTION, "name") : undefined;
}
