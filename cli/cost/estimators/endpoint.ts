/**
 * SageMaker real-time endpoints bill per instance-hour for every instance-backed production
 * variant of their endpoint configuration, at the variant's instance count: the Application Auto
 * Scaling target's minCapacity when one scales the variant (baseline), and its maxCapacity as the
 * ceiling. Serverless variants bill per second of inference by memory size and nothing while idle,
 * so they are shown "per request" at $0/month and $0 idle; at maximum, every concurrent slot busy
 * all month (maxConcurrency x 730 h at the memory size's per-second price). Provisioned serverless
 * concurrency has no price here. Instances bill idle or not: idle is the baseline.
 */
import { hourly, Prices, unitPrice, usd } from "../prices";
import { CostResource, num, ResourceIndex, str } from "../resource-index";
import { CostItem, figures, itemOf, NO_PRICE } from "../types";

const ENDPOINT_CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration";
const SCALING_TARGET = "aws:appautoscaling/target:Target";

export function endpoint(r: CostResource, index: ResourceIndex, prices: Prices): CostItem {
  const config = index.referenced(r, "endpointConfigName", ENDPOINT_CONFIG, "name");
  if (!config)
    return {
      ...itemOf(r),
      description: "endpoint: its endpoint configuration is not in the plan",
      ...NO_PRICE,
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
      const concurrency = num(v.serverlessConfig.maxConcurrency);
      if (perSecond !== undefined && concurrency !== undefined) max += perSecond * concurrency * hours * 3600;
      else priced = false;
      parts.push(
        `${variantName}: serverless ${mb ?? "?"} MB, up to ${num(v.serverlessConfig.maxConcurrency) ?? "?"} concurrent: ` +
          (perSecond !== undefined
            ? `per request (${unitPrice(perSecond)} per second of inference), $0 while idle` +
              (concurrency !== undefined
                ? `, ${usd(perSecond * concurrency * hours * 3600)} with all ${concurrency} busy all month`
                : "")
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
    ...(priced ? figures(min, min, max) : NO_PRICE),
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
