/** Everything a plan found, before it is formatted as text, JSON or SARIF. */
import { CostEstimate } from "../cost";
import { AnalyzerInfo, PolicyConfig } from "./analyzer-client";
import { Finding } from "./analysis";
import { ProgramMessage } from "./program";
import { PlannedResource } from "./resources";

export interface PackReport {
  dir: string;
  info: AnalyzerInfo;
  /** The config the pack was given (levels after defaults, files and flags). */
  config: Record<string, PolicyConfig>;
}

export interface PlanReport {
  project: string;
  stack: string;
  programDir: string;
  stackFile: string;
  packs: PackReport[];
  resources: PlannedResource[];
  findings: Finding[];
  cost: CostEstimate;
  programOutput: ProgramMessage[];
  unansweredInvokes: string[];
  timings: Record<string, number>;
}

export const violations = (r: PlanReport) => r.findings.filter((f) => f.kind === "violation");
export const mandatory = (r: PlanReport) => violations(r).filter((f) => f.enforcementLevel === "mandatory");

/** 1 when any mandatory violation remains, else 0 (2 is for errors, raised before a report exists). */
export const exitCodeOf = (r: PlanReport): 0 | 1 => (mandatory(r).length > 0 ? 1 : 0);

/** The root stack resource's URN (stack-level findings without a resource are attributed to it). */
export const stackUrnOf = (project: string, stack: string) =>
  `urn:pulumi:${stack}::${project}::pulumi:pulumi:Stack::${project}-${stack}`;
