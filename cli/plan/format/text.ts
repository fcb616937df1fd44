/**
 * `--format text`, for people: the resource tree (components with their children), the policy
 * findings grouped by enforcement level and ordered by severity, the cost table, then one summary
 * line. Plain text, no colours, so it reads the same in a terminal, a CI log or a file.
 */
import { usd } from "../../cost/prices";
import { Finding } from "../analysis";
import { exitCodeOf, PlanReport, violations } from "../report";
import { PlannedResource } from "../resources";

const SEVERITY_ORDER = ["critical", "high", "medium", "low", "unspecified"];
const LEVEL_ORDER = ["mandatory", "advisory", "remediate"] as const;

export function formatText(report: PlanReport): string {
  const out: string[] = [];
  const packs = report.packs.map((p) => `${p.info.name}@${p.info.version}`).join(", ") || "none";
  out.push(`Offline plan of stack "${report.stack}" (project ${report.project})`);
  out.push(`  program: ${report.programDir}   policy packs: ${packs}`);
  out.push("  (a first `pulumi preview` under runtime mocks: values computed by AWS are unknown)");
  out.push("");

  out.push(`Resources (${report.resources.length})`);
  out.push(...tree(report.resources).map((l) => `  ${l}`));
  out.push("");

  if (report.programOutput.length > 0 || report.unansweredInvokes.length > 0) {
    out.push("Program diagnostics");
    for (const m of report.programOutput) out.push(`  ${m.severity}: ${m.text.split("\n").join("\n    ")}`);
    for (const t of report.unansweredInvokes)
      out.push(`  warning: invoke ${t} has no offline answer; the program received an empty result`);
    out.push("");
  }

  const found = violations(report);
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

  out.push(...costTable(report));
  out.push("");

  const counts = LEVEL_ORDER.filter((l) => l !== "remediate")
    .map((l) => `${found.filter((f) => f.enforcementLevel === l).length} ${l}`)
    .join(", ");
  const code = exitCodeOf(report);
  const cost = `~${usd(report.cost.monthlyUsd)}/month (idle ${usd(report.cost.idleMonthlyUsd)}, max ${usd(report.cost.maxMonthlyUsd)})`;
  out.push(
    `Summary: ${report.stack}: ${report.resources.length} resources, ${counts} finding(s), ${cost} -> ` +
      (code === 0 ? "OK (exit 0)" : "BLOCKED by mandatory policy (exit 1)"),
  );
  return `${out.join("\n")}\n`;
}

function bySeverity(a: Finding, b: Finding): number {
  return SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity);
}

function finding(f: Finding, r: PlannedResource | undefined): string[] {
  const lines = [`    [${f.severity}] ${f.policy} (${f.policyPack})`];
  lines.push(`      resource: ${r ? `${r.type}  ${r.name}` : f.urn}`);
  const message = f.message.split("\n").filter((l) => l.trim() !== "");
  for (const l of message) lines.push(`      ${l}`);
  return lines;
}

/** Components as branches, their children beneath; default providers listed first. */
export function tree(resources: PlannedResource[]): string[] {
  const children = new Map<string | undefined, PlannedResource[]>();
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
