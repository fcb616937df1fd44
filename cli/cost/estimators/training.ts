/**
 * SageMaker training and tuning jobs bill per instance-second while they run, once: a job runs when
 * it is created. The estimate counts one run at the job's maximum runtime (its stopping
 * condition; SageMaker's default is one day), an upper bound. Managed spot training bills at spot
 * rates (up to 90% less), which have no list price: the on-demand figure is shown as the bound.
 * A tuning job runs at most maxNumberOfTrainingJobs training jobs, maxParallelTrainingJobs at a
 * time, and no longer than its own maxRuntimeInSeconds when set. Idle, no job runs ($0); the
 * maximum is the one run's upper bound.
 */
import { hourly, Prices, unitPrice } from "../prices";
import { CostResource, num, str } from "../resource-index";
import { CostItem, figures, itemOf, NO_PRICE } from "../types";

const DEFAULT_MAX_RUNTIME_SECONDS = 86_400;

interface JobShape {
  instanceType?: string;
  instanceCount: number;
  maxRuntimeHours: number;
  spot: boolean;
}

function shape(resourceConfig: any, stoppingCondition: any, spot: unknown): JobShape {
  return {
    instanceType: str(resourceConfig?.instanceType),
    instanceCount: num(resourceConfig?.instanceCount) ?? 1,
    maxRuntimeHours: (num(stoppingCondition?.maxRuntimeInSeconds) ?? DEFAULT_MAX_RUNTIME_SECONDS) / 3600,
    spot: spot === true,
  };
}

const describeShape = (s: JobShape, rate: number) =>
  `${s.instanceCount} x ${s.instanceType} x max ${hoursText(s.maxRuntimeHours)} at ${unitPrice(rate)}/h`;

export function trainingJob(r: CostResource, _index: unknown, prices: Prices): CostItem {
  const s = shape(r.inputs.resourceConfig, r.inputs.stoppingCondition, r.inputs.enableManagedSpotTraining);
  const rate = hourly(prices.sagemaker.trainingInstanceHourly, s.instanceType);
  if (rate === undefined)
    return {
      ...itemOf(r),
      description: `training job on ${s.instanceType ?? "(unknown or grouped instances)"}: no price in the price list`,
      ...NO_PRICE,
    };
  const run = rate * s.instanceCount * s.maxRuntimeHours;
  return {
    ...itemOf(r),
    description: `training job, one run: ${describeShape(s, rate)} (upper bound${s.spot ? "; managed spot bills less" : ""}); idle: $0`,
    ...figures(run, 0, run),
  };
}

export function tuningJob(r: CostResource, _index: unknown, prices: Prices): CostItem {
  const limits = r.inputs.config?.resourceLimits ?? {};
  const maxJobs = num(limits.maxNumberOfTrainingJobs);
  const parallel = num(limits.maxParallelTrainingJobs) ?? 1;
  const definitions: any[] = [
    r.inputs.trainingJobDefinition,
    ...(r.inputs.trainingJobDefinitions ?? []),
  ].filter(Boolean);
  // With several definitions, the dearest one bounds what any of the jobs can cost.
  let worst: { s: JobShape; rate: number; perJob: number } | undefined;
  for (const d of definitions) {
    const s = shape(d.resourceConfig, d.stoppingCondition, d.enableManagedSpotTraining);
    const rate = hourly(prices.sagemaker.trainingInstanceHourly, s.instanceType);
    if (rate === undefined) {
      return {
        ...itemOf(r),
        description: `tuning job on ${s.instanceType ?? "(unknown instances)"}: no price in the price list`,
        ...NO_PRICE,
      };
    }
    const perJob = rate * s.instanceCount * s.maxRuntimeHours;
    if (!worst || perJob > worst.perJob) worst = { s, rate, perJob };
  }
  if (!worst || maxJobs === undefined)
    return {
      ...itemOf(r),
      description: "tuning job: no job definition or job limit to price",
      ...NO_PRICE,
    };
  let total = maxJobs * worst.perJob;
  let cap = "";
  const tuningHours = (num(limits.maxRuntimeInSeconds) ?? 0) / 3600;
  if (tuningHours > 0) {
    const capped = parallel * worst.rate * worst.s.instanceCount * tuningHours;
    if (capped < total) {
      total = capped;
      cap = `, capped by the tuning job's ${hoursText(tuningHours)} limit at ${parallel} parallel`;
    }
  }
  return {
    ...itemOf(r),
    description:
      `tuning job, one run: up to ${maxJobs} jobs x (${describeShape(worst.s, worst.rate)})${cap} ` +
      `(upper bound${worst.s.spot ? "; managed spot bills less" : ""}); idle: $0`,
    ...figures(total, 0, total),
  };
}

export const hoursText = (h: number) => (Number.isInteger(h) ? `${h} h` : `${h.toFixed(1)} h`);
