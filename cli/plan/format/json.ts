/**
 * `--format json`: exactly the shape of contract 2 (docs: design.md), nothing more:
 *   { stack, project, resources: [{urn, type, name, parent, inputs}],
 *     violations: [{policyPack, policy, enforcementLevel, severity, urn, message}],
 *     cost: { monthlyUsd, idleMonthlyUsd, monthlyUsdMax,
 *             items: [{urn, description, monthlyUsd, idleMonthlyUsd, monthlyUsdMax}] } }
 * Inputs show values unknown at preview as "[unknown]" and secrets as "[secret]". `parent` is null
 * for the root stack and default providers; an item's monthlyUsd is null when it has no price.
 */
import { PlanReport, violations } from "../report";
import { shownValue } from "../resources";

export interface PlanJson {
  stack: string;
  project: string;
  resources: {
    urn: string;
    type: string;
    name: string;
    parent: string | null;
    inputs: Record<string, unknown>;
  }[];
  violations: {
    policyPack: string;
    policy: string;
    enforcementLevel: string;
    severity: string;
    urn: string;
    message: string;
  }[];
  cost: {
    monthlyUsd: number;
    /** Nothing running, no traffic (contract C4). */
    idleMonthlyUsd: number;
    /** At maximum capacity (contract C4); items without a ceiling are left out. */
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
}

export function toJson(report: PlanReport): PlanJson {
  return {
    stack: report.stack,
    project: report.project,
    resources: report.resources.map((r) => ({
      urn: r.urn,
      type: r.type,
      name: r.name,
      parent: r.parent ?? null,
      inputs: shownValue(r.properties) as Record<string, unknown>,
    })),
    violations: violations(report).map((f) => ({
      policyPack: f.policyPack,
      policy: f.policy,
      enforcementLevel: f.enforcementLevel,
      severity: f.severity,
      urn: f.urn,
      message: f.message,
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
  };
}

export const formatJson = (report: PlanReport): string => `${JSON.stringify(toJson(report), null, 2)}\n`;
