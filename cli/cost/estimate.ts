/**
 * Monthly cost of a plan: for each resource that bills while idle or by the hour, what it costs
 * a month at list prices (cli/cost/prices.us-east-1.json), with the assumption it rests on. Keyed
 * by resource type, so it works for any program, whatever components it is built from.
 */
import { PlannedResource } from "../plan/resources";
import { endpoint } from "./estimators/endpoint";
import { instance, natGateway, volume } from "./estimators/ec2";
import { kmsKey } from "./estimators/kms";
import { lambdaFunction, provisionedConcurrency } from "./estimators/lambda";
import { vpcEndpoint } from "./estimators/network";
import { notebookInstance } from "./estimators/notebook";
import { trainingJob, tuningJob } from "./estimators/training";
import { PRICE_ENTRIES, Prices, PRICES } from "./prices";
import { CostResource, ResourceIndex } from "./resource-index";
import { CostEstimate, CostItem, round2 } from "./types";

type Estimator = (r: CostResource, index: ResourceIndex, prices: Prices) => CostItem | undefined;

/** Resource types that bill by the hour, by the month or per run (the rest bill by use or not at all). */
export const ESTIMATORS: Record<string, Estimator> = {
  "aws:sagemaker/notebookInstance:NotebookInstance": notebookInstance,
  "aws:sagemaker/endpoint:Endpoint": endpoint,
  "aws:sagemaker/trainingJob:TrainingJob": trainingJob,
  "aws:sagemaker/hyperParameterTuningJob:HyperParameterTuningJob": tuningJob,
  "aws:ec2/instance:Instance": instance,
  "aws:ebs/volume:Volume": volume,
  "aws:ec2/natGateway:NatGateway": natGateway,
  "aws:ec2/vpcEndpoint:VpcEndpoint": vpcEndpoint,
  "aws:lambda/function:Function": lambdaFunction,
  "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig": provisionedConcurrency,
  "aws:kms/key:Key": kmsKey,
  "aws:kms/replicaKey:ReplicaKey": kmsKey,
};

/** `sagemaker.notebookInstanceHourly (8)`: the groups of unit prices not confirmed, with counts. */
export function unconfirmedGroups(): string[] {
  const counts = new Map<string, number>();
  for (const { path, entry } of PRICE_ENTRIES) {
    if (entry.confirmed) continue;
    const group = path.split(".").slice(0, 2).join(".");
    counts.set(group, (counts.get(group) ?? 0) + 1);
  }
  return [...counts].map(([g, n]) => (n === 1 ? g : `${g} (${n})`));
}

export function estimateCost(
  resources: PlannedResource[],
  stackRegion: string | undefined,
  prices: Prices = PRICES,
): CostEstimate {
  const index = new ResourceIndex(resources);
  const items: CostItem[] = [];
  for (const r of index.all) {
    const item = ESTIMATORS[r.type]?.(r, index, prices);
    if (item) items.push(item);
  }
  const priced = items.filter((i) => i.monthlyUsd !== null);
  const sum = (pick: (i: CostItem) => number | null) =>
    round2(priced.reduce((t, i) => t + (pick(i) ?? 0), 0));
  const notes = [
    `${prices.region} on-demand list prices (${prices.asOf}); hourly items x ${prices.assumptions.hoursPerMonth.value} h a month.`,
    `Notebooks with an idle-stop script: ${prices.assumptions.notebookHoursWithIdleStop.value} h a month (${prices.assumptions.notebookHoursWithIdleStop.basis}).`,
    `Training and tuning jobs and one-shot EC2 runs: ${prices.assumptions.jobRunsPerMonth.basis}.`,
    "Idle: nothing running and no traffic (notebooks stopped, jobs finished, serverless and Lambda at zero). " +
      "Max: at maximum capacity (autoscaling maxima, concurrency limits busy all month, notebooks never stopped).",
    "Usage-based charges (requests, data, storage in S3, logs) are not estimated.",
  ];
  if (stackRegion && stackRegion !== prices.region)
    notes.unshift(
      `The stack deploys to ${stackRegion}; prices are ${prices.region}'s, so figures are indicative.`,
    );
  const unpriced = items.length - priced.length;
  if (unpriced > 0)
    notes.push(`${unpriced} item(s) have no price in the price list and are left out of the total.`);
  const unbounded = priced.filter((i) => i.maxMonthlyUsd === null).length;
  if (unbounded > 0) notes.push(`${unbounded} item(s) have no ceiling and are left out of the maximum.`);
  if (prices === PRICES) {
    const groups = unconfirmedGroups();
    if (groups.length > 0)
      notes.push(
        `Not confirmed against AWS's pages (prices.${prices.region}.json marks each): ${groups.join(", ")}; check them before budgeting.`,
      );
  }
  return {
    monthlyUsd: sum((i) => i.monthlyUsd),
    idleMonthlyUsd: sum((i) => i.idleMonthlyUsd),
    maxMonthlyUsd: sum((i) => i.maxMonthlyUsd),
    items,
    pricesRegion: prices.region,
    pricesAsOf: prices.asOf,
    stackRegion,
    notes,
  };
}
