/**
 * iam-no-stale-roles: a role the stack uses but does not create must have been used recently.
 * "Uses" means any role-taking property in lib/role-references.ts (one table for SageMaker,
 * Lambda, EC2 instance profiles, Batch, ECS, Step Functions, EventBridge, ...) or an iam:PassRole
 * grant; an instance profile the stack does not create is judged by the roles it holds. Every
 * resource that uses a stale role is reported. With `scope: "account"`, every role in the account
 * is audited instead. Without account facts each use is reported `not checked: ` (at the policy's
 * level with `requireAccountFacts: true`).
 */
import { PolicyResource, ReportViolation, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { accountOf, roleNameOf } from "../lib/arn";
import { globMatches, parsePolicyDocument } from "../lib/iam-document";
import { AccountInventory, InventoryOptions, RoleFacts, RoleLookup, chooseInventory } from "../lib/inventory";
import {
  accountFactsSchemaProps,
  configOf,
  reportNotChecked,
  requireAccountFactsSchema,
  schemaProp,
  stringListSchema,
  unknownReason,
} from "../lib/policy-kit";
import { Unknown, readOrUndefined, stringProp, walkPath } from "../lib/props";
import { T } from "../lib/resource-types";
import { ROLE_REFERENCES, RoleReferenceKind } from "../lib/role-references";

export interface StaleRolesConfig extends InventoryOptions {
  maxUnusedDays: number;
  scope: "stack" | "account";
  exemptRoleNames: string[];
  /** "Not checked" for want of account facts is reported at the policy's level, not as an advisory. */
  requireAccountFacts: boolean;
}

export const staleRolesDefaults: StaleRolesConfig = {
  maxUnusedDays: 90,
  scope: "stack",
  exemptRoleNames: [],
  requireAccountFacts: false,
  inventoryFile: "",
  credentialReportFile: "",
  liveTimeoutSeconds: 10,
};

const POLICY_DOCUMENTS: Record<string, string[][]> = {
  [T.iamPolicy]: [["policy"]],
  [T.iamRolePolicy]: [["policy"]],
  [T.iamUserPolicy]: [["policy"]],
  [T.iamGroupPolicy]: [["policy"]],
  [T.iamRole]: [["inlinePolicies", "[]", "policy"]],
  [T.ssoadminPermissionSetInlinePolicy]: [["inlinePolicy"]],
};

/** One place where a resource uses a role (or an instance profile) the stack does not create. */
export interface RoleUse {
  readonly kind: RoleReferenceKind;
  /** The role's (or instance profile's) name. */
  readonly name: string;
  readonly ref: string;
  /** e.g. `roleArn of NotebookInstance "nb"`. */
  readonly where: string;
  readonly urn: string;
}

/** A role reference unknown at preview that comes from no resource of the stack (e.g. an invoke without an answer). */
export interface UntracedUse {
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
        requireAccountFacts: requireAccountFactsSchema(),
        ...accountFactsSchemaProps(staleRolesDefaults.liveTimeoutSeconds),
      },
    },
    validateStack: async (args, report) => validate(args, report, now()),
  };
}

async function validate(args: StackValidationArgs, report: ReportViolation, now: Date): Promise<void> {
  const cfg = configOf(args, staleRolesDefaults);
  // Read the export first: a file that cannot be parsed is an error (it throws), with or without roles.
  const choice = await chooseInventory(cfg);
  const factsLevel = cfg.requireAccountFacts;
  const exempt = new Set(cfg.exemptRoleNames.map((n) => n.toLowerCase()));
  const source = (inv: AccountInventory) => `source: ${inv.description}`;
  const maxDays = cfg.maxUnusedDays;

  if (cfg.scope === "account") {
    const inventory = roleFacts(choice);
    if (typeof inventory === "string") {
      reportNotChecked(report, `the account's roles (scope "account"): ${inventory}.`, undefined, factsLevel);
      return;
    }
    try {
      for (const role of await inventory.listRoles()) {
        if (role.path.startsWith("/aws-service-role/") || exempt.has(role.name.toLowerCase())) {
          continue;
        }
        const stale = staleness(role, now, maxDays);
        if (stale) {
          report(
            `account audit: role "${role.name}" (${role.arn}) ${stale} (${source(inventory)}). Fix: delete it if nobody needs it, or review what it can do.`,
          );
        }
      }
    } catch (e) {
      reportNotChecked(
        report,
        `the account's roles (scope "account"): ${inventory.description} failed: ${(e as Error).message}.`,
        undefined,
        factsLevel,
      );
    }
    return;
  }

  const found = externalRoleUses(args.resources);
  const uses = found.uses.filter((u) => u.kind !== "role" || !exempt.has(u.name.toLowerCase()));
  for (const u of found.untraced) {
    reportNotChecked(
      report,
      `${u.where}: ${unknownReason("the role reference")}, and it comes from no resource of this stack, so whether it names a stale role cannot be judged.`,
      u.urn,
    );
  }
  if (uses.length === 0) {
    if (found.untraced.length === 0) {
      args.notApplicable("the stack uses no IAM role that it does not create");
    }
    return;
  }
  const inventory = roleFacts(choice);
  if (typeof inventory === "string") {
    for (const use of uses) {
      reportNotChecked(
        report,
        `${use.kind === "role" ? "role" : "instance profile"} "${use.name}" (${use.where}) is not created by this stack, and when it was last used cannot be checked: ${inventory}.`,
        use.urn,
        factsLevel,
      );
    }
    return;
  }
  const account = await inventory.accountId().catch(() => undefined);
  const roleCache = new Map<string, Promise<RoleLookup>>();
  const lookup = (name: string) => {
    const key = name.toLowerCase();
    let r = roleCache.get(key);
    if (!r) {
      r = inventory.getRole(name);
      roleCache.set(key, r);
    }
    return r;
  };
  const fix =
    "Fix: create a role for this workload in the stack, scoped to exactly what it needs, or confirm the role is still wanted and exempt it.";
  for (const use of uses) {
    const refAccount = accountOf(use.ref);
    if (refAccount && account && refAccount !== account) {
      continue; // another account's role: this account's facts cannot judge it
    }
    try {
      if (use.kind === "instanceProfile") {
        const profile = await inventory.getInstanceProfile(use.name);
        if ("missing" in profile) {
          report(
            `instance profile "${use.name}" (${use.where}) is not in the account according to ${inventory.description}. Fix: create the instance profile and its role in this stack, or correct the reference.`,
            use.urn,
          );
          continue;
        }
        for (const roleName of profile.found.roles) {
          if (exempt.has(roleName.toLowerCase())) {
            continue;
          }
          const role = await lookup(roleName);
          const stale = "found" in role ? staleness(role.found, now, maxDays) : undefined;
          if (stale) {
            report(
              `role "${roleName}" (in instance profile "${use.name}", ${use.where}) is not created by this stack and ${stale} (${source(inventory)}). ${fix}`,
              use.urn,
            );
          }
        }
        continue;
      }
      const role = await lookup(use.name);
      if ("missing" in role) {
        report(
          `role "${use.name}" (${use.where}) is not in the account according to ${inventory.description}. ` +
            "Fix: create the role in this stack, or correct the reference.",
          use.urn,
        );
        continue;
      }
      const stale = staleness(role.found, now, maxDays);
      if (stale) {
        report(
          `role "${use.name}" (${use.where}) is not created by this stack and ${stale} (${source(inventory)}). ${fix}`,
          use.urn,
        );
      }
    } catch (e) {
      reportNotChecked(
        report,
        `role "${use.name}" (${use.where}): ${inventory.description} failed: ${(e as Error).message}.`,
        use.urn,
        factsLevel,
      );
    }
  }
}

