/**
 * Instance types are checked against AWS's list for their use (instance-types.data.ts, generated
 * from the AWS SDK v3 clients' enums), so a type that does not exist (`ml.m5.huge`) fails with the
 * closest real ones instead of at deploy time.
 */
import { z } from "zod";
import {
  EC2_INSTANCE_TYPES,
  HOSTING_INSTANCE_TYPES,
  NOTEBOOK_INSTANCE_TYPES,
  TRAINING_INSTANCE_TYPES,
} from "./instance-types.data";

export { INSTANCE_TYPES_GENERATED_ON, INSTANCE_TYPES_SOURCE } from "./instance-types.data";

export type InstanceTypeUse = "notebook" | "training" | "hosting" | "ec2";

const LISTS: Record<InstanceTypeUse, readonly string[]> = {
  notebook: NOTEBOOK_INSTANCE_TYPES,
  training: TRAINING_INSTANCE_TYPES,
  hosting: HOSTING_INSTANCE_TYPES,
  ec2: EC2_INSTANCE_TYPES,
};
const SETS = Object.fromEntries(Object.entries(LISTS).map(([use, list]) => [use, new Set(list)])) as Record<
  InstanceTypeUse,
  Set<string>
>;

const WHAT: Record<InstanceTypeUse, { what: string; example: string }> = {
  notebook: { what: "a SageMaker notebook instance type", example: "ml.t3.medium" },
  training: { what: "a SageMaker training instance type", example: "ml.m5.xlarge" },
  hosting: { what: "a SageMaker endpoint instance type", example: "ml.m5.large" },
  ec2: { what: "an EC2 instance type", example: "m5.xlarge" },
};

export function instanceTypesFor(use: InstanceTypeUse): readonly string[] {
  return LISTS[use];
}

export function isInstanceType(use: InstanceTypeUse, value: string): boolean {
  return SETS[use].has(value);
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/**
 * Up to `count` valid types closest to `value`: with the `ml.` prefix put right for the use first
 * (`m5.large` for a notebook means `ml.m5.large`), then the same family by size, then by spelling.
 */
export function closestInstanceTypes(use: InstanceTypeUse, value: string, count = 4): string[] {
  const sagemaker = use !== "ec2";
  const normal =
    sagemaker && !value.startsWith("ml.") ? `ml.${value}` : !sagemaker ? value.replace(/^ml\./, "") : value;
  const list = LISTS[use];
  const exact = SETS[use].has(normal) && normal !== value ? [normal] : [];
  const family = normal.split(".").slice(0, -1).join(".");
  const size = normal.split(".").pop() ?? "";
  const sameFamily = family ? list.filter((t) => t.startsWith(`${family}.`) && t !== normal) : [];
  const pool = sameFamily.length > 0 ? sameFamily : list;
  const key =
    sameFamily.length > 0
      ? (t: string) => editDistance(size, t.split(".").pop() ?? "")
      : (t: string) => editDistance(normal, t);
  const ranked = pool
    .map((t, i) => ({ t, d: key(t), i }))
    .sort((x, y) => x.d - y.d || x.i - y.i)
    .map((x) => x.t);
  return [...exact, ...ranked].slice(0, count);
}

/** The message for a type that is not on the list. */
export function unknownInstanceTypeMessage(use: InstanceTypeUse, value: string): string {
  const { what } = WHAT[use];
  const close = closestInstanceTypes(use, value);
  return `must be ${what} AWS offers; close ones: ${close.join(", ")}`;
}

/** A zod field that accepts only the instance types AWS offers for `use`. */
export function instanceTypeSchema(use: InstanceTypeUse) {
  const { what, example } = WHAT[use];
  return z
    .string({ error: `must be ${what} such as ${example}` })
    .superRefine((value, ctx) => {
      if (!SETS[use].has(value))
        ctx.addIssue({ code: "custom", message: unknownInstanceTypeMessage(use, value), input: value });
    })
    .meta({ allowed: `${what} AWS offers` });
}
