/**
 * iam-no-stale-roles: a role the stack uses but does not create must have been used recently.
 * "Uses" means any role-taking property (notebook, training and tuning jobs, model, endpoint config,
 * Lambda, instance profile, autoscaling target, role policies and attachments) or an iam:PassRole
 * grant. With `scope: "account"`, every role in the account is audited instead.
 */
import { PolicyResource, ReportViolation, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { accountOf, roleNameOf } from "../lib/arn";
import { globMatches, parsePolicyDocument } from "../lib/iam-document";
import { AccountInventory, InventoryOptions, RoleFacts, chooseInventory } from "../lib/inventory";
import { accountFactsSchemaProps, configOf, schemaProp, stringListSchema } from "../lib/policy-kit";
import { Unknown, prop, snapshot, stringProp } from "../lib/props";
import { T } from "../lib/resource-types";

export interface StaleRolesConfig extends InventoryOptions {
  maxUnusedDays: number;
  scope: "stack" | "account";
  exemptRoleNames: string[];
}

export const staleRolesDefaults: StaleRolesConfig = {
  maxUnusedDays: 90,
  scope: "stack",
  exemptRoleNames: [],
  inventoryFile: "",
  credentialReportFile: "",
  liveTimeoutSeconds: 10,
};

/** Where each resource type takes a role, as a path of property names ("[]" walks a list). */
const ROLE_PROPERTIES: Record<string, string[][]> = {
  [T.sagemakerNotebookInstance]: [["roleArn"]],
  [T.sagemakerTrainingJob]: [["roleArn"]],
  [T.sagemakerModel]: [["executionRoleArn"]],
  [T.sagemakerEndpointConfiguration]: [["executionRoleArn"]],
  [T.sagemakerHyperParameterTuningJob]: [
    ["trainingJobDefinition", "roleArn"],
    ["trainingJobDefinitions", "[]", "roleArn"],
  ],
  [T.lambdaFunction]: [["role"]],
  [T.iamInstanceProfile]: [["role"]],
  [T.appautoscalingTarget]: [["roleArn"]],
  [T.iamRolePolicy]: [["role"]],
  [T.iamRolePolicyAttachment]: [["role"]],
  [T.iamPolicyAttachment]: [["roles", "[]"]],
  [T.iamRolePolicyAttachmentsExclusive]: [["roleName"]],
};

const POLICY_DOCUMENTS: Record<string, string> = {
  [T.iamPolicy]: "policy",
  [T.iamRolePolicy]: "policy",
  [T.iamUserPolicy]: "policy",
  [T.iamGroupPolicy]: "policy",
};

interface RoleUse {
  readonly name: string;
  readonly ref: string;
  readonly where: string;
  readonly urn: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export function makeIamNoStaleRoles(now: () => Date = () => new Date()): StackValidationPolicy {
  return {
    name: "iam-no-stale-roles",
    description:
      'Roles the stack uses but does not create must have been used within maxUnusedDays (or, with scope "account", every role in the account).',
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Create a role for this workload in the stack, scoped to what it needs, instead of reusing an old role; delete roles nobody uses.",
    configSchema: {
      properties: {
        maxUnusedDays: schemaProp(
          "integer",
          "Days without use after which a role is stale.",
          staleRolesDefaults.maxUnusedDays,
          { minimum: 1 },
        ),
        scope: schemaProp(
          "string",
          '"stack": roles this stack uses; "account": every role in the account (audit).',
          staleRolesDefaults.scope,
          {
            enum: ["stack", "account"],
          },
        ),
        exemptRoleNames: stringListSchema("Role names never reported.", staleRolesDefaults.exemptRoleNames),
        ...accountFactsSchemaProps(staleRolesDefaults.liveTimeoutSeconds),
      },
    },
    validateStack: async (args, report) => validate(args, report, now()),
  };
}

async function validate(args: StackValidationArgs, report: ReportViolation, now: Date): Promise<void> {
  const cfg = configOf(args, staleRolesDefaults);
  const exempt = new Set(cfg.exemptRoleNames.map((n) => n.toLowerCase()));
  const uses =
    cfg.scope === "account"
      ? []
      : externalRoleUses(args.resources).filter((u) => !exempt.has(u.name.toLowerCase()));
  if (cfg.scope !== "account" && uses.length === 0) {
    args.notApplicable("the stack uses no IAM role that it does not create");
  }

  const choice = await chooseInventory(cfg);
  const subject = cfg.scope === "account" ? "the account's roles" : `roles ${names(uses)}`;
  if ("unavailable" in choice) {
    args.notApplicable(`cannot check ${subject}: ${choice.unavailable}`);
  }
  const inventory = (choice as { inventory: AccountInventory }).inventory;
  if (!inventory.hasRoles) {
    args.notApplicable(
      `cannot check ${subject}: ${inventory.description} has no role facts (give an authorization-details export)`,
    );
  }
  const source = `source: ${inventory.description}`;
  const maxDays = cfg.maxUnusedDays;

  try {
    if (cfg.scope === "account") {
      for (const role of await inventory.listRoles()) {
        if (role.path.startsWith("/aws-service-role/") || exempt.has(role.name.toLowerCase())) {
          continue;
        }
        const stale = staleness(role, now, maxDays);
        if (stale) {
          report(
            `account audit: role "${role.name}" (${role.arn}) ${stale} (${source}). Fix: delete it if nobody needs it, or review what it can do.`,
          );
        }
      }
      return;
    }
    const account = await inventory.accountId();
    const seen = new Set<string>();
    for (const use of uses) {
      const key = use.name.toLowerCase();
      if (seen.has(key)) {
        continue;
      }
      seen.add(key);
      const refAccount = accountOf(use.ref);
      if (refAccount && account && refAccount !== account) {
        continue; // another account's role: this account's facts cannot judge it
      }
      const found = await inventory.getRole(use.name);
      if ("missing" in found) {
        report(
          `role "${use.name}" (${use.where}) is not in the account according to ${inventory.description}. ` +
            "Fix: create the role in this stack, or correct the reference.",
          use.urn,
        );
        continue;
      }
      const stale = staleness(found.found, now, maxDays);
      if (stale) {
        report(
          `role "${use.name}" (${use.where}) is not created by this stack and ${stale} (${source}). ` +
            "Fix: create a role for this workload in the stack, scoped to exactly what it needs, or confirm the role is still wanted and exempt it.",
          use.urn,
        );
      }
    }
  } catch (e) {
    args.notApplicable(`cannot check ${subject}: ${inventory.description} failed: ${(e as Error).message}`);
  }
}

/** Why a role is stale, or undefined when it is not. */
function staleness(role: RoleFacts, now: Date, maxDays: number): string | undefined {
  if (role.lastUsed) {
    const days = Math.floor((now.getTime() - role.lastUsed.getTime()) / DAY_MS);
    return days > maxDays
      ? `was last used ${days} days ago (${role.lastUsed.toISOString().slice(0, 10)}${role.lastUsedRegion ? `, ${role.lastUsedRegion}` : ""}), more than maxUnusedDays ${maxDays}`
      : undefined;
  }
  const age = Math.floor((now.getTime() - role.createDate.getTime()) / DAY_MS);
  return age > maxDays
    ? `has no recorded use since it was created ${age} days ago (${role.createDate.toISOString().slice(0, 10)}), more than maxUnusedDays ${maxDays}`
    : undefined;
}

/** Roles referenced by known name or ARN that no Role resource of this stack creates. */
export function externalRoleUses(resources: PolicyResource[]): RoleUse[] {
  const roles = resources.filter((r) => r.type === T.iamRole);
  const createdNames = new Set(
    roles
      .map((r) => stringProp(r.props, "name"))
      .filter((n): n is string => !!n)
      .map((n) => n.toLowerCase()),
  );
  const createdUrns = new Set(roles.map((r) => r.urn));
  const uses: RoleUse[] = [];
  const consider = (r: PolicyResource, ref: unknown, where: string, property?: string) => {
    if (typeof ref !== "string" || ref === "") {
      return; // unknown or absent: an unknown role reference is the output of a resource in this stack
    }
    const name = roleNameOf(ref);
    if (!name || createdNames.has(name.toLowerCase())) {
      return;
    }
    const deps = property ? (r.propertyDependencies?.[property] ?? []) : [];
    if (deps.some((d) => createdUrns.has(d.urn))) {
      return;
    }
    uses.push({ name, ref, where: `${where} of ${r.type.split(":").pop()} "${r.name}"`, urn: r.urn });
  };
  for (const r of resources) {
    for (const pathSpec of ROLE_PROPERTIES[r.type] ?? []) {
      for (const value of walk(r.props, pathSpec)) {
        consider(r, value, pathSpec.filter((p) => p !== "[]").join("."), pathSpec[0]);
      }
    }
    const docField = POLICY_DOCUMENTS[r.type];
    const docs: unknown[] = docField ? [prop(r.props, docField)] : [];
    if (r.type === T.iamRole) {
      for (const item of walk(r.props, ["inlinePolicies", "[]", "policy"])) {
        docs.push(item);
      }
    }
    for (const doc of docs) {
      for (const arn of passRoleTargets(doc)) {
        consider(r, arn, "iam:PassRole resource");
      }
    }
  }
  return uses;
}

function walk(props: unknown, pathSpec: string[]): unknown[] {
  let current: unknown[] = [snapshot(props)];
  for (const step of pathSpec) {
    const next: unknown[] = [];
    for (const c of current) {
      if (c instanceof Unknown || c === null || typeof c !== "object") {
        continue;
      }
      if (step === "[]") {
        if (Array.isArray(c)) {
          next.push(...c);
        }
      } else {
        next.push((c as Record<string, unknown>)[step]);
      }
    }
    current = next;
  }
  return current;
}

/** Role ARNs that Allow statements grant iam:PassRole on (wildcard ARNs are not a single role and are skipped). */
function passRoleTargets(doc: unknown): string[] {
  if (doc === undefined || doc instanceof Unknown) {
    return [];
  }
  const parsed = parsePolicyDocument(doc);
  if (parsed.kind !== "ok") {
    return [];
  }
  const out: string[] = [];
  for (const s of parsed.statements) {
    if (s.effect !== "Allow" || !Array.isArray(s.action)) {
      continue;
    }
    const passes = s.action.some((a) => typeof a === "string" && globMatches(a, "iam:PassRole"));
    if (!passes || !Array.isArray(s.resource)) {
      continue;
    }
    for (const r of s.resource) {
      if (
        typeof r === "string" &&
        !r.includes("*") &&
        !r.includes("?") &&
        roleNameOf(r) &&
        r.startsWith("arn:")
      ) {
        out.push(r);
      }
    }
  }
  return out;
}

function names(uses: RoleUse[]): string {
  return [...new Set(uses.map((u) => `"${u.name}"`))].join(", ");
}