/** The inventory when it has role facts, else why not. */
function roleFacts(choice: Awaited<ReturnType<typeof chooseInventory>>): AccountInventory | string {
  if ("unavailable" in choice) {
    return choice.unavailable;
  }
  if (!choice.inventory.hasRoles) {
    return `${choice.inventory.description} has no role facts (give an authorization-details export)`;
  }
  return choice.inventory;
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

/**
 * Roles (and instance profiles) referenced by known name or ARN that no resource of this stack
 * creates, one entry per resource and role, so every resource that uses a stale role is reported.
 * Each element of a list is judged on its own: a known name is the stack's only when the stack
 * creates a role of that name (an unknown element next to it is the stack's own role, and exempts
 * nothing else). An unknown reference is a role of this stack when it comes from a resource of the
 * stack; else (e.g. an invoke the preview could not answer) it is returned as untraced.
 */
export function externalRoleUses(resources: PolicyResource[]): { uses: RoleUse[]; untraced: UntracedUse[] } {
  const createdNames = (type: string) =>
    new Set(
      resources
        .filter((r) => r.type === type)
        .map((r) => stringProp(r.props, "name"))
        .filter((n): n is string => !!n)
        .map((n) => n.toLowerCase()),
    );
  const created = { role: createdNames(T.iamRole), instanceProfile: createdNames(T.iamInstanceProfile) };
  const uses: RoleUse[] = [];
  const untraced: UntracedUse[] = [];
  const seen = new Set<string>();
  const consider = (
    r: PolicyResource,
    ref: unknown,
    kind: RoleReferenceKind,
    where: string,
    property: string,
  ) => {
    const at = `${where} of ${r.type.split(":").pop()} "${r.name}"`;
    if (ref instanceof Unknown) {
      const deps = readOrUndefined(() => r.propertyDependencies[property]) ?? [];
      if (deps.length === 0) {
        untraced.push({ where: at, urn: r.urn });
      }
      return; // an unknown reference from a resource of this stack is that resource's role
    }
    if (typeof ref !== "string" || ref === "") {
      return;
    }
    const name = kind === "role" ? roleNameOf(ref) : instanceProfileNameOf(ref);
    if (!name || created[kind].has(name.toLowerCase())) {
      return;
    }
    const key = `${r.urn}|${kind}|${name.toLowerCase()}`;
    if (seen.has(key)) {
      return;
    }
    seen.add(key);
    uses.push({ kind, name, ref, where: at, urn: r.urn });
  };
  for (const r of resources) {
    for (const spec of ROLE_REFERENCES[r.type] ?? []) {
      for (const f of walkPath(r.props, spec.path)) {
        consider(r, f.value, spec.kind, spec.path.filter((p) => p !== "[]").join("."), spec.path[0]);
      }
    }
    for (const path of POLICY_DOCUMENTS[r.type] ?? []) {
      for (const f of walkPath(r.props, path)) {
        for (const arn of passRoleTargets(f.value)) {
          consider(r, arn, "role", "iam:PassRole resource", path[0]);
        }
      }
    }
  }
  return { uses, untraced };
}

/** The instance profile name of a name or an `arn:...:instance-profile/path/name` ARN. */
function instanceProfileNameOf(ref: string): string | undefined {
  const m = /^arn:[^:]+:iam::\d*:instance-profile\/(?:.*\/)?([^/]+)$/.exec(ref);
  if (m) {
    return m[1];
  }
  return ref.startsWith("arn:") ? undefined : /^[\w+=,.@-]{1,128}$/.test(ref) ? ref : undefined;
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
