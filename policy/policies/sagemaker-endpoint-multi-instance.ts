/**
 * AWS Foundational Security Best Practices control SageMaker.4, "SageMaker endpoint production
 * variants should have an initial instance count greater than 1". Security Hub evaluates it with the
 * AWS Config managed rule `sagemaker-endpoint-config-prod-instance-count`
 * (SAGEMAKER_ENDPOINT_CONFIG_PROD_INSTANCE_COUNT, resource type AWS::SageMaker::EndpointConfig),
 * which is NON_COMPLIANT when a production variant's InitialInstanceCount is 1
 * (https://docs.aws.amazon.com/config/latest/developerguide/sagemaker-endpoint-config-prod-instance-count.html).
 *
 * What we judge, and why:
 * - instance-backed production variants: `initialInstanceCount` below `minInstanceCount` (2), as the control;
 * - serverless variants (`serverlessConfig`) have no instance count for the control to read, and
 *   SageMaker runs their capacity itself: not judged;
 * - a variant without `initialInstanceCount` is not judged either (the control reads only the value);
 * - beyond the control: an Application Auto Scaling target on a variant's DesiredInstanceCount whose
 *   `minCapacity` is below `minInstanceCount` scales the variant in to one instance when traffic is
 *   low, which is the outage the control is about (`checkAutoscalingTargets`, default true).
 */
import { ReportViolation, ResourceValidationPolicy } from "@pulumi/policy";
import { Props, configOf, exemptResourcesSchema, onTypes, schemaProp } from "../lib/policy-kit";
import { Unknown, prop, snapshot } from "../lib/props";
import { T } from "../lib/resource-types";

export interface EndpointMultiInstanceConfig {
  minInstanceCount: number;
  checkAutoscalingTargets: boolean;
}

export const endpointMultiInstanceDefaults: EndpointMultiInstanceConfig = {
  minInstanceCount: 2,
  checkAutoscalingTargets: true,
};

/** The policy's config over its defaults; a value of the wrong type is an error naming it. */
function configFor(args: Parameters<typeof configOf>[0]): EndpointMultiInstanceConfig {
  const cfg = configOf(args, endpointMultiInstanceDefaults);
  const name = "sagemaker-endpoint-multi-instance";
  if (!Number.isInteger(cfg.minInstanceCount) || cfg.minInstanceCount < 2) {
    // The CLI validates config against the schema first; a client that does not gets a clear error.
    throw new Error(
      `policy config ${name}.minInstanceCount must be a whole number >= 2 (got ${JSON.stringify(cfg.minInstanceCount)})`,
    );
  }
  if (typeof cfg.checkAutoscalingTargets !== "boolean") {
    throw new Error(
      `policy config ${name}.checkAutoscalingTargets must be true or false (got ${JSON.stringify(cfg.checkAutoscalingTargets)})`,
    );
  }
  return cfg;
}

/** The scalable dimension of an endpoint variant's instance count (Application Auto Scaling). */
const VARIANT_INSTANCE_COUNT = "sagemaker:variant:DesiredInstanceCount";

function judgeVariants(props: Props, min: number, report: ReportViolation): void {
  const variants = snapshot(prop(props, "productionVariants"));
  if (variants instanceof Unknown) {
    throw variants.error;
  }
  (Array.isArray(variants) ? (variants as Props[]) : []).forEach((v, i) => {
    if (!v || typeof v !== "object") {
      return;
    }
    const serverless = v["serverlessConfig"];
    if (serverless !== undefined && serverless !== null) {
      return;
    }
    const count = v["initialInstanceCount"];
    if (count instanceof Unknown) {
      throw count.error;
    }
    if (typeof count === "number" && count < min) {
      const name = typeof v["variantName"] === "string" ? ` ("${v["variantName"]}")` : "";
      report(
        `productionVariants[${i}]${name} starts with initialInstanceCount ${count}: one instance has no Availability Zone redundancy (AWS Security Hub control SageMaker.4 asks for more than 1). ` +
          `Fix: set initialInstanceCount to at least ${min} (and an autoscaling minCapacity of at least ${min}), or use a serverless variant.`,
      );
    }
  });
}

export const sagemakerEndpointMultiInstance: ResourceValidationPolicy = {
  name: "sagemaker-endpoint-multi-instance",
  description:
    "SageMaker endpoint production variants must run more than one instance (AWS Security Hub SageMaker.4), also at their autoscaling minimum.",
  enforcementLevel: "advisory",
  severity: "medium",
  remediationSteps:
    "Set initialInstanceCount >= 2 on every instance-backed production variant and minCapacity >= 2 on its autoscaling target; serverless variants are not affected.",
  configSchema: {
    properties: {
      minInstanceCount: schemaProp(
        "integer",
        "Fewest instances an instance-backed production variant may start with or scale in to.",
        endpointMultiInstanceDefaults.minInstanceCount,
        { minimum: 2 },
      ),
      checkAutoscalingTargets: schemaProp(
        "boolean",
        "Also judge the minCapacity of Application Auto Scaling targets on a variant's DesiredInstanceCount.",
        endpointMultiInstanceDefaults.checkAutoscalingTargets,
      ),
      exemptResources: exemptResourcesSchema,
    },
  },
  validateResource: onTypes({
    [T.sagemakerEndpointConfiguration]: (props, args, report) =>
      judgeVariants(props, configFor(args).minInstanceCount, report),
    [T.appautoscalingTarget]: (props, args, report) => {
      const cfg = configFor(args);
      if (!cfg.checkAutoscalingTargets) {
        return args.notApplicable("checkAutoscalingTargets is false");
      }
      const dimension = props["scalableDimension"];
      if (dimension !== VARIANT_INSTANCE_COUNT) {
        return args.notApplicable(`scalableDimension is not ${VARIANT_INSTANCE_COUNT}`);
      }
      const min = props["minCapacity"];
      if (typeof min === "number" && min < cfg.minInstanceCount) {
        const id = prop(props, "resourceId");
        const where = typeof id === "string" ? ` for ${id}` : "";
        report(
          `minCapacity is ${min}${where}: autoscaling scales the variant in to ${min === 1 ? "a single instance" : `${min} instances`}, with no Availability Zone redundancy (AWS Security Hub control SageMaker.4). ` +
            `Fix: set minCapacity to at least ${cfg.minInstanceCount} (and initialInstanceCount to match).`,
        );
      }
    },
  }),
};
