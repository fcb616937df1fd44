/**
 * iam-require-mfa.
 * In the stack: IAM users given console access (a login profile) must be covered by an MFA-enforcing
 * policy (on the user, or a group it is in; in the stack or, for users and groups that already
 * exist, in the account's authorization-details export), and roles that IAM principals (the account
 * root, users, or anyone) may assume must require MFA in the trust policy: on the Allow statement,
 * or by a Deny of sessions without MFA in the same trust policy.
 * In the account (credential report or live): the root user and every console user must have MFA.
 * What each condition means for MFA is in lib/mfa.ts, with AWS's documentation.
 *
 * Every user and every trust statement is judged on its own: a value unknown at preview makes only
 * the verdicts that depend on it "not checked".
 */
import { PolicyResource, ReportViolation, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { awsManagedPolicyPath } from "../lib/arn";
import { Statement, parsePolicyDocument, statementLabel } from "../lib/iam-document";
import { AccountInventory, InventoryOptions, chooseInventory } from "../lib/inventory";
import { DenyCoverage, allowRequiresMfa, coversAssumeRole, denyWithoutMfa, enforcement } from "../lib/mfa";
import {
  accountFactsSchemaProps,
  configOf,
  reportNotChecked,
  requireAccountFactsSchema,
  schemaProp,
  stringListSchema,
  unknownReason,
} from "../lib/policy-kit";
import { Unknown, prop, readOrUndefined, snapshot, walkPath } from "../lib/props";
import { T } from "../lib/resource-types";
import { Keys, keysOfReference, keysOfResource, meets } from "../lib/stack-refs";

export interface RequireMfaConfig extends InventoryOptions {
  /** Also check the account's root user and console users (needs account facts). */
  checkAccount: boolean;
  /** IAM user names never reported (e.g. a documented break-glass user with a hardware key checked elsewhere). */
  exemptUsers: string[];
  /** "Not checked" for want of account facts is reported at the policy's level, not as an advisory. */
  requireAccountFacts: boolean;
}

export const requireMfaDefaults: RequireMfaConfig = {
  checkAccount: true,
  exemptUsers: [],
  requireAccountFacts: false,
  inventoryFile: "",
  credentialReportFile: "",
  liveTimeoutSeconds: 10,
};

const FIX_USER =
  "attach to the user (or a group it is in) a policy with a Deny statement on NotAction [the MFA self-service actions] " +
  'and Condition {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}';
const FIX_ROLE =
  'add Condition {"Bool": {"aws:MultiFactorAuthPresent": "true"}} to the statement (BoolIfExists does not require MFA for long-term access keys)';

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
          requireMfaDefaults.checkAccount,
        ),
        exemptUsers: stringListSchema("IAM user names never reported.", requireMfaDefaults.exemptUsers),
        requireAccountFacts: requireAccountFactsSchema(),
        ...accountFactsSchemaProps(requireMfaDefaults.liveTimeoutSeconds),
      },
    },
    validateStack: async (args, report) => validate(args, report),
  };
}

type Choice = Awaited<ReturnType<typeof chooseInventory>>;

interface Outcome {
  readonly message: string;
  readonly urn?: string;
  /** "advisory": could not check for an unknown value; "facts": could not check for want of account facts. */
  readonly notChecked?: "advisory" | "facts";
}

async function validate(args: StackValidationArgs, report: ReportViolation): Promise<void> {
  const cfg = configOf(args, requireMfaDefaults);
  // Read the exports first: a file that cannot be parsed is an error (it throws), with or without users.
  const choice = await chooseInventory(cfg);
  const exempt = new Set(cfg.exemptUsers.map((u) => u.toLowerCase()));
  const out: Outcome[] = [];
  const checked =
    (await checkConsoleUsers(args.resources, exempt, choice, out)) + checkTrustPolicies(args.resources, out);

  let accountSkipped: string | undefined;
  if (!cfg.checkAccount) {
    accountSkipped = "account checks are off (checkAccount: false)";
  } else if ("unavailable" in choice) {
    out.push({
      message: `the account's root user and console users: ${choice.unavailable}.`,
      notChecked: "facts",
    });
  } else if (!choice.inventory.hasMfa) {
    out.push({
      message: `the account's root user and console users: ${choice.inventory.description} has no MFA facts (give a credential report).`,
      notChecked: "facts",
    });
  } else {
    await checkAccount(choice.inventory, exempt, out);
  }

  for (const o of out) {
    if (o.notChecked) {
      reportNotChecked(report, o.message, o.urn, o.notChecked === "facts" && cfg.requireAccountFacts);
    } else {
      report(o.message, o.urn);
    }
  }
  if (out.length === 0 && checked === 0 && accountSkipped) {
    args.notApplicable(`the stack has no console users or human-assumable roles, and ${accountSkipped}`);
  }
}

