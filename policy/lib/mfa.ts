/**
 * What IAM conditions mean for MFA, as AWS documents it.
 *
 * - `aws:MultiFactorAuthPresent` is in the request context only when the request is signed with
 *   temporary credentials (console sessions, AssumeRole, GetSessionToken); with long-term access
 *   keys the key is absent. `aws:MultiFactorAuthAge` is present only when MFA was used.
 *   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-multifactorauthpresent
 * - A condition on an absent key does not match, unless the operator ends in `IfExists`, which
 *   matches an absent key. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IfExists
 * - Hence, in an Allow: `Bool aws:MultiFactorAuthPresent "true"` requires MFA; `BoolIfExists ...
 *   "true"` does not (long-term keys, where the key is absent, match); `NumericLessThan
 *   aws:MultiFactorAuthAge N` and `Null aws:MultiFactorAuthAge "false"` require MFA (the age exists
 *   only after MFA). In a Deny: `BoolIfExists aws:MultiFactorAuthPresent "false"` and `Null
 *   aws:MultiFactorAuthAge "true"` deny every request without MFA; `Bool ... "false"` denies only
 *   MFA-less temporary sessions (the console), not long-term access keys.
 *   https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_configure-api-require.html
 *   https://repost.aws/knowledge-center/mfa-iam-user-aws-cli
 * Condition entries are ANDed; the values of one key are ORed. Operators are matched as written,
 * keys case-insensitively (as IAM matches condition keys).
 */
import { ConditionEntry, Statement, conditionEntries, globMatches } from "./iam-document";
import { Unknown } from "./props";

const PRESENT = "aws:multifactorauthpresent";
const AGE = "aws:multifactorauthage";

/** True, false, or "depends on a value unknown at preview". */
export type Tri = boolean | Unknown;

/** Every value is the boolean `want` ("true"/"false" strings or booleans); Unknown when unknown ones decide. */
export function valuesAre(values: unknown[] | Unknown, want: boolean): Tri {
  if (values instanceof Unknown) {
    return values;
  }
  if (values.length === 0) {
    return false;
  }
  let unknown: Unknown | undefined;
  for (const v of values) {
    if (v instanceof Unknown) {
      unknown ??= v;
    } else if (!(v === want || (typeof v === "string" && v.toLowerCase() === String(want)))) {
      return false;
    }
  }
  return unknown ?? true;
}

function isKey(e: ConditionEntry, key: string): boolean {
  return e.key.toLowerCase() === key;
}

/** Does this one entry, in an Allow, let a request through only when MFA was used? */
function entryRequiresMfa(e: ConditionEntry): Tri {
  if (e.operator === "Bool" && isKey(e, PRESENT)) {
    return valuesAre(e.values, true);
  }
  if ((e.operator === "NumericLessThan" || e.operator === "NumericLessThanEquals") && isKey(e, AGE)) {
    return true; // matches only when the key is present, i.e. after MFA, whatever the number
  }
  if (e.operator === "Null" && isKey(e, AGE)) {
    return valuesAre(e.values, false);
  }
  return false;
}

/** An Allow statement with this Condition grants only to requests authenticated with MFA. */
export function allowRequiresMfa(condition: unknown): Tri {
  const entries = conditionEntries(condition);
  if (entries instanceof Unknown) {
    return entries;
  }
  if (typeof entries === "string") {
    return false;
  }
  let unknown: Unknown | undefined;
  for (const e of entries) {
    const v = entryRequiresMfa(e);
    if (v === true) {
      return true; // entries are ANDed: one that needs MFA is enough
    }
    if (v instanceof Unknown) {
      unknown ??= v;
    }
  }
  return unknown ?? false;
}

/**
 * Which requests without MFA a Deny statement with this Condition denies: "all" (long-term access
 * keys included), "console" (MFA-less temporary sessions only: `Bool ... "false"`), or "none" (it
 * needs something else to apply, or does not test MFA at all).
 */
export type DenyCoverage = "all" | "console" | "none";

