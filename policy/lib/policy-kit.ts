/**
 * The few shapes every policy in this pack shares: per-type dispatch that reads nothing it does not
 * need, config with defaults in one visible place, and the remediation line.
 */
import {
  ReportViolation,
  ResourceValidation,
  ResourceValidationArgs,
  StackValidationArgs,
} from "@pulumi/policy";
import { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { ResourceType } from "./resource-types";

export type Props = Record<string, unknown>;
export type ResourceHandler = (
  props: Props,
  args: ResourceValidationArgs,
  report: ReportViolation,
) => void | Promise<void>;

/**
 * One validation function for several resource types. A single type also sets the analyzer's
 * fast-path tag, so other resources are answered "not applicable" without calling the policy.
 */
export function onTypes(handlers: Partial<Record<ResourceType, ResourceHandler>>): ResourceValidation {
  const types = Object.keys(handlers) as ResourceType[];
  const fn: ResourceValidation = (args, report) => {
    const handler = handlers[args.type as ResourceType];
    if (!handler) {
      return args.notApplicable(
        `Policy only applies to resources of type ${types.map((t) => `'${t}'`).join(", ")}`,
      );
    }
    if (isExempt(args, args.name, args.urn)) {
      return args.notApplicable(`resource "${args.name}" is listed in exemptResources`);
    }
    return handler(args.props as Props, args, report);
  };
  if (types.length === 1) {
    (fn as unknown as { __pulumiType: string }).__pulumiType = types[0];
  }
  return fn;
}

/** True when the policy's `exemptResources` config names this resource (by Pulumi name or URN). */
export function isExempt(
  args: ResourceValidationArgs | StackValidationArgs,
  name: string,
  urn: string,
): boolean {
  const list = (args.getConfig<{ exemptResources?: unknown }>() ?? {}).exemptResources;
  return Array.isArray(list) && (list.includes(name) || list.includes(urn));
}

/** The schema entry every policy in the pack shares. */
export const exemptResourcesSchema: PolicyConfigJSONSchema = {
  type: "array",
  items: { type: "string" },
  description: "Pulumi resource names or URNs this policy never reports (say why in the config file).",
  default: [],
};

/** The policy's config (`--policy-pack-config`) over its defaults. */
export function configOf<C extends object>(
  args: ResourceValidationArgs | StackValidationArgs,
  defaults: C,
): C {
  const given = (args.getConfig<Partial<C>>() ?? {}) as Partial<C>;
  const merged = { ...defaults } as C;
  for (const [k, v] of Object.entries(given)) {
    if (v !== undefined && v !== null) {
      (merged as Record<string, unknown>)[k] = v;
    }
  }
  return merged;
}

/** A JSON-schema property with its default, so the schema the CLI shows and the code agree. */
export function schemaProp(
  type: PolicyConfigJSONSchema["type"],
  description: string,
  defaultValue: unknown,
  extra: Partial<PolicyConfigJSONSchema> = {},
): PolicyConfigJSONSchema {
  return { type, description, default: defaultValue, ...extra } as PolicyConfigJSONSchema;
}

export function stringListSchema(description: string, defaultValue: string[]): PolicyConfigJSONSchema {
  return {
    type: "array",
    items: { type: "string" },
    description,
    default: defaultValue,
  } as PolicyConfigJSONSchema;
}

/** Quotes a value for a message; long values are shortened. */
export function q(v: unknown): string {
  const s = typeof v === "string" ? v : JSON.stringify(v);
  return s.length > 120 ? `"${s.slice(0, 117)}..."` : `"${s}"`;
}

/**
 * Where the account-fact policies read IAM facts from: the offline exports (else their env vars)
 * or, with explicit credentials, the live account within this deadline.
 */
export function accountFactsSchemaProps(liveTimeoutSeconds = 10) {
  return {
    inventoryFile: schemaProp(
      "string",
      "Path to `aws iam get-account-authorization-details` JSON (else $ML_PLATFORM_IAM_INVENTORY).",
      "",
    ),
    credentialReportFile: schemaProp(
      "string",
      "Path to the decoded credential report CSV (else $ML_PLATFORM_CREDENTIAL_REPORT).",
      "",
    ),
    liveTimeoutSeconds: schemaProp("integer", "Deadline for each live AWS call.", liveTimeoutSeconds, {
      minimum: 1,
    }),
  };
}

/** How every "could not check" diagnostic of the pack starts. */
export const NOT_CHECKED_PREFIX = "not checked: ";

/**
 * Reports that a check could not run, as a diagnostic whose message starts with `not checked: `.
 * Advisory (a real preview prints it as a warning) unless `atPolicyLevel`: then it is reported at
 * the policy's configured level (mandatory in prod with `requireAccountFacts: true`). The analyzer
 * takes a violation object as well as a message (its typings name only the message form).
 */
export function reportNotChecked(
  report: ReportViolation,
  reason: string,
  urn?: string,
  atPolicyLevel = false,
): void {
  const violation: { message: string; urn?: string; enforcementLevel?: string } = {
    message: NOT_CHECKED_PREFIX + reason,
    urn,
  };
  if (!atPolicyLevel) {
    violation.enforcementLevel = "advisory";
  }
  (report as unknown as (v: typeof violation) => void)(violation);
}

/** The schema entry of the account-fact policies that makes "no account facts" a violation. */
export function requireAccountFactsSchema(): PolicyConfigJSONSchema {
  return schemaProp(
    "boolean",
    "Report checks that could not run for want of account facts (no export, no credentials, a source that failed) at this policy's enforcement level instead of as advisories.",
    false,
  );
}

/** Why an unknown value could not be judged, and how to make it checkable. */
export function unknownReason(what: string): string {
  return (
    `${what} is unknown at preview (computed from another resource's output or an invoke without an answer). ` +
    "It becomes checkable when the value is built from parts known at preview (names, account, region), as our components do"
  );
}
