/** Guardrails for the inference Lambda: bounded concurrency, authenticated URLs, no public invoke permission. */
import { ResourceValidationPolicy } from "@pulumi/policy";
import { configOf, exemptResourcesSchema, onTypes, schemaProp } from "../lib/policy-kit";
import { prop } from "../lib/props";
import { T } from "../lib/resource-types";

export interface ReservedConcurrencyConfig {
  maxReservedConcurrency: number;
}

export const reservedConcurrencyDefaults: ReservedConcurrencyConfig = { maxReservedConcurrency: 100 };

export const lambdaReservedConcurrency: ResourceValidationPolicy = {
  name: "lambda-reserved-concurrency",
  description:
    "Lambda functions must reserve a bounded concurrency, so a flood of requests cannot run up the bill or starve the account.",
  enforcementLevel: "advisory",
  severity: "medium",
  remediationSteps: "Set reservedConcurrentExecutions to a number between 1 and maxReservedConcurrency.",
  configSchema: {
    properties: {
      maxReservedConcurrency: schemaProp(
        "integer",
        "Largest reserved concurrency accepted.",
        reservedConcurrencyDefaults.maxReservedConcurrency,
        { minimum: 1 },
      ),
      exemptResources: exemptResourcesSchema,
    },
  },
  validateResource: onTypes({
    [T.lambdaFunction]: (props, args, report) => {
      const { maxReservedConcurrency } = configOf(args, reservedConcurrencyDefaults);
      const v = props["reservedConcurrentExecutions"];
      if (v === undefined || v === null || v === -1) {
        report(
          `reservedConcurrentExecutions is not set, so the function can use the whole account's concurrency. Fix: set it between 1 and ${maxReservedConcurrency}.`,
        );
      } else if (typeof v !== "number" || v < 0 || v > maxReservedConcurrency) {
        report(
          `reservedConcurrentExecutions is ${JSON.stringify(v)}; it must be between 0 and maxReservedConcurrency ${maxReservedConcurrency}. ` +
            "Fix: lower it, or raise the limit in this stack's policy config after a cost review.",
        );
      }
    },
  }),
};

export const lambdaFunctionUrlAuth: ResourceValidationPolicy = {
  name: "lambda-function-url-auth",
  description:
    "Lambda function URLs must require IAM authentication (authorizationType AWS_IAM), never NONE.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    'Set authorizationType: "AWS_IAM" and grant lambda:InvokeFunctionUrl to the callers that need it.',
  configSchema: { properties: { exemptResources: exemptResourcesSchema } },
  validateResource: onTypes({
    [T.lambdaFunctionUrl]: (props, _args, report) => {
      const v = props["authorizationType"];
      if (v !== "AWS_IAM") {
        report(
          `authorizationType is ${JSON.stringify(v)}: anyone on the internet can call the function. Fix: set authorizationType: "AWS_IAM".`,
        );
      }
    },
  }),
};

export const lambdaPermissionNotPublic: ResourceValidationPolicy = {
  name: "lambda-permission-not-public",
  description:
    'Lambda resource policies must not let "*" invoke a function without a source account, source ARN or organization condition.',
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    "Name the calling principal (an account, role or service) and, for services, set sourceArn and sourceAccount.",
  configSchema: { properties: { exemptResources: exemptResourcesSchema } },
  validateResource: onTypes({
    [T.lambdaPermission]: (props, _args, report) => {
      const principal = props["principal"];
      const urlAuth = prop(props, "functionUrlAuthType");
      if (urlAuth === "NONE") {
        report(
          'functionUrlAuthType is "NONE": the permission opens the function URL to unauthenticated callers. Fix: use AWS_IAM auth and name the principal.',
        );
        return;
      }
      if (principal !== "*") {
        return;
      }
      const scoped = ["sourceArn", "sourceAccount", "principalOrgId"].some((k) => {
        const v = prop(props, k);
        return v !== undefined && v !== "";
      });
      if (!scoped) {
        report(
          'principal is "*" with no sourceArn, sourceAccount or principalOrgId: anyone with AWS credentials can invoke the function. Fix: set principal to the caller (account, role or service) and scope it with sourceArn/sourceAccount.',
        );
      }
    },
  }),
};