async function checkAccount(inv: AccountInventory, exempt: Set<string>, out: Outcome[]): Promise<void> {
  try {
    const facts = await inv.getMfaFacts();
    const account = (await inv.accountId()) ?? "the target account";
    if (facts.rootMfaActive === false) {
      out.push({
        message: `root user of ${account} has no MFA device (source: ${inv.description}). Fix: enable MFA on the root user (a hardware or virtual MFA device) and stop using root credentials day to day.`,
      });
    }
    for (const user of facts.consoleUsersWithoutMfa) {
      if (!exempt.has(user.toLowerCase())) {
        out.push({
          message: `IAM user "${user}" of ${account} can sign in to the console but has no MFA device (source: ${inv.description}). Fix: assign an MFA device to the user, or remove the console password.`,
        });
      }
    }
  } catch (e) {
    out.push({
      message: `the account's root user and console users: ${inv.description} failed: ${(e as Error).message}.`,
      notChecked: "facts",
    });
  }
}

/** What a policy, or a set of policies, does for MFA on the principal it applies to. */
interface Coverage {
  coverage: DenyCoverage;
  /** Reasons a stronger coverage could not be ruled out (unknown values, missing facts). */
  unknown: string[];
  facts: string[];
}

function combine(into: Coverage, c: Coverage): void {
  if (c.coverage === "all" || (c.coverage === "console" && into.coverage === "none")) {
    into.coverage = c.coverage;
  }
  into.unknown.push(...c.unknown);
  into.facts.push(...c.facts);
}

function documentCoverage(doc: unknown, what: string): Coverage {
  if (doc instanceof Unknown) {
    return { coverage: "none", unknown: [unknownReason(what)], facts: [] };
  }
  const parsed = parsePolicyDocument(doc);
  if (parsed.kind === "unknown") {
    return { coverage: "none", unknown: [unknownReason(what)], facts: [] };
  }
  if (parsed.kind !== "ok") {
    return { coverage: "none", unknown: [], facts: [] };
  }
  const v = enforcement(parsed.statements, parsed.unknownStatements);
  return { coverage: v.coverage, unknown: v.unknown ? [unknownReason(`part of ${what}`)] : [], facts: [] };
}

interface Principal {
  keys: Keys;
  /** The reference is unknown and comes from no resource of the stack: it might be anyone. */
  untraced: boolean;
  where: string;
}

function reference(r: PolicyResource, property: string, resources: PolicyResource[]): Principal {
  const ref = keysOfReference(r, property, resources);
  const deps = readOrUndefined(() => r.propertyDependencies[property]) ?? [];
  return {
    keys: ref.keys,
    untraced: !!ref.unknown && deps.length === 0,
    where: `${property} of ${label(r)}`,
  };
}

function label(r: PolicyResource): string {
  return `${r.type.split(":").pop()} "${r.name}"`;
}

