/**
 * SageMaker real-time endpoints bill per instance-hour for every instance-backed production
 * variant of their endpoint configuration, at the variant's instance count: the Application Auto
 * Scaling target's minCapacity when one scales the variant (baseline), and its maxCapacity as the
 * ceiling. Serverless variants bill per second of inference by memory size and nothing while idle,
 * so they are shown "per request" at $0/month (provisioned serverless concurrency has no price here).
 */
import { hourly, Prices, unitPrice, usd } from "../prices";
import { CostResource, num, ResourceIndex, str } from "../resource-index";
import { CostItem, itemOf, round2 } from "../types";

const ENDPOINT_CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration";
const SCALING_TARGET = "aws:appautoscaling/target:Target";

export function endpoint(r: CostResource, index: ResourceIndex, prices: Prices): CostItem {
  const config = index.referenced(r, "endpointConfigName", ENDPOINT_CONFIG, "name");
  if (!config)
    return {
      ...itemOf(r),
      description: "endpoint: its endpoint configuration is not in the plan",
      monthlyUsd: null,
    };
  const variants: any[] = Array.isArray(config.inputs.productionVariants)
    ? config.inputs.productionVariants
    : [];
  const hours = prices.assumptions.hoursPerMonth.value;
  const parts: string[] = [];
  let min = 0;
  let max = 0;
  let priced = true;
  for (const v of variants) {
    const variantName = str(v?.variantName) ?? "AllTraffic";
    if (v?.serverlessConfig) {
      const mb = num(v.serverlessConfig.memorySizeInMb);
      const perSecond = mb
        ? (prices.sagemaker.serverlessInferencePerSecondByMemoryMb as Record<string, number>)[String(mb)]
        : undefined;
      const provisioned = num(v.serverlessConfig.provisionedConcurrency) ?? 0;
      parts.push(
        `${variantName}: serverless ${mb ?? "?"} MB, up to ${num(v.serverlessConfig.maxConcurrency) ?? "?"} concurrent: ` +
          (perSecond !== undefined
            ? `per request (${unitPrice(perSecond)} per second of inference), $0 while idle`
            : "per request (no price for this memory size)") +
          (provisioned > 0 ? `; ${provisioned} provisioned: no price in the price list` : ""),
      );
      if (provisioned > 0) priced = false;
      continue;
    }
    const type = str(v?.instanceType);
    const rate = hourly(prices.sagemaker.hostingInstanceHourly, type);
    const target = scalingTarget(r, variantName, index);
    const low = num(target?.inputs.minCapacity) ?? num(v?.initialInstanceCount) ?? 1;
    const high = num(target?.inputs.maxCapacity) ?? low;
    if (rate === undefined) {
      parts.push(`${variantName}: ${type ?? "(unknown type)"}: no price in the price list`);
      priced = false;
      continue;
    }
    min += rate * low * hours;
    max += rate * high * hours;
    parts.push(
      `${variantName}: ${type} x ${low === high ? low : `${low}-${high} (autoscaling min-max)`}, ${hours} h at ${unitPrice(rate)}/h` +
        (low === high ? "" : `: ${usd(rate * low * hours)} at min, ${usd(rate * high * hours)} at max`),
    );
  }
  if (variants.length === 0) parts.push("no production variants");
  return {
    ...itemOf(r),
    description: `endpoint ${parts.join("; ")}`,
    monthlyUsd: priced ? round2(min) : null,
    maxMonthlyUsd: priced && max !== min ? round2(max) : undefined,
  };
}

/** The scalable target of `endpoint/<name>/variant/<variant>`, matched by name or by dependency. */
function scalingTarget(
  endpoint: CostResource,
  variant: string,
  index: ResourceIndex,
): CostResource | undefined {
  const name = str(endpoint.inputs.name);
  return index.ofType(SCALING_TARGET).find((t) => {
    if (t.inputs.serviceNamespace !== "sagemaker") return false;
    const id = str(t.inputs.resourceId);
    const m = id ? /^endpoint\/([^/]+)\/variant\/([^/]+)$/.exec(id) : null;
    if (m)
      return (
        (name === undefined || m[1] === name) &&
        m[2] === variant &&
        (name !== undefined || dependsOn(t, endpoint))
      );
    return dependsOn(t, endpoint);
  });
}

const dependsOn = (t: CostResource, on: CostResource) =>
  (t.propertyDependencies.resourceId ?? []).includes(on.urn);
