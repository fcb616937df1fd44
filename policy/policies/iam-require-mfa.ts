/**
 * iam-require-mfa.
 * In the stack: IAM users given console access (a login profile) must be covered by an MFA-enforcing
 * policy (on the user or a group it is in), and roles that IAM principals (the account root, users,
 * or anyone) may assume must require aws:MultiFactorAuthPresent in the trust policy.
 * In the account (from the inventory): the root user and every console user must have MFA.
 */
import { PolicyResource, ReportViolation, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import {
  Statement,
  conditionIsBoolean,
  conditionValues,
  globMatches,
  parsePolicyDocument,
  statementLabel,
} from "../lib/iam-document";
import { InventoryOptions, chooseInventory } from "../lib/inventory";
import { accountFactsSchemaProps, configOf, schemaProp, stringListSchema } from "../lib/policy-kit";
import { Unknown, prop, snapshot } from "../lib/props";
import { T } from "../lib/resource-types";
import { Keys, keysOfReference, keysOfResource, meets } from "../lib/stack-refs";

export interface RequireMfaConfig extends InventoryOptions {
  /** Also check the account's root user and console users (needs account facts). */
  checkAccount: boolean;
  /** IAM user names never reported (e.g. a documented break-glass user with a hardware key checked elsewhere). */
  exemptUsers: string[];
}

export const requireMfaDefaults: RequireMfaConfig = {
  checkAccount: true,
  exemptUsers: [],
  inventoryFile: "",
  credentialReportFile: "",
  liveTimeoutSeconds: 10,
};

const FIX_USER =
  "attach to the user (or a group it is in) a policy with a Deny statement on NotAction [the MFA self-service actions] " +
  'and Condition {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}';
const FIX_ROLE = 'add Condition {"Bool": {"aws:MultiFactorAuthPresent": "true"}} to the statement';

export function makeIamRequireMfa(): StackValidationPolicy {
  return {
    name: "iam-require-mfa",
    description:
      "Console users must be covered by an MFA-enforcing policy, roles assumable by IAM users or the account root must require MFA, and the account's root and console users must have MFA.",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      "Enforce MFA with a Deny-unless-aws:MultiFactorAuthPresent policy for console users, require aws:MultiFactorAuthPresent in trust policies for human principals, and enable MFA on the root user.",
    configSchema: {
      properties: {
        checkAccount: schemaProp(
          "boolean",
          "Also check the root user and console users of the account (needs account facts).",
          true,
        ),
        exemptUsers: stringListSchema("IAM user names never reported.", []),
        ...accountFactsSchemaProps(),
      },
    },
    validateStack: async (args, report) => validate(args, report),
  };
}

async function validate(args: StackValidationArgs, report: ReportViolation): Promise<void> {
  const cfg = configOf(args, requireMfaDefaults);
  const exempt = new Set(cfg.exemptUsers.map((u) => u.toLowerCase()));
  const state: { unknown?: Unknown } = {};
  const checkedInStack =
    checkConsoleUsers(args.resources, exempt, report, state) +
    checkTrustPolicies(args.resources, report, state);

  let accountSkipped: string | undefined;
  if (!cfg.checkAccount) {
    accountSkipped = "account checks are off (checkAccount: false)";
  } else {
    const choice = await chooseInventory(cfg);
    if ("unavailable" in choice) {
      accountSkipped = `account checks skipped: ${choice.unavailable}`;
    } else if (!choice.inventory.hasMfa) {
      accountSkipped = `account checks skipped: ${choice.inventory.description} has no MFA facts (give a credential report)`;
    } else {
      const inv = choice.inventory;
      try {
        const facts = await inv.getMfaFacts();
        const account = (await inv.accountId()) ?? "the target account";
        if (facts.rootMfaActive === false) {
          report(
            `root user of ${account} has no MFA device (source: ${inv.description}). Fix: enable MFA on the root user (a hardware or virtual MFA device) and stop using root credentials day to day.`,
          );
        }
        for (const user of facts.consoleUsersWithoutMfa) {
          if (!exempt.has(user.toLowerCase())) {
            report(
              `IAM user "${user}" of ${account} can sign in to the console but has no MFA device (source: ${inv.description}). Fix: assign an MFA device to the user, or remove the console password.`,
            );
          }
        }
      } catch (e) {
        accountSkipped = `account checks skipped: ${inv.description} failed: ${(e as Error).message}`;
      }
    }
  }

  if (state.unknown) {
    throw state.unknown.error;
  }
  if (accountSkipped && checkedInStack === 0) {
    args.notApplicable(`the stack has no console users or human-assumable roles, and ${accountSkipped}`);
  }
  if (accountSkipped) {
    // Stack findings (if any) are already reported; say why the account part did not run.
    args.notApplicable(accountSkipped);
  }
}

/** Returns how many login profiles were checked. */
function checkConsoleUsers(
  resources: PolicyResource[],
  exempt: Set<string>,
  report: ReportViolation,
  state: { unknown?: Unknown },
): number {
  const profiles = resources.filter((r) => r.type === T.iamUserLoginProfile);
  if (profiles.length === 0) {
    return 0;
  }
  const byUrn = (urn: string) => resources.find((r) => r.urn === urn);
  const enforcingPolicies: Keys[] = [];
  const coveredUsers: Keys[] = [];
  const coveredGroups: Keys[] = [];
  const memberships: { user: Keys; groups: Keys }[] = [];

  for (const r of resources) {
    switch (r.type) {
      case T.iamPolicy:
        if (enforcesMfa(prop(r.props, "policy"), state)) {
          enforcingPolicies.push(keysOfResource(r, ["name"]));
        }
        break;
      case T.iamUserPolicy:
        if (enforcesMfa(prop(r.props, "policy"), state)) {
          coveredUsers.push(keysOfReference(r, "user", resources).keys);
        }
        break;
      case T.iamGroupPolicy:
        if (enforcesMfa(prop(r.props, "policy"), state)) {
          coveredGroups.push(keysOfReference(r, "group", resources).keys);
        }
        break;
      case T.iamGroupMembership:
        memberships.push({
          user: keysOfReference(r, "users", resources).keys,
          groups: keysOfReference(r, "group", resources).keys,
        });
        break;
      case T.iamUserGroupMembership:
        memberships.push({
          user: keysOfReference(r, "user", resources).keys,
          groups: keysOfReference(r, "groups", resources).keys,
        });
        break;
    }
  }
  const isEnforcing = (r: PolicyResource) => {
    const ref = keysOfReference(r, "policyArn", resources).keys;
    return enforcingPolicies.some((p) => meets(p, ref));
  };
  for (const r of resources) {
    if (r.type === T.iamUserPolicyAttachment && isEnforcing(r)) {
      coveredUsers.push(keysOfReference(r, "user", resources).keys);
    } else if (r.type === T.iamGroupPolicyAttachment && isEnforcing(r)) {
      coveredGroups.push(keysOfReference(r, "group", resources).keys);
    } else if (r.type === T.iamPolicyAttachment && isEnforcing(r)) {
      coveredUsers.push(keysOfReference(r, "users", resources).keys);
      coveredGroups.push(keysOfReference(r, "groups", resources).keys);
    }
  }

  for (const profile of profiles) {
    const ref = keysOfReference(profile, "user", resources);
    const user = ref.keys;
    const name = [...user].find((k) => k.startsWith("name:"))?.slice(5) ?? profile.name;
    if (exempt.has(name)) {
      continue;
    }
    const direct = coveredUsers.some((c) => meets(c, user));
    const viaGroup = memberships.some(
      (m) => meets(m.user, user) && coveredGroups.some((g) => meets(g, m.groups)),
    );
    if (direct || viaGroup) {
      continue;
    }
    if (state.unknown) {
      continue; // an unknown document might be the enforcing one: the analyzer reports it can't judge
    }
    const userResource = (profile.propertyDependencies?.["user"] ?? [])
      .map((d) => byUrn(d.urn))
      .find((u) => u?.type === T.iamUser);
    report(
      `IAM user "${name}" has console access (UserLoginProfile "${profile.name}") but no MFA-enforcing policy applies to it. Fix: ${FIX_USER}.`,
      userResource?.urn ?? profile.urn,
    );
  }
  return profiles.length;
}

/** A document with a Deny on everything (Action "*" or NotAction) unless MFA is present. */
function enforcesMfa(doc: unknown, state: { unknown?: Unknown }): boolean {
  if (doc === undefined) {
    return false;
  }
  const parsed = parsePolicyDocument(doc);
  if (parsed.kind === "unknown") {
    state.unknown ??= parsed.marker;
    return false;
  }
  if (parsed.kind !== "ok") {
    return false;
  }
  return parsed.statements.some((s) => {
    if (s.effect !== "Deny") {
      return false;
    }
    const broad = s.notAction !== undefined || (Array.isArray(s.action) && s.action.some((a) => a === "*"));
    const mfaAbsent =
      conditionIsBoolean(conditionValues(s.condition, "BoolIfExists", "aws:MultiFactorAuthPresent"), false) ||
      conditionIsBoolean(conditionValues(s.condition, "Bool", "aws:MultiFactorAuthPresent"), false) ||
      conditionIsBoolean(conditionValues(s.condition, "Null", "aws:MultiFactorAuthAge"), true);
    return broad && mfaAbsent;
  });
}

/** Returns how many trust statements admitting IAM users or the account root were checked. */
function checkTrustPolicies(
  resources: PolicyResource[],
  report: ReportViolation,
  state: { unknown?: Unknown },
): number {
  let checked = 0;
  for (const r of resources) {
    if (r.type !== T.iamRole) {
      continue;
    }
    const raw = prop(r.props, "assumeRolePolicy");
    const parsed = parsePolicyDocument(raw);
    if (parsed.kind === "unknown") {
      state.unknown ??= parsed.marker;
      continue;
    }
    if (parsed.kind !== "ok") {
      continue; // a broken trust policy is rejected by AWS; nothing to say about MFA
    }
    for (const s of parsed.statements) {
      const humans = humanPrincipals(s);
      if (s.effect !== "Allow" || humans.length === 0 || !allowsAssumeRole(s)) {
        continue;
      }
      checked++;
      if (!conditionIsBoolean(conditionValues(s.condition, "Bool", "aws:MultiFactorAuthPresent"), true)) {
        report(
          `role "${r.name}" trust policy ${statementLabel(s)} lets ${humans.join(", ")} assume it without MFA. Fix: ${FIX_ROLE}.`,
          r.urn,
        );
      }
    }
  }
  return checked;
}

function allowsAssumeRole(s: Statement): boolean {
  if (s.notAction !== undefined) {
    return true;
  }
  return (
    Array.isArray(s.action) && s.action.some((a) => typeof a === "string" && globMatches(a, "sts:AssumeRole"))
  );
}

/** AWS principals that are people or may be: "*", the account root (ARN or bare account id), IAM users. */
function humanPrincipals(s: Statement): string[] {
  const p = snapshot(s.principal);
  if (p === "*") {
    return ['"*" (anyone)'];
  }
  if (p === null || typeof p !== "object" || p instanceof Unknown) {
    return [];
  }
  const aws = (p as Record<string, unknown>)["AWS"];
  const list = Array.isArray(aws) ? aws : aws === undefined ? [] : [aws];
  return list
    .filter((v): v is string => typeof v === "string")
    .filter((v) => v === "*" || /^\d{12}$/.test(v) || /^arn:[^:]+:iam::\d{12}:(root|user\/.+)$/.test(v))
    .map((v) => `"${v}"`);
}