function entryDenies(e: ConditionEntry): DenyCoverage | Unknown | "neutral" {
  if (isKey(e, PRESENT) && (e.operator === "BoolIfExists" || e.operator === "Bool")) {
    const v = valuesAre(e.values, false);
    return v instanceof Unknown ? v : v ? (e.operator === "Bool" ? "console" : "all") : "none";
  }
  if (isKey(e, AGE) && e.operator === "Null") {
    const v = valuesAre(e.values, true);
    return v instanceof Unknown ? v : v ? "all" : "none";
  }
  // AWS's own MFA policies pair the MFA test with aws:ViaAWSService "false", so calls AWS services
  // make on the user's behalf are not denied: that does not weaken the MFA requirement.
  if (isKey(e, "aws:viaawsservice") && (e.operator === "Bool" || e.operator === "BoolIfExists")) {
    const v = valuesAre(e.values, false);
    return v instanceof Unknown ? v : v ? "neutral" : "none";
  }
  return "none";
}

export function denyWithoutMfa(condition: unknown): DenyCoverage | Unknown {
  const entries = conditionEntries(condition);
  if (entries instanceof Unknown) {
    return entries;
  }
  if (typeof entries === "string" || entries.length === 0) {
    return "none"; // no MFA test: an unconditional Deny is not an MFA rule
  }
  let coverage: DenyCoverage | undefined;
  let unknown: Unknown | undefined;
  for (const e of entries) {
    const v = entryDenies(e);
    if (v === "none") {
      return "none"; // ANDed: the Deny needs something unrelated to MFA to apply
    }
    if (v instanceof Unknown) {
      unknown ??= v;
    } else if (v !== "neutral") {
      coverage = coverage === "console" || v === "console" ? "console" : "all";
    }
  }
  if (unknown) {
    return unknown;
  }
  return coverage ?? "none";
}

/**
 * A Deny that applies to (nearly) every action: `Action "*"`, or `NotAction` (AWS's pattern leaves
 * out only the MFA self-service actions), on `Resource "*"`.
 */
export function deniesBroadly(s: Statement): Tri {
  if (s.resource !== undefined) {
    if (s.resource instanceof Unknown) {
      return s.resource;
    }
    if (!s.resource.some((r) => r === "*")) {
      return s.resource.find((r): r is Unknown => r instanceof Unknown) ?? false;
    }
  }
  if (s.notAction !== undefined) {
    return true;
  }
  if (s.action instanceof Unknown) {
    return s.action;
  }
  if ((s.action ?? []).some((a) => a === "*")) {
    return true;
  }
  return (s.action ?? []).find((a): a is Unknown => a instanceof Unknown) ?? false;
}

/** The statement's actions include sts:AssumeRole (by name or pattern, or by NotAction not excluding it). */
export function coversAssumeRole(s: Statement): Tri {
  if (s.notAction !== undefined) {
    if (s.notAction instanceof Unknown) {
      return s.notAction;
    }
    if (s.notAction.some((a) => typeof a === "string" && globMatches(a, "sts:AssumeRole"))) {
      return false;
    }
    return s.notAction.find((a): a is Unknown => a instanceof Unknown) ?? true;
  }
  if (s.action instanceof Unknown) {
    return s.action;
  }
  if ((s.action ?? []).some((a) => typeof a === "string" && globMatches(a, "sts:AssumeRole"))) {
    return true;
  }
  return (s.action ?? []).find((a): a is Unknown => a instanceof Unknown) ?? false;
}

/** A policy document's verdict: does it deny everything without MFA? */
export interface EnforcementVerdict {
  /** "all", "console" (Bool false only), or "none". */
  readonly coverage: DenyCoverage;
  /** Set when an unknown value could change "none" or "console" into more. */
  readonly unknown?: Unknown;
}

/** How strongly parsed statements enforce MFA on the principal they apply to. */
export function enforcement(
  statements: Statement[],
  unknownStatements: { marker: Unknown }[],
): EnforcementVerdict {
  let best: DenyCoverage = "none";
  let unknown: Unknown | undefined = unknownStatements[0]?.marker;
  for (const s of statements) {
    if (s.effect instanceof Unknown) {
      unknown ??= s.effect;
      continue;
    }
    if (s.effect !== "Deny") {
      continue;
    }
    const broad = deniesBroadly(s);
    if (broad === false) {
      continue;
    }
    const cover = denyWithoutMfa(s.condition);
    if (broad instanceof Unknown || cover instanceof Unknown) {
      if (cover !== "none") {
        unknown ??= broad instanceof Unknown ? broad : (cover as Unknown);
      }
      continue;
    }
    if (cover === "all") {
      return { coverage: "all" };
    }
    if (cover === "console") {
      best = "console";
    }
  }
  return unknown ? { coverage: best, unknown } : { coverage: best };
}
