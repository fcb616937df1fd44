/** Cost guards, set per stack through the policy config: instance-type allow-list and autoscaling ceiling. */
import { ReportViolation, ResourceValidationPolicy } from "@pulumi/policy";
import { globMatches } from "../lib/iam-document";
import {
  Props,
  configOf,
  exemptResourcesSchema,
  onTypes,
  schemaProp,
  stringListSchema,
} from "../lib/policy-kit";
import { Unknown, snapshot } from "../lib/props";
import { T } from "../lib/resource-types";

export interface InstanceTypeConfig {
  allowedInstanceTypes: string[];
}

/** The sizes the reference workload needs (dog-breed ResNet50 transfer learning), nothing bigger. */
export const instanceTypeDefaults: InstanceTypeConfig = {
  allowedInstanceTypes: [
    "ml.t3.medium",
    "ml.t3.large",
    "ml.m5.large",
    "ml.m5.xlarge",
    "ml.m5.2xlarge",
    "ml.c5.xlarge",
    "ml.c5.2xlarge",
    "ml.g4dn.xlarge",
    "t3.medium",
    "t3.large",
    "t3.xlarge",
    "m5.large",
    "m5.xlarge",
    "m5.2xlarge",
    "g4dn.xlarge",
  ],
};

function checkType(value: unknown, where: string, allowed: string[], report: ReportViolation): void {
  if (value instanceof Unknown) {
    throw value.error;
  }
  if (typeof value !== "string" || value === "") {
    return;
  }
  if (!allowed.some((p) => globMatches(p, value))) {
    report(
      `${where} is "${value}", which is not in this stack's allowedInstanceTypes (${allowed.join(", ")}). Fix: pick an allowed size, or add it to the stack's policy config after a cost review.`,
    );
  }
}

function at(props: unknown, ...path: string[]): unknown {
  let v: unknown = snapshot(props);
  for (const p of path) {
    if (v instanceof Unknown || v === null || typeof v !== "object") {
      return v instanceof Unknown ? v : undefined;
    }
    v = (v as Props)[p];
  }
  return v;
}

export const costInstanceTypeAllowlist: ResourceValidationPolicy = {
  name: "cost-instance-type-allowlist",
  description:
    "Notebook, training, tuning, endpoint and EC2 instance types must come from the stack's allow-list.",
  enforcementLevel: "advisory",
  severity: "medium",
  remediationSteps:
    "Use an instance type from allowedInstanceTypes, or extend the list in the stack's policy config.",
  configSchema: {
    properties: {
      allowedInstanceTypes: stringListSchema(
        "Allowed instance types; * and ? wildcards work (e.g. ml.m5.*).",
        instanceTypeDefaults.allowedInstanceTypes,
      ),
      exemptResources: exemptResourcesSchema,
    },
  },
  validateResource: onTypes({
    [T.sagemakerNotebookInstance]: (p, a, r) =>
      checkType(p["instanceType"], "instanceType", configOf(a, instanceTypeDefaults).allowedInstanceTypes, r),
    [T.ec2Instance]: (p, a, r) =>
      checkType(p["instanceType"], "instanceType", configOf(a, instanceTypeDefaults).allowedInstanceTypes, r),
    [T.sagemakerTrainingJob]: (p, a, r) =>
      checkType(
        at(p, "resourceConfig", "instanceType"),
        "resourceConfig.instanceType",
        configOf(a, instanceTypeDefaults).allowedInstanceTypes,
        r,
      ),
    [T.sagemakerHyperParameterTuningJob]: (p, a, r) => {
      const allowed = configOf(a, instanceTypeDefaults).allowedInstanceTypes;
      checkType(
        at(p, "trainingJobDefinition", "resourceConfig", "instanceType"),
        "trainingJobDefinition.resourceConfig.instanceType",
        allowed,
        r,
      );
      const defs = at(p, "trainingJobDefinitions");
      if (Array.isArray(defs)) {
        defs.forEach((d, i) =>
          checkType(
            at(d, "resourceConfig", "instanceType"),
            `trainingJobDefinitions[${i}].resourceConfig.instanceType`,
            allowed,
            r,
          ),
        );
      }
    },
    [T.sagemakerEndpointConfiguration]: (p, a, r) => {
      const allowed = configOf(a, instanceTypeDefaults).allowedInstanceTypes;
      const variants = at(p, "productionVariants");
      if (variants instanceof Unknown) {
        throw variants.error;
      }
      (Array.isArray(variants) ? variants : []).forEach((v, i) =>
        checkType(at(v, "instanceType"), `productionVariants[${i}].instanceType`, allowed, r),
      );
    },
  }),
};

export interface AutoscalingConfig {
  maxCapacity: number;
}

export const autoscalingDefaults: AutoscalingConfig = { maxCapacity: 5 };

export const costAutoscalingMaxCapacity: ResourceValidationPolicy = {
  name: "cost-autoscaling-max-capacity",
  description:
    "Application Auto Scaling targets must not scale beyond the stack's maxCapacity, and min must not exceed max.",
  enforcementLevel: "advisory",
  severity: "medium",
  remediationSteps:
    "Lower maxCapacity, or raise the ceiling in the stack's policy config after a cost review.",
  configSchema: {
    properties: {
      maxCapacity: schemaProp(
        "integer",
        "Largest maxCapacity accepted on a scalable target.",
        autoscalingDefaults.maxCapacity,
        { minimum: 1 },
      ),
      exemptResources: exemptResourcesSchema,
    },
  },
  validateResource: onTypes({
    [T.appautoscalingTarget]: (props, args, report) => {
      const { maxCapacity } = configOf(args, autoscalingDefaults);
      const max = props["maxCapacity"];
      const min = props["minCapacity"];
      if (typeof max === "number" && max > maxCapacity) {
        report(
          `maxCapacity is ${max}, above this stack's ceiling of ${maxCapacity}. Fix: lower maxCapacity or raise the ceiling in the policy config.`,
        );
      }
      if (typeof max === "number" && typeof min === "number" && min > max) {
        report(`minCapacity ${min} is above maxCapacity ${max}. Fix: keep min <= max.`);
      }
    },
  }),
};
