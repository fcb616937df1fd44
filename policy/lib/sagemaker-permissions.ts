/**
 * What makes an IAM statement a wildcard SageMaker grant. Deny statements never are. An Allow is when
 * it grants SageMaker actions by pattern (`*`, `sagemaker:*`, `sagemaker:Invoke*`), by NotAction, or
 * grants resource-scopable SageMaker actions on `*`, a wildcard ARN, or through NotResource.
 */
import unscopable from "../data/sagemaker-unscopable-actions.json";
import { parseArn } from "./arn";
import { Statement, UnknownStatement, globMatches, hasWildcard, statementLabel } from "./iam-document";
import { Unknown } from "./props";

const UNSCOPABLE = new Set(unscopable.actions.map((a) => a.toLowerCase()));

/** True when AWS accepts only `Resource: "*"` for this SageMaker action (it has no resource type). */
export function isUnscopableSageMakerAction(action: string): boolean {
  return UNSCOPABLE.has(action.toLowerCase());
}

export interface Finding {
  /** The statement, by Sid or index. */
  readonly statement: string;
  /** The action or resource that is too broad. */
  readonly offending: string;
  readonly problem: string;
  /** The least-privilege fix. */
  readonly fix: string;
}

export interface WildcardOptions {
  /**
   * Accept name-prefix wildcards such as `endpoint/ml-platform-prod-*` (a literal prefix scopes the
   * grant to one naming convention). A bare `endpoint/*` is never accepted.
   */
  readonly allowNamePrefixWildcards: boolean;
}

/** A part of a statement whose value is unknown at preview and decides whether it is a wildcard grant. */
export interface UnknownPart {
  /** The statement, by Sid or index. */
  readonly statement: string;
  /** Which part, e.g. `Resource`, `Action[1]`, `Effect`, or `the statement`. */
  readonly part: string;
  readonly marker: Unknown;
}

export interface WildcardResult {
  /** Certain findings: they hold whatever the unknown parts turn out to be. */
  readonly findings: Finding[];
  /** Parts whose verdict depends on a value unknown at preview. */
  readonly unknowns: UnknownPart[];
}

/**
 * Finds wildcard SageMaker grants in parsed statements. Every statement is judged on its own: a
 * certain finding is reported whatever other statements (or other elements of the same list) turn
 * out to be, and an unknown part is returned only when the statement's verdict depends on it.
 */
export function findSageMakerWildcards(
  statements: Statement[],
  options: WildcardOptions,
  unknownStatements: readonly UnknownStatement[] = [],
): WildcardResult {
  const findings: Finding[] = [];
  const unknowns: UnknownPart[] = unknownStatements.map((u) => ({
    statement: statementLabel(u),
    part: "the statement",
    marker: u.marker,
  }));
  for (const s of statements) {
    if (s.effect === "Deny") {
      continue;
    }
    const label = statementLabel(s);
    const own = judgeAllow(s, label, options);
    if (s.effect instanceof Unknown) {
      // Only an Allow grants: whatever this statement would grant depends on its unknown Effect.
      if (own.findings.length > 0 || own.unknowns.length > 0) {
        unknowns.push({ statement: label, part: "Effect", marker: s.effect });
      }
      continue;
    }
    findings.push(...own.findings);
    unknowns.push(...own.unknowns);
  }
  return { findings, unknowns };
}

