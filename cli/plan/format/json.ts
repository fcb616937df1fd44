/**
 * `--format json`: the shape of contract 2 (docs: design.md), with the additive fields documented in
 * cli/README.md:
 *   { stack, project, policyConfig: {chosenBy, files, stackFile, description},
 *     resources: [{urn, type, name, parent, inputs, dependencies, propertyDependencies, source}],
 *     violations: [{policyPack, policy, enforcementLevel, severity, urn, message, kind, source}],
 *     notChecked: [{policyPack, policy, urn, reason, source}],
 *     packErrors: [{policyPack, urn, message, source}],
 *     cost: { monthlyUsd, idleMonthlyUsd, monthlyUsdMax,
 *             items: [{urn, description, monthlyUsd, idleMonthlyUsd, monthlyUsdMax}] },
 *     autoscaling: [{urn, name, metric, targetValue, derivation, summary}] }
 * Inputs show values unknown at preview as "[unknown]" and secrets as "[secret]". `parent` is null
 * for the root stack and default providers; an item's monthlyUsd is null when it has no price;
 * `source` is `{file, line}` (file relative to the repository root) or null.
 */
import { AutoscalingTarget, autoscalingTargets } from "../autoscaling";
import { describePolicyConfig, displayPath, PolicyConfigChoice } from "../policy-config";
import { notChecked, packErrors, PlanReport, violations } from "../report";
import { shownValue } from "../resources";
import { SourceLocation } from "../source";

type Source = { file: string; line: number } | null;

export interface PlanJson {
  stack: string;
  project: string;
  policyConfig: PolicyConfigJson;
  /** `{kind, message}`: e.g. `account-mismatch`, an account export of another account than the stack's. */
  warnings: { kind: string; message: string }[];
  resources: {
    urn: string;
    type: string;
    name: string;
    parent: string | null;
    inputs: Record<string, unknown>;
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
    source: Source;
  }[];
  violations: {
    policyPack: string;
    policy: string;
    enforcementLevel: string;
    severity: string;
    urn: string;
    message: string;
    kind: "violation" | "notChecked";
    source: Source;
  }[];
  notChecked: { policyPack: string; policy: string; urn: string; reason: string; source: Source }[];
  packErrors: { policyPack: string; urn: string; message: string; source: Source }[];
  cost: {
    monthlyUsd: number;
    /** Nothing running, no traffic. */
    idleMonthlyUsd: number;
    /** At maximum capacity; items without a ceiling are left out. */
    monthlyUsdMax: number;
    items: {
      urn: string;
      description: string;
      monthlyUsd: number | null;
      idleMonthlyUsd: number | null;
      /** null: no price, or no ceiling (the description says which). */
      monthlyUsdMax: number | null;
    }[];
  };
  /** Every target-tracking policy's target and where it came from (cli/plan/autoscaling.ts). */
  autoscaling: AutoscalingTarget[];
}

/** Which policy config the plan applied: `files` (repository-relative when inside it) and why. */
export interface PolicyConfigJson {
  chosenBy: PolicyConfigChoice["chosenBy"];
  files: string[];
  /** The per-stack file the plan looks for without --policy-config (`policy/config/<stack>.json`). */
  stackFile: string;
  /** The same, in words. */
  description: string;
}

export function policyConfigJson(report: PlanReport): PolicyConfigJson {
  const c = report.policyConfig;
  return {
    chosenBy: c.chosenBy,
    files: c.files.map((f) => displayPath(f, report.sourceRoot)),
    stackFile: displayPath(c.stackFile, report.sourceRoot),
    description: describePolicyConfig(c, report.stack, report.sourceRoot),
  };
}

const source = (s: SourceLocation | null | undefined): Source => (s ? { file: s.file, line: s.line } : null);

export function toJson(report: PlanReport): PlanJson {
  return {
    stack: report.stack,
    project: report.project,
    policyConfig: policyConfigJson(report),
    warnings: report.warnings.map((w) => ({ kind: w.kind, message: w.message })),
    resources: report.resources.map((r) => ({
      urn: r.urn,
      type: r.type,
      name: r.name,
      parent: r.parent ?? null,
      inputs: shownValue(r.properties) as Record<string, unknown>,
      dependencies: r.dependencies,
      // As the engine sends them to analyzers: properties without dependencies are left out.
      propertyDependencies: Object.fromEntries(
        Object.entries(r.propertyDependencies).filter(([, urns]) => urns.length > 0),
      ),
      source: source(r.source),
    })),
    violations: violations(report).map((f) => ({
      policyPack: f.policyPack,
      policy: f.policy,
      enforcementLevel: f.enforcementLevel,
      severity: f.severity,
      urn: f.urn,
      message: f.message,
      kind: f.kind as "violation" | "notChecked",
      source: source(f.source),
    })),
    notChecked: notChecked(report).map((n) => ({
      policyPack: n.policyPack,
      policy: n.policy,
      urn: n.urn,
      reason: n.reason,
      source: source(n.source),
    })),
    packErrors: packErrors(report).map((f) => ({
      policyPack: f.policyPack,
      urn: f.urn,
      message: f.message,
      source: source(f.source),
    })),
    cost: {
      monthlyUsd: report.cost.monthlyUsd,
      idleMonthlyUsd: report.cost.idleMonthlyUsd,
      monthlyUsdMax: report.cost.maxMonthlyUsd,
      items: report.cost.items.map((i) => ({
        urn: i.urn,
        description: i.description,
        monthlyUsd: i.monthlyUsd,
        idleMonthlyUsd: i.idleMonthlyUsd,
        monthlyUsdMax: i.maxMonthlyUsd,
      })),
    },
    autoscaling: autoscalingTargets(report),
  };
}

export const formatJson = (report: PlanReport): string => `${JSON.stringify(toJson(report), null, 2)}\n`;