/** Returns how many login profiles were checked. */
async function checkConsoleUsers(
  resources: PolicyResource[],
  exempt: Set<string>,
  choice: Choice,
  out: Outcome[],
): Promise<number> {
  const profiles = resources.filter((r) => r.type === T.iamUserLoginProfile);
  if (profiles.length === 0) {
    return 0;
  }
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const stackPolicies = resources
    .filter((r) => r.type === T.iamPolicy)
    .map((r) => ({ keys: keysOfResource(r, ["name", "arn"]), r }));
  const users = resources.filter((r) => r.type === T.iamUser).map((r) => ({ r, keys: keysOfResource(r) }));
  const groups = resources.filter((r) => r.type === T.iamGroup).map((r) => ({ r, keys: keysOfResource(r) }));

  /** What attaching this managed policy (by ARN, or through the property's dependencies) does. */
  const attached = async (r: PolicyResource, property: string): Promise<Coverage> => {
    const c: Coverage = { coverage: "none", unknown: [], facts: [] };
    const ref = keysOfReference(r, property, resources);
    const policies = stackPolicies.filter((p) => meets(p.keys, ref.keys));
    for (const p of policies) {
      combine(c, documentCoverage(prop(p.r.props, "policy"), `the document of Policy "${p.r.name}"`));
    }
    const arns = walkPath(r.props, [
      property,
      ...(Array.isArray(snapshot(prop(r.props, property))) ? ["[]"] : []),
    ]);
    for (const f of arns) {
      if (f.value instanceof Unknown) {
        if (policies.length === 0) {
          c.unknown.push(unknownReason(`the policy ARN (${f.where} of ${label(r)})`));
        }
      } else if (
        typeof f.value === "string" &&
        policies.length === 0 &&
        /:iam::\d{12}:policy\//.test(f.value)
      ) {
        combine(c, await accountPolicy(f.value));
      }
    }
    return c;
  };

  const accountPolicy = async (arn: string): Promise<Coverage> => {
    if (awsManagedPolicyPath(arn)) {
      // AWS-managed policies grant; none of them denies requests without MFA.
      return { coverage: "none", unknown: [], facts: [] };
    }
    const inv = inventoryOf(choice);
    if (typeof inv === "string") {
      return { coverage: "none", unknown: [], facts: [`the customer-managed policy ${arn}: ${inv}`] };
    }
    const found = await inv.getPolicy(arn);
    if ("missing" in found) {
      return { coverage: "none", unknown: [], facts: [] };
    }
    if (found.found.document === undefined) {
      return {
        coverage: "none",
        unknown: [],
        facts: [`${inv.description} lists ${arn} without its versions`],
      };
    }
    return documentCoverage(found.found.document, `the default version of ${arn}`);
  };

  /** Policies that apply to a principal of the account (a user or group the stack does not create). */
  const accountPrincipal = async (
    kind: "user" | "group",
    name: string,
  ): Promise<Coverage & { groups: string[] }> => {
    const c = {
      coverage: "none" as DenyCoverage,
      unknown: [] as string[],
      facts: [] as string[],
      groups: [] as string[],
    };
    const inv = inventoryOf(choice);
    if (typeof inv === "string") {
      c.facts.push(`the policies of the existing ${kind} "${name}": ${inv}`);
      return c;
    }
    const found = kind === "user" ? await inv.getUser(name) : await inv.getGroup(name);
    if ("missing" in found) {
      return c;
    }
    for (const p of found.found.inlinePolicies) {
      combine(c, documentCoverage(p.document, `inline policy ${p.name}`));
    }
    for (const arn of found.found.attachedPolicyArns) {
      combine(c, await accountPolicy(arn));
    }
    if ("groups" in found.found) {
      c.groups = (found.found as { groups: string[] }).groups;
    }
    return c;
  };

  /** Everything the stack attaches to principals matching `target` (a user's or a group's keys). */
  const stackCoverage = async (target: Keys, kind: "user" | "group"): Promise<Coverage> => {
    const c: Coverage = { coverage: "none", unknown: [], facts: [] };
    for (const r of resources) {
      const spec = COVERING[kind][r.type];
      if (!spec) {
        continue;
      }
      const who = reference(r, spec.principal, resources);
      const applies = meets(who.keys, target);
      if (!applies && !who.untraced) {
        continue;
      }
      const what = spec.document
        ? documentCoverage(prop(r.props, spec.document), `the document of ${label(r)}`)
        : await attached(r, spec.policy!);
      if (applies) {
        combine(c, what);
      } else if (what.coverage !== "none" || what.unknown.length > 0) {
        // The reference is unknown and untraceable: this enforcing policy might be the user's.
        c.unknown.push(unknownReason(`${who.where}, which attaches an MFA-enforcing policy,`));
      }
    }
    return c;
  };

  let checked = 0;
  for (const profile of profiles) {
    const ref = reference(profile, "user", resources);
    const userResource =
      users.find((u) => meets(u.keys, ref.keys)) ??
      (readOrUndefined(() => profile.propertyDependencies["user"]) ?? [])
        .map((d) => byUrn.get(d.urn))
        .filter((u): u is PolicyResource => u?.type === T.iamUser)
        .map((r) => ({ r, keys: keysOfResource(r) }))[0];
    const userKeys = new Set([...ref.keys, ...(userResource?.keys ?? [])]);
    const name =
      [...userKeys].find((k) => k.startsWith("name:"))?.slice(5) ??
      readOrUndefined(() => userResource?.r.name) ??
      profile.name;
    if (exempt.has(name)) {
      continue;
    }
    checked++;
    const urn = userResource?.r.urn ?? profile.urn;
    if (ref.untraced) {
      out.push({
        urn: profile.urn,
        notChecked: "advisory",
        message: `${label(profile)}: ${unknownReason("the user")}.`,
      });
      continue;
    }
    const total: Coverage = { coverage: "none", unknown: [], facts: [] };
    combine(total, await stackCoverage(userKeys, "user"));
    // Groups: from the stack's memberships, and (for a user the stack does not create) the account's.
    const groupKeys: Keys[] = [];
    for (const r of resources) {
      if (r.type === T.iamGroupMembership && meets(reference(r, "users", resources).keys, userKeys)) {
        groupKeys.push(reference(r, "group", resources).keys);
      } else if (
        r.type === T.iamUserGroupMembership &&
        meets(reference(r, "user", resources).keys, userKeys)
      ) {
        for (const f of walkPath(r.props, ["groups", "[]"])) {
          if (typeof f.value === "string") {
            groupKeys.push(new Set([`name:${f.value.toLowerCase()}`]));
          }
        }
        const deps = readOrUndefined(() => r.propertyDependencies["groups"]) ?? [];
        for (const d of deps) {
          groupKeys.push(new Set([`urn:${d.urn}`]));
        }
        if (
          walkPath(r.props, ["groups", "[]"]).some((f) => f.value instanceof Unknown) &&
          deps.length === 0
        ) {
          total.unknown.push(unknownReason(`groups of ${label(r)}`));
        }
      }
    }
    if (!userResource && typeof name === "string") {
      const acct = await accountPrincipal("user", name);
      combine(total, acct);
      groupKeys.push(...acct.groups.map((g) => new Set([`name:${g.toLowerCase()}`])));
    }
    for (const g of groupKeys) {
      combine(total, await stackCoverage(g, "group"));
      const created = groups.find((x) => meets(x.keys, g));
      const groupName = [...g].find((k) => k.startsWith("name:"))?.slice(5);
      if (!created && groupName) {
        combine(total, await accountPrincipal("group", groupName));
      }
    }
    const accessKeys = resources.filter(
      (r) => r.type === T.iamAccessKey && meets(reference(r, "user", resources).keys, userKeys),
    );
    if (total.coverage === "all" || (total.coverage === "console" && accessKeys.length === 0)) {
      continue;
    }
    if (total.unknown.length > 0 || total.facts.length > 0) {
      const why = [...new Set([...total.unknown, ...total.facts])].join("; ");
      out.push({
        urn,
        notChecked: total.unknown.length > 0 ? "advisory" : "facts",
        message: `whether IAM user "${name}" (console access through ${label(profile)}) is covered by an MFA-enforcing policy: ${why}.`,
      });
      continue;
    }
    const consoleOnly =
      total.coverage === "console"
        ? ` Its Deny uses Bool aws:MultiFactorAuthPresent "false", which does not deny requests signed with the access key(s) the stack creates for it (${accessKeys.map(label).join(", ")}): the key is absent for long-term credentials.`
        : "";
    out.push({
      urn,
      message: `IAM user "${name}" has console access (${label(profile)}) but no MFA-enforcing policy applies to it.${consoleOnly} Fix: ${FIX_USER}.`,
    });
  }
  return checked;
}

