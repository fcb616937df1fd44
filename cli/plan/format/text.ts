/**
 * `--format text`, for people: the resource tree (components with their children), the policy
 * findings grouped by enforcement level and ordered by severity, each with the file and line that
 * declared the resource, what could not be checked and why, pack errors, the creation order (with
 * --order), the cost table, then a coverage line and one summary line. Plain text, no colours, so it
 * reads the same in a terminal, a CI log or a file.
 */
import { usd } from "../../cost/prices";
import { Finding } from "../analysis";
import { creationWaves } from "../order";
import { exitCodeOf, notChecked, packErrors, PlanReport, ReportedResource, shortUrn } from "../report";
import { SourceLocation } from "../source";

const SEVERITY_ORDER = ["critical", "high", "medium", "low", "unspecified"];
const LEVEL_ORDER = ["mandatory", "advisory", "remediate"] as const;

export interface TextOptions {
  /** Print the creation order (waves). */
  order?: boolean;
}

const at = (s: SourceLocation | null | undefined) => (s ? `  ${s.file}:${s.line}` : "");

export function formatText(report: PlanReport, options: TextOptions = {}): string {
  const out: string[] = [];
  const packs = report.packs.map((p) => `${p.info.name}@${p.info.version}`).join(", ") || "none";
  out.push(`Offline plan of stack "${report.stack}" (project ${report.project})`);
  out.push(`  program: ${report.programDir}   policy packs: ${packs}`);
  out.push("  (a first `pulumi preview` under runtime mocks: values computed by AWS are unknown)");
  out.push("");

  out.push(`Resources (${report.resources.length})`);
  out.push(...tree(report.resources).map((l) => `  ${l}`));
  out.push("");

  if (options.order) {
    const waves = creationWaves(report.resources);
    out.push(
      `Creation order (${waves.length} wave${waves.length === 1 ? "" : "s"}: the engine creates a resource after ` +
        "its parent, provider and dependencies; resources in one wave can be created in parallel)",
    );
    waves.forEach((wave, i) => {
      out.push(`  wave ${i + 1} (${wave.length})`);
      for (const r of wave) out.push(`    ${r.type}  ${r.name}`);
    });
    out.push("");
  }

  if (report.programOutput.length > 0) {
    out.push("Program diagnostics");
    for (const m of report.programOutput) out.push(`  ${m.severity}: ${m.text.split("\n").join("\n    ")}`);
    out.push("");
  }

  const found = report.findings.filter((f) => f.kind === "violation" || f.kind === "notChecked");
  out.push(`Policy findings (${found.length})`);
  if (found.length === 0) out.push("  none");
  const names = new Map(report.resources.map((r) => [r.urn, r]));
  for (const level of LEVEL_ORDER) {
    const group = found.filter((f) => f.enforcementLevel === level).sort(bySeverity);
    if (group.length === 0) continue;
    out.push(`  ${level} (${group.length})`);
    for (const f of group) out.push(...finding(f, names.get(f.urn)));
  }
  const remediations = report.findings.filter((f) => f.kind === "remediation");
  if (remediations.length > 0) {
    out.push(`  remediated by a pack (${remediations.length})`);
    for (const f of remediations) out.push(...finding(f, names.get(f.urn)));
  }
  out.push("");

  const unchecked = notChecked(report);
  if (unchecked.length > 0) {
    out.push(`Not checked (${unchecked.length})`);
    for (const n of unchecked) {
      const what = n.policy ? `${n.policy} (${n.policyPack})` : "invoke without a known answer";
      out.push(`  [${n.enforcementLevel}] ${what}`);
      const r = names.get(n.urn);
      out.push(`      resource: ${r ? `${r.type}  ${r.name}` : n.urn}${at(n.source)}`);
      out.push(`      ${n.reason}`);
    }
    out.push("");
  }

  const failed = packErrors(report);
  if (failed.length > 0) {
    out.push(`Policy pack errors (${failed.length})`);
    for (const f of failed) out.push(`  ${f.message}${at(f.source)}`);
    out.push("");
  }

  out.push(...costTable(report));
  out.push("");

  const packChecks = unchecked.filter((n) => n.policy !== "").length;
  const invokeChecks = unchecked.length - packChecks;
  out.push(
    unchecked.length === 0
      ? "Coverage: every policy ran on every resource with the values it needed"
      : `Coverage: ${unchecked.length} check(s) could not run (${packChecks} by the policy packs, ` +
          `${invokeChecks} because an invoke had no known answer); see "Not checked"` +
          (report.failOnUnchecked ? " (--fail-on-unchecked)" : ""),
  );
  const counts = LEVEL_ORDER.filter((l) => l !== "remediate")
    .map((l) => `${found.filter((f) => f.enforcementLevel === l).length} ${l}`)
    .join(", ");
  const code = exitCodeOf(report);
  const cost = `~${usd(report.cost.monthlyUsd)}/month (idle ${usd(report.cost.idleMonthlyUsd)}, max ${usd(report.cost.maxMonthlyUsd)})`;
  const verdict =
    code === 2
      ? "FAILED: a policy pack failed (exit 2)"
      : code === 0
        ? "OK (exit 0)"
        : found.some((f) => f.kind === "violation" && f.enforcementLevel === "mandatory")
          ? "BLOCKED by mandatory policy (exit 1)"
          : "BLOCKED: checks could not run (exit 1)";
  out.push(
    `Summary: ${report.stack}: ${report.resources.length} resources, ${counts} finding(s), ` +
      `${unchecked.length} not checked, ${cost} -> ${verdict}`,
  );
  return `${out.join("\n")}\n`;
}

