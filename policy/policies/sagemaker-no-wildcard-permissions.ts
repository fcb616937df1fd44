/**
 * sagemaker-no-wildcard-permissions: no IAM carrier may grant SageMaker actions by wildcard.
 * Carriers: policies (managed and inline, on roles, users and groups), a Role's inline policies and
 * managed policy ARNs, and every kind of policy attachment that can attach an AWS-managed policy.
 */
import { ReportViolation, ResourceValidationPolicy } from "@pulumi/policy";
import { parsePolicyDocument } from "../lib/iam-document";
import { wildcardManagedPolicy } from "../lib/managed-policies";
import {
  Props,
  configOf,
  exemptResourcesSchema,
  onTypes,
  schemaProp,
  stringListSchema,
} from "../lib/policy-kit";
import { Unknown, prop, snapshot } from "../lib/props";
import { T } from "../lib/resource-types";
import { findSageMakerWildcards } from "../lib/sagemaker-permissions";

export interface SageMakerWildcardConfig {
  /** Accept `endpoint/<literal-prefix>*` style names (a bare `*` name is never accepted). */
  allowNamePrefixWildcards: boolean;
  /** Policy ARNs accepted even though they are on the wildcard list (e.g. a reviewed break-glass role). */
  exemptPolicyArns: string[];
}

export const sageMakerWildcardDefaults: SageMakerWildcardConfig = {
  allowNamePrefixWildcards: true,
  exemptPolicyArns: [],
};

const FIX_MANAGED =
  "attach a customer-managed policy that lists exactly the SageMaker actions needed on the exact resource ARNs " +
  "(for example sagemaker:InvokeEndpoint on arn:<partition>:sagemaker:<region>:<account>:endpoint/<endpoint-name>)";

export const sagemakerNoWildcardPermissions: ResourceValidationPolicy = {
  name: "sagemaker-no-wildcard-permissions",
  description:
    "IAM policies must not grant SageMaker actions by wildcard (*, sagemaker:*, sagemaker:Invoke*, NotAction) or on wildcard resources, nor attach AWS-managed policies that do.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps:
    "Grant the exact SageMaker actions the workload calls (e.g. sagemaker:InvokeEndpoint) on the exact ARNs (e.g. the one endpoint), instead of AmazonSageMakerFullAccess or sagemaker:*.",
  configSchema: {
    properties: {
      allowNamePrefixWildcards: schemaProp(
        "boolean",
        "Accept resource names with a literal prefix and a trailing wildcard, e.g. endpoint/ml-platform-prod-*.",
        sageMakerWildcardDefaults.allowNamePrefixWildcards,
      ),
      exemptPolicyArns: stringListSchema(
        "Policy ARNs to accept even though they grant SageMaker wildcards (document why).",
        sageMakerWildcardDefaults.exemptPolicyArns,
      ),
      exemptResources: exemptResourcesSchema,
    },
  },
  validateResource: onTypes({
    [T.iamPolicy]: (p, a, r) =>
      checkDocument(p, "policy", "this IAM policy", configOf(a, sageMakerWildcardDefaults), r),
    [T.iamRolePolicy]: (p, a, r) =>
      checkDocument(p, "policy", "this inline role policy", configOf(a, sageMakerWildcardDefaults), r),
    [T.iamUserPolicy]: (p, a, r) =>
      checkDocument(p, "policy", "this inline user policy", configOf(a, sageMakerWildcardDefaults), r),
    [T.iamGroupPolicy]: (p, a, r) =>
      checkDocument(p, "policy", "this inline group policy", configOf(a, sageMakerWildcardDefaults), r),
    [T.iamRole]: (p, a, r) => checkRole(p, configOf(a, sageMakerWildcardDefaults), r),
    [T.iamRolePolicyAttachment]: (p, a, r) => checkAttachment(p, configOf(a, sageMakerWildcardDefaults), r),
    [T.iamUserPolicyAttachment]: (p, a, r) => checkAttachment(p, configOf(a, sageMakerWildcardDefaults), r),
    [T.iamGroupPolicyAttachment]: (p, a, r) => checkAttachment(p, configOf(a, sageMakerWildcardDefaults), r),
    [T.iamPolicyAttachment]: (p, a, r) => checkAttachment(p, configOf(a, sageMakerWildcardDefaults), r),
    [T.iamRolePolicyAttachmentsExclusive]: (p, a, r) => {
      const cfg = configOf(a, sageMakerWildcardDefaults);
      checkManagedArns(prop(p, "policyArns"), "policyArns", cfg, r);
    },
  }),
};