/** Which resources attach policies to a user or a group, by which property, and with what. */
const COVERING: Record<
  "user" | "group",
  Record<string, { principal: string; document?: string; policy?: string }>
> = {
  user: {
    [T.iamUserPolicy]: { principal: "user", document: "policy" },
    [T.iamUserPolicyAttachment]: { principal: "user", policy: "policyArn" },
    [T.iamPolicyAttachment]: { principal: "users", policy: "policyArn" },
    [T.iamUserPolicyAttachmentsExclusive]: { principal: "userName", policy: "policyArns" },
  },
  group: {
    [T.iamGroupPolicy]: { principal: "group", document: "policy" },
    [T.iamGroupPolicyAttachment]: { principal: "group", policy: "policyArn" },
    [T.iamPolicyAttachment]: { principal: "groups", policy: "policyArn" },
    [T.iamGroupPolicyAttachmentsExclusive]: { principal: "groupName", policy: "policyArns" },
  },
};

function inventoryOf(choice: Choice): AccountInventory | string {
  if ("unavailable" in choice) {
    return choice.unavailable;
  }
  if (!choice.inventory.hasPolicies) {
    return `${choice.inventory.description} has no users, groups or policies (give an authorization-details export)`;
  }
  return choice.inventory;
}

/** A principal of a trust statement that is, or may be, a person. */
interface Human {
  readonly shown: string;
  /** Unknown at preview and not traceable to a resource of the stack. */
  readonly unknown?: Unknown;
}