function bySeverity(a: Finding, b: Finding): number {
  return SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity);
}

function finding(f: Finding, r: ReportedResource | undefined): string[] {
  const lines = [
    `    [${f.severity}] ${f.policy} (${f.policyPack})${f.kind === "notChecked" ? "  (not checked)" : ""}`,
  ];
  lines.push(`      resource: ${r ? `${r.type}  ${r.name}` : shortUrn(f.urn)}${at(f.source)}`);
  const message = f.message.split("\n").filter((l) => l.trim() !== "");
  for (const l of message) lines.push(`      ${l}`);
  return lines;
}

/** Components as branches, their children beneath; default providers listed first. */
export function tree(resources: ReportedResource[]): string[] {
  const children = new Map<string | undefined, ReportedResource[]>();
  const urns = new Set(resources.map((r) => r.urn));
  for (const r of resources) {
    const parent = r.parent && urns.has(r.parent) ? r.parent : undefined;
    children.set(parent, [...(children.get(parent) ?? []), r]);
  }
  const lines: string[] = [];
  const walk = (parent: string | undefined, prefix: string) => {
    const list = children.get(parent) ?? [];
    list.forEach((r, i) => {
      const last = i === list.length - 1;
      const branch = parent === undefined ? "" : last ? "└─ " : "├─ ";
      const extra = r.defaultProvider ? "  (default provider)" : "";
      lines.push(`${prefix}${branch}${r.type}  ${r.name}${extra}`);
      walk(r.urn, parent === undefined ? prefix : `${prefix}${last ? "   " : "│  "}`);
    });
  };
  walk(undefined, "");
  return lines;
}

function costTable(report: PlanReport): string[] {
  const { cost } = report;
  const lines = [`Monthly cost estimate (USD, ${cost.pricesRegion} list prices, ${cost.pricesAsOf})`];
  if (cost.items.length === 0) {
    lines.push("  nothing in this plan bills by the hour or the month");
  } else {
    const names = new Map(report.resources.map((r) => [r.urn, r]));
    const rows = cost.items.map((i) => {
      const r = names.get(i.urn);
      const figure = (n: number | null, none: string) =>
        i.monthlyUsd === null ? "no price" : n === null ? none : money(n);
      return {
        what: `${shortType(i.type)} ${r?.name ?? i.name}`,
        amounts: [
          figure(i.idleMonthlyUsd, "no price"),
          figure(i.monthlyUsd, "no price"),
          figure(i.maxMonthlyUsd, "no ceiling"),
        ],
        description: i.description,
      };
    });
    const heads = ["idle", "typical", "max"];
    const w = Math.max(...rows.map((r) => r.what.length), 8);
    const widths = heads.map((h, k) => Math.max(h.length, ...rows.map((r) => r.amounts[k].length), 8));
    const row = (what: string, amounts: string[], tail: string) =>
      `  ${what.padEnd(w)}  ${amounts.map((x, k) => x.padStart(widths[k])).join("  ")}  ${tail}`;
    lines.push(row("resource", heads, "what bills (USD/month)"));
    for (const r of rows) lines.push(row(r.what, r.amounts, r.description));
    lines.push(
      row(
        "total",
        [cost.idleMonthlyUsd, cost.monthlyUsd, cost.maxMonthlyUsd].map(money),
        "(idle: nothing running, no traffic; typical; max: at maximum capacity)",
      ),
    );
  }
  for (const n of cost.notes) lines.push(`  note: ${n}`);
  return lines;
}

const money = (n: number) => n.toFixed(2);

/** `aws:sagemaker/endpoint:Endpoint` -> `sagemaker:Endpoint`. */
const shortType = (type: string) => {
  const m = /^[^:]+:([^/:]+)\/[^:]*:(.+)$/.exec(type);
  return m ? `${m[1]}:${m[2]}` : type;
};