/** The findings of one statement read as an Allow. */
function judgeAllow(s: Statement, label: string, options: WildcardOptions): WildcardResult {
  const findings: Finding[] = [];
  const unknowns: UnknownPart[] = [];
  const unknown = (part: string, marker: Unknown) => unknowns.push({ statement: label, part, marker });

  if (s.notAction !== undefined) {
    if (s.notAction instanceof Unknown) {
      unknown("NotAction", s.notAction);
      return { findings, unknowns };
    }
    const known = s.notAction.filter((a): a is string => typeof a === "string");
    if (!known.some(excludesAllSageMaker)) {
      const u = s.notAction.find((a): a is Unknown => a instanceof Unknown);
      if (u) {
        // An unknown entry might exclude SageMaker; a NotAction grant is judged only when known.
        unknown(`NotAction[${s.notAction.indexOf(u)}]`, u);
        return { findings, unknowns };
      }
      findings.push({
        statement: label,
        offending: `NotAction ${JSON.stringify(s.notAction)}`,
        problem:
          "an Allow with NotAction grants every action that is not listed, every SageMaker action included",
        fix: 'replace NotAction with an Action list of exactly the SageMaker actions needed (for example "sagemaker:InvokeEndpoint")',
      });
    }
    return { findings, unknowns };
  }

  const scopable: string[] = [];
  if (s.action instanceof Unknown) {
    unknown("Action", s.action);
    return { findings, unknowns };
  }
  for (const [i, a] of (s.action ?? []).entries()) {
    if (a instanceof Unknown) {
      // Might be "sagemaker:*" or any other action: this element's verdict depends on it.
      unknown(`Action[${i}]`, a);
      continue;
    }
    const verdict = classifyAction(a);
    if (verdict === "other") {
      continue;
    }
    if (verdict === "pattern") {
      findings.push({
        statement: label,
        offending: `Action "${a}"`,
        problem:
          a.trim() === "*"
            ? "grants every action of every service, every SageMaker action included"
            : "is a wildcard that grants every SageMaker action it matches, today and as AWS adds more",
        fix: 'list the exact SageMaker actions the workload calls (for example "sagemaker:InvokeEndpoint") instead of the pattern',
      });
      continue;
    }
    if (!isUnscopableSageMakerAction(a)) {
      scopable.push(a);
    }
  }

  if (scopable.length === 0) {
    return { findings, unknowns };
  }
  const actions = scopable.map((a) => `"${a}"`).join(", ");
  if (s.notResource !== undefined) {
    findings.push({
      statement: label,
      offending: `NotResource ${JSON.stringify(s.notResource)} for ${actions}`,
      problem: "NotResource grants these actions on every resource that is not listed",
      fix: `replace NotResource with a Resource list of the exact ARNs, e.g. ${exampleArn(scopable[0])}`,
    });
    return { findings, unknowns };
  }
  if (s.resource === undefined) {
    return { findings, unknowns };
  }
  if (s.resource instanceof Unknown) {
    unknown("Resource", s.resource);
    return { findings, unknowns };
  }
  for (const [i, r] of s.resource.entries()) {
    if (r instanceof Unknown) {
      unknown(`Resource[${i}]`, r);
      continue;
    }
    if (isWildcardSageMakerResource(r, options)) {
      findings.push({
        statement: label,
        offending: `Resource "${r}" for ${actions}`,
        problem:
          "these actions support resource-level permissions, but the statement grants them on every matching resource",
        fix: `scope Resource to the exact ARNs the workload uses, e.g. ${exampleArn(scopable[0])}`,
      });
    }
  }
  return { findings, unknowns };
}

/** "pattern": grants SageMaker actions by wildcard; "exact": one named SageMaker action; "other": not SageMaker. */
function classifyAction(action: string): "pattern" | "exact" | "other" {
  const a = action.trim();
  if (a === "*") {
    return "pattern";
  }
  const colon = a.indexOf(":");
  if (colon < 0) {
    return hasWildcard(a) && globMatches(a, "sagemaker:x") ? "pattern" : "other";
  }
  const service = a.slice(0, colon);
  const name = a.slice(colon + 1);
  if (!globMatches(service, "sagemaker")) {
    return "other";
  }
  return hasWildcard(service) || hasWildcard(name) ? "pattern" : "exact";
}

/** A NotAction entry that removes every SageMaker action from the grant (`*`, `sagemaker:*`, `sage*:*`). */
function excludesAllSageMaker(pattern: string): boolean {
  const p = pattern.trim();
  if (p === "*") {
    return true;
  }
  const colon = p.indexOf(":");
  return colon >= 0 && globMatches(p.slice(0, colon), "sagemaker") && /^\*+$/.test(p.slice(colon + 1));
}

/**
 * `*`, an ARN whose service, resource type or whole name is a wildcard (`arn:aws:sagemaker:*:*:*`,
 * `arn:aws:sagemaker:us-east-1:111122223333:endpoint/*`), or a name pattern when prefixes are not allowed.
 * ARNs of other services are not SageMaker resources and are left to other checks.
 */
export function isWildcardSageMakerResource(resource: string, options: WildcardOptions): boolean {
  const r = resource.trim();
  if (r === "*") {
    return true;
  }
  const arn = parseArn(r);
  if (!arn) {
    return hasWildcard(r);
  }
  if (hasWildcard(arn.service)) {
    return globMatches(arn.service, "sagemaker");
  }
  if (arn.service.toLowerCase() !== "sagemaker") {
    return false;
  }
  const slash = arn.resource.indexOf("/");
  const type = slash < 0 ? arn.resource : arn.resource.slice(0, slash);
  const name = slash < 0 ? "" : arn.resource.slice(slash + 1);
  if (hasWildcard(type)) {
    return true; // e.g. arn:aws:sagemaker:us-east-1:111122223333:*
  }
  if (!hasWildcard(name)) {
    return false;
  }
  // A name made only of wildcards and separators, or starting with one, matches everything of that type.
  if (/^[*?/]+$/.test(name) || /^[*?]/.test(name)) {
    return true;
  }
  return !options.allowNamePrefixWildcards;
}

function exampleArn(action: string): string {
  const a = action.toLowerCase();
  const kind = /endpointconfig/.test(a)
    ? "endpoint-config/<endpoint-config-name>"
    : /endpoint/.test(a)
      ? "endpoint/<endpoint-name>"
      : /hyperparametertuningjob/.test(a)
        ? "hyper-parameter-tuning-job/<job-name>"
        : /trainingjob/.test(a)
          ? "training-job/<job-name>"
          : /notebookinstance/.test(a)
            ? "notebook-instance/<notebook-name>"
            : /model/.test(a)
              ? "model/<model-name>"
              : "<resource-type>/<name>";
  return `arn:<partition>:sagemaker:<region>:<account>:${kind}`;
}