/** Returns how many trust statements admitting IAM users or the account root were checked. */
function checkTrustPolicies(resources: PolicyResource[], out: Outcome[]): number {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  let checked = 0;
  for (const r of resources) {
    if (r.type !== T.iamRole) {
      continue;
    }
    const parsed = parsePolicyDocument(prop(r.props, "assumeRolePolicy"));
    if (parsed.kind === "unknown") {
      out.push({
        urn: r.urn,
        notChecked: "advisory",
        message: `role "${r.name}" trust policy: ${unknownReason("the trust policy")}.`,
      });
      continue;
    }
    if (parsed.kind !== "ok") {
      continue; // a broken trust policy is rejected by AWS; nothing to say about MFA
    }
    const deps = (readOrUndefined(() => r.propertyDependencies["assumeRolePolicy"]) ?? [])
      .map((d) => byUrn.get(d.urn) ?? d)
      .filter((d) => d !== undefined);
    const stackUsers = deps.filter((d) => d.type === T.iamUser);
    const onlyNonHumans = deps.length > 0 && stackUsers.length === 0;
    const denies = parsed.statements.filter((s) => s.effect === "Deny");
    const unknownParts: string[] = parsed.unknownStatements.map((u) => statementLabel(u));
    for (const s of parsed.statements) {
      if (s.effect instanceof Unknown) {
        unknownParts.push(`${statementLabel(s)} Effect`);
        continue;
      }
      if (s.effect !== "Allow") {
        continue;
      }
      const assumes = coversAssumeRole(s);
      const humans = humanPrincipals(s, stackUsers, onlyNonHumans);
      if (assumes === false || humans.length === 0) {
        continue;
      }
      checked++;
      const required = allowRequiresMfa(s.condition);
      if (required === true) {
        continue;
      }
      const paired = pairedDeny(denies, humans);
      if (paired === true) {
        continue;
      }
      const unknownHumans = humans.filter((h) => h.unknown);
      if (
        required instanceof Unknown ||
        paired instanceof Unknown ||
        assumes instanceof Unknown ||
        unknownHumans.length === humans.length
      ) {
        const what = [
          required instanceof Unknown ? "its Condition" : "",
          paired instanceof Unknown ? "a Deny statement that may pair with it" : "",
          assumes instanceof Unknown ? "its Action" : "",
          unknownHumans.length === humans.length ? "its principal" : "",
        ].filter(Boolean);
        out.push({
          urn: r.urn,
          notChecked: "advisory",
          message: `role "${r.name}" trust policy ${statementLabel(s)}: ${unknownReason(what.join(" and "))}; whether it lets a person assume the role without MFA depends on it.`,
        });
        continue;
      }
      out.push({
        urn: r.urn,
        message: `role "${r.name}" trust policy ${statementLabel(s)} lets ${humans
          .filter((h) => !h.unknown)
          .map((h) => h.shown)
          .join(", ")} assume it without MFA. Fix: ${FIX_ROLE}.`,
      });
    }
    if (unknownParts.length > 0) {
      out.push({
        urn: r.urn,
        notChecked: "advisory",
        message: `role "${r.name}" trust policy: ${unknownReason(unknownParts.join(", "))}.`,
      });
    }
  }
  return checked;
}

