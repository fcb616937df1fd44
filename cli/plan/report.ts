/** Everything a plan found, before it is formatted as text, JSON or SARIF. */
import { CostEstimate } from "../cost";
import { AnalyzerInfo, EnforcementLevel, PolicyConfig } from "./analyzer-client";
import { Finding, NOT_CHECKED_PREFIX } from "./analysis";
import type { UnresolvedInvoke } from "./preview-runtime";
import { ProgramMessage } from "./program";
import type { PolicyConfigChoice } from "./policy-config";
import { PlannedResource } from "./resources";
import { locationOf, SourceLocation } from "./source";

export interface PackReport {
  dir: string;
  info: AnalyzerInfo;
  /** The config the pack was given (levels after defaults, files and flags). */
  config: Record<string, PolicyConfig>;
}

/** A planned resource with the code that declared it. */
export type ReportedResource = PlannedResource & { source?: SourceLocation };

export interface PlanReport {
  project: string;
  stack: string;
  programDir: string;
  stackFile: string;
  /** What `source.file` paths are relative to (the repository root, else the program directory). */
  sourceRoot: string;
  packs: PackReport[];
  /** Which policy config files were applied, and why. */
  policyConfig: PolicyConfigChoice;
  /** What the plan did that the user should know (printed in every output). */
  warnings: PlanWarning[];
  resources: ReportedResource[];
  findings: Finding[];
  cost: CostEstimate;
  programOutput: ProgramMessage[];
  /** Invokes whose result the program received as unknown (or empty). */
  unresolvedInvokes: UnresolvedInvoke[];
  /** `--fail-on-unchecked`: any check that could not run fails the gate. */
  failOnUnchecked: boolean;
  timings: Record<string, number>;
}

/** `account-mismatch`: an --inventory / --credential-report of another account than the stack's (aws:allowedAccountIds). */
export interface PlanWarning {
  kind: "account-mismatch";
  message: string;
}

/** One check that could not run: a pack's, or an invoke without a known answer. */
export interface NotChecked {
  /** "" for an invoke the plan could not answer. */
  policyPack: string;
  policy: string;
  urn: string;
  reason: string;
  source: SourceLocation | null;
  enforcementLevel: EnforcementLevel;
  /** The invoke token, for invoke entries. */
  invoke?: string;
}

/** Every diagnostic a pack reported (violations and checks that could not run), as contract 2 lists them. */
export const violations = (r: PlanReport) =>
  r.findings.filter((f) => f.kind === "violation" || f.kind === "notChecked");
export const packErrors = (r: PlanReport) => r.findings.filter((f) => f.kind === "packError");
export const mandatory = (r: PlanReport) => violations(r).filter((f) => f.enforcementLevel === "mandatory");

/** Checks that could not run: the packs' own (C1 markers) and the unanswered invokes, per resource that used them. */
export function notChecked(r: PlanReport): NotChecked[] {
  const out: NotChecked[] = r.findings
    .filter((f) => f.kind === "notChecked")
    .map((f) => ({
      policyPack: f.policyPack,
      policy: f.policy,
      urn: f.urn,
      reason: f.message.startsWith(NOT_CHECKED_PREFIX)
        ? f.message.slice(NOT_CHECKED_PREFIX.length)
        : f.message,
      source: f.source ?? null,
      enforcementLevel: f.enforcementLevel,
    }));
  const stackUrn =
    r.resources.find((x) => x.type === "pulumi:pulumi:Stack")?.urn ?? stackUrnOf(r.project, r.stack);
  for (const invoke of r.unresolvedInvokes) {
    const site = locationOf(r.sourceRoot, invoke.site);
    const called = `invoke ${invoke.token}${site ? ` (called at ${site.file}:${site.line})` : ""}`;
    const consumers = r.resources
      .map((res) => ({
        res,
        props: Object.entries(res.fromInvokes ?? {})
          .filter(([, ids]) => ids.includes(invoke.id))
          .map(([p]) => p),
      }))
      .filter((c) => c.props.length > 0);
    const why =
      invoke.kind === "unknown-inputs" && invoke.inputsFrom.length > 0
        ? `${invoke.reason} (inputs from ${invoke.inputsFrom.map(shortUrn).join(", ")})`
        : invoke.reason;
    for (const { res, props } of consumers) {
      const what = props.map((p) => (p === "" ? "its dependsOn" : `input "${p}"`)).join(", ");
      out.push({
        policyPack: "",
        policy: "",
        urn: res.urn,
        reason: `${called}: ${why}; ${what} of ${shortUrn(res.urn)} is unknown, so the policies that read it could not check it`,
        source: res.source ?? null,
        enforcementLevel: "advisory",
        invoke: invoke.token,
      });
    }
    if (consumers.length === 0)
      out.push({
        policyPack: "",
        policy: "",
        urn: stackUrn,
        reason:
          `${called}: ${why}; the program received an ${invoke.kind === "unknown-inputs" && invoke.form === "plain" ? "empty" : "unknown"} ` +
          "result, so what it declared from it was not checked",
        source: site ?? null,
        enforcementLevel: "advisory",
        invoke: invoke.token,
      });
  }
  return out;
}

/**
 * 2 when a pack failed (the other packs' findings are still reported); 1 when a mandatory violation
 * remains, a mandatory check could not run, or (--fail-on-unchecked) any check could not run; else 0.
 */
export function exitCodeOf(r: PlanReport): 0 | 1 | 2 {
  if (packErrors(r).length > 0) return 2;
  if (mandatory(r).length > 0) return 1;
  if (r.failOnUnchecked && notChecked(r).length > 0) return 1;
  return 0;
}

/** `<type>::<name>` of a URN, for messages. */
export const shortUrn = (urn: string) => {
  const parts = urn.split("::");
  return parts.length >= 4 ? `${parts[2].split("$").pop()} ${parts.slice(3).join("::")}` : urn;
};

/** The root stack resource's URN (stack-level findings without a resource are attributed to it). */
export const stackUrnOf = (project: string, stack: string) =>
  `urn:pulumi:${stack}::${project}::pulumi:pulumi:Stack::${project}-${stack}`;