/** Checks one policy document held in `props[field]`. */
function checkDocument(
  props: Props,
  field: string,
  what: string,
  cfg: SageMakerWildcardConfig,
  report: ReportViolation,
  where = field,
): void {
  const doc = prop(props, field);
  if (doc === undefined) {
    return;
  }
  checkDocumentValue(doc, what, where, cfg, report);
}

function checkDocumentValue(
  doc: unknown,
  what: string,
  where: string,
  cfg: SageMakerWildcardConfig,
  report: ReportViolation,
): void {
  const parsed = parsePolicyDocument(doc);
  if (parsed.kind === "unknown") {
    // The verdict depends on it: let the analyzer say it can't judge this during preview.
    throw parsed.marker.error;
  }
  if (parsed.kind === "invalid") {
    report(
      `${where}: ${parsed.error}. AWS rejects such a document and the pack cannot vouch for it. ` +
        "Fix: pass a valid IAM policy document (a JSON string or an object with Version and Statement).",
    );
    return;
  }
  const result = findSageMakerWildcards(parsed.statements, cfg);
  if ("unknown" in result) {
    throw result.unknown.error;
  }
  for (const f of result.findings) {
    report(`${where}: ${what} ${f.statement}: ${f.offending} ${f.problem}. Fix: ${f.fix}.`);
  }
}

function checkRole(props: Props, cfg: SageMakerWildcardConfig, report: ReportViolation): void {
  const inline = prop(props, "inlinePolicies");
  if (inline instanceof Unknown) {
    throw inline.error;
  }
  if (Array.isArray(inline)) {
    const items = snapshot(inline) as unknown[];
    items.forEach((item, i) => {
      if (item instanceof Unknown) {
        throw item.error;
      }
      const name = item && typeof item === "object" ? (item as Record<string, unknown>)["name"] : undefined;
      const label = `inlinePolicies[${i}]${typeof name === "string" ? ` ("${name}")` : ""}`;
      const doc = item && typeof item === "object" ? (item as Record<string, unknown>)["policy"] : undefined;
      if (doc !== undefined && doc !== "") {
        checkDocumentValue(doc, "inline policy", label, cfg, report);
      }
    });
  }
  checkManagedArns(prop(props, "managedPolicyArns"), "managedPolicyArns", cfg, report);
}

function checkAttachment(props: Props, cfg: SageMakerWildcardConfig, report: ReportViolation): void {
  const arn = prop(props, "policyArn");
  // An unknown ARN is the output of a policy created in this stack, which is checked on its own.
  if (typeof arn === "string") {
    checkManagedArn(arn, "policyArn", cfg, report);
  }
}

function checkManagedArns(
  value: unknown,
  where: string,
  cfg: SageMakerWildcardConfig,
  report: ReportViolation,
): void {
  if (value instanceof Unknown) {
    throw value.error;
  }
  if (!Array.isArray(value)) {
    return;
  }
  (snapshot(value) as unknown[]).forEach((arn, i) => {
    if (typeof arn === "string") {
      checkManagedArn(arn, `${where}[${i}]`, cfg, report);
    }
  });
}

function checkManagedArn(
  arn: string,
  where: string,
  cfg: SageMakerWildcardConfig,
  report: ReportViolation,
): void {
  if (cfg.exemptPolicyArns.includes(arn)) {
    return;
  }
  const hit = wildcardManagedPolicy(arn);
  if (hit) {
    report(
      `${where}: attaches the AWS-managed policy ${hit.name} (${arn}), which grants SageMaker by wildcard (${hit.grants}). Fix: ${FIX_MANAGED}.`,
    );
  }
}