/**
 * A Deny in the same trust policy that refuses sts:AssumeRole without MFA to these principals
 * (Principal "*" or the same principal), with no other condition: then the Allow needs MFA too.
 */
function pairedDeny(denies: Statement[], humans: Human[]): boolean | Unknown {
  let unknown: Unknown | undefined;
  for (const d of denies) {
    const assumes = coversAssumeRole(d);
    const cover = denyWithoutMfa(d.condition);
    if (assumes === false || cover === "none" || cover === "console") {
      continue; // Bool "false" lets long-term access keys assume the role without MFA
    }
    const p = snapshot(d.principal);
    const aws =
      p !== null && typeof p === "object" && !(p instanceof Unknown)
        ? (p as Record<string, unknown>)["AWS"]
        : undefined;
    const listed = [aws].flat().filter((v): v is string => typeof v === "string");
    const everyone = p === "*" || listed.includes("*");
    const covers = everyone || humans.every((h) => !h.unknown && listed.some((v) => `"${v}"` === h.shown));
    if (!covers) {
      if (p instanceof Unknown || [aws].flat().some((v) => v instanceof Unknown)) {
        unknown ??= p instanceof Unknown ? p : ([aws].flat().find((v) => v instanceof Unknown) as Unknown);
      }
      continue;
    }
    if (assumes instanceof Unknown || cover instanceof Unknown) {
      unknown ??= assumes instanceof Unknown ? assumes : (cover as Unknown);
      continue;
    }
    return true;
  }
  return unknown ?? false;
}

/**
 * AWS principals that are people or may be: "*", the account root (ARN or bare account id), IAM
 * users (by ARN, or an ARN unknown at preview that comes from a User this stack creates), and
 * NotPrincipal in an Allow (everyone but the listed). Services, federated identities and roles
 * (role chaining) are not human sign-ins.
 */
function humanPrincipals(s: Statement, stackUsers: { name: string }[], onlyNonHumans: boolean): Human[] {
  if (s.notPrincipal !== undefined) {
    return [{ shown: "everyone but its NotPrincipal" }];
  }
  const p = snapshot(s.principal);
  if (p === "*") {
    return [{ shown: '"*" (anyone)' }];
  }
  const unknownOne = (u: Unknown): Human[] =>
    stackUsers.length > 0
      ? stackUsers.map((x) => ({ shown: `IAM user "${x.name}" (created in this stack)` }))
      : onlyNonHumans
        ? []
        : [{ shown: "a principal unknown at preview", unknown: u }];
  if (p instanceof Unknown) {
    return unknownOne(p);
  }
  if (p === null || typeof p !== "object") {
    return [];
  }
  const aws = (p as Record<string, unknown>)["AWS"];
  if (aws instanceof Unknown) {
    return unknownOne(aws);
  }
  const out: Human[] = [];
  for (const v of aws === undefined ? [] : [aws].flat()) {
    if (v instanceof Unknown) {
      out.push(...unknownOne(v));
    } else if (
      typeof v === "string" &&
      (v === "*" || /^\d{12}$/.test(v) || /^arn:[^:]+:iam::\d{12}:(root|user\/.+)$/.test(v))
    ) {
      out.push({ shown: `"${v}"` });
    }
  }
  const seen = new Set<string>();
  return out.filter((h) => (seen.has(h.shown) ? false : (seen.add(h.shown), true)));
}
