/**
 * `--format sarif`: SARIF 2.1.0 (OASIS), for code-scanning UIs and CI gates.
 *   - one rule per policy of every pack (id = policy name; `<pack>/<policy>` if two packs share a
 *     name), with its description, help text (remediation steps, else the policy's message, else
 *     its description) and its configured enforcement level as the default level;
 *   - one result per finding, at the analyzed resource: a physical location (the file and line that
 *     declared it, relative to the repository root through `originalUriBaseIds` %SRCROOT%, as GitHub
 *     code scanning requires; findings about the stack point at Pulumi.<stack>.yaml) and a logical
 *     location whose fullyQualifiedName is the resource URN (kind "resource");
 *   - levels: mandatory -> error, advisory -> warning. A violation a pack still reports after
 *     remediating is mandatory (the engine's rule) -> error; a resource a pack remediated in the
 *     plan -> note. Disabled policies report nothing.
 *   - checks that could not run and pack errors are tool execution notifications too
 *     (a pack error also makes `executionSuccessful` false); program diagnostics likewise; severity
 *     shows as the rule's
 *     `security-severity` (critical 9.5, high 8.0, medium 5.5, low 3.0), as code-scanning UIs expect.
 */
import { createHash } from "node:crypto";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { EnforcementLevel, PolicyMeta } from "../analyzer-client";
import { Finding } from "../analysis";
import { policyConfigJson } from "./json";
import { exitCodeOf, notChecked, packErrors, PlanReport, shortUrn } from "../report";
import { SourceLocation } from "../source";

/** The base every relative artifact URI resolves against: the repository (or program) root. */
export const SOURCE_ROOT_ID = "%SRCROOT%";

const SECURITY_SEVERITY: Record<string, string> = { critical: "9.5", high: "8.0", medium: "5.5", low: "3.0" };

export const SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json";

export function sarifLevel(
  level: EnforcementLevel,
  kind: Finding["kind"] = "violation",
): "error" | "warning" | "note" | "none" {
  if (kind === "remediation") return "note";
  switch (level) {
    case "mandatory":
    case "remediate":
      return "error";
    case "advisory":
      return "warning";
    default:
      return "none";
  }
}

interface Rule {
  pack: string;
  policy: PolicyMeta;
  level: EnforcementLevel;
  id: string;
}

export function toSarif(report: PlanReport, toolVersion: string): Record<string, unknown> {
  const rules: Rule[] = [];
  const counts = new Map<string, number>();
  for (const p of report.packs)
    for (const x of p.info.policies) counts.set(x.name, (counts.get(x.name) ?? 0) + 1);
  for (const p of report.packs)
    for (const policy of p.info.policies)
      rules.push({
        pack: p.info.name,
        policy,
        level: p.config[policy.name]?.enforcementLevel ?? policy.enforcementLevel,
        id: counts.get(policy.name)! > 1 ? `${p.info.name}/${policy.name}` : policy.name,
      });
  const ruleIndex = (f: Finding) =>
    rules.findIndex((r) => r.pack === f.policyPack && r.policy.name === f.policy);
  const names = new Map(report.resources.map((r) => [r.urn, r]));

  const results = report.findings
    .filter((f) => f.kind !== "packError")
    .map((f) => {
      const i = ruleIndex(f);
      const resource = names.get(f.urn);
      return {
        ruleId: i >= 0 ? rules[i].id : f.policy,
        ...(i >= 0 ? { ruleIndex: i } : {}),
        kind: "fail",
        level: sarifLevel(f.enforcementLevel, f.kind),
        message: { text: f.message },
        locations: [location(f.urn, resource?.name, f.source)],
        partialFingerprints: {
          "pulumiPolicyFinding/v1": createHash("sha256")
            .update(`${f.policyPack}|${f.policy}|${f.urn}`)
            .digest("hex"),
        },
        properties: {
          policyPack: f.policyPack,
          enforcementLevel: f.enforcementLevel,
          severity: f.severity,
          ...(resource ? { resourceType: resource.type } : {}),
          ...(f.kind === "remediation" ? { remediated: true } : {}),
          ...(f.kind === "notChecked" ? { notChecked: true } : {}),
        },
      };
    });

  const notifications = [
    ...report.warnings.map((w) => ({
      level: "warning",
      message: { text: w.message },
      descriptor: { id: w.kind },
    })),
    ...report.programOutput.map((m) => ({
      level: m.severity === "info" ? "note" : m.severity,
      message: { text: m.text },
    })),
    ...notChecked(report).map((n) => {
      const rule = rules.findIndex((r) => r.pack === n.policyPack && r.policy.name === n.policy);
      return {
        level: n.enforcementLevel === "mandatory" ? "error" : "warning",
        message: {
          text: `not checked: ${n.policy ? `${n.policy} (${n.policyPack})` : "invoke"} on ${shortUrn(n.urn)}: ${n.reason}`,
        },
        locations: [location(n.urn, names.get(n.urn)?.name, n.source ?? undefined)],
        descriptor: { id: "not-checked" },
        ...(rule >= 0 ? { associatedRule: { id: rules[rule].id, index: rule } } : {}),
        properties: {
          notChecked: true,
          policyPack: n.policyPack,
          policy: n.policy,
          urn: n.urn,
          ...(n.invoke ? { invoke: n.invoke } : {}),
        },
      };
    }),
    ...packErrors(report).map((f) => ({
      level: "error",
      message: { text: f.message },
      locations: [location(f.urn, names.get(f.urn)?.name, f.source)],
      descriptor: { id: "pack-error" },
      properties: { packError: true, policyPack: f.policyPack, urn: f.urn },
    })),
  ];

  function location(urn: string, name: string | undefined, source: SourceLocation | undefined) {
    return {
      ...(source ? { physicalLocation: physical(source) } : {}),
      logicalLocations: [{ fullyQualifiedName: urn, name: name ?? urn.split("::").pop(), kind: "resource" }],
    };
  }

  return {
    $schema: SARIF_SCHEMA_URI,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "ml-platform-plan",
            fullName:
              "ml-platform offline plan (Pulumi program under runtime mocks + CrossGuard policy packs)",
            version: toolVersion,
            rules: rules.map((r) => ruleOf(r)),
          },
          extensions: report.packs.map((p) => ({
            name: p.info.name,
            version: p.info.version,
            ...(p.info.description ? { shortDescription: { text: p.info.description } } : {}),
          })),
        },
        originalUriBaseIds: {
          [SOURCE_ROOT_ID]: { uri: `${pathToFileURL(report.sourceRoot).toString().replace(/\/?$/, "/")}` },
        },
        invocations: [
          {
            executionSuccessful: packErrors(report).length === 0,
            exitCode: exitCodeOf(report),
            ...(notifications.length > 0 ? { toolExecutionNotifications: notifications } : {}),
          },
        ],
        automationDetails: { id: `${report.project}/${report.stack}/` },
        results,
        properties: {
          project: report.project,
          stack: report.stack,
          policyConfig: policyConfigJson(report),
          monthlyCostUsd: report.cost.monthlyUsd,
        },
      },
    ],
  };
}

/** A repository-relative artifact (or an absolute file: URI for a file outside the root), and its line. */
function physical(source: SourceLocation): Record<string, unknown> {
  const artifactLocation = path.isAbsolute(source.file)
    ? { uri: pathToFileURL(source.file).toString() }
    : { uri: encodeURI(source.file), uriBaseId: SOURCE_ROOT_ID };
  return {
    artifactLocation,
    region: { startLine: Math.max(1, source.line), ...(source.column ? { startColumn: source.column } : {}) },
  };
}

function ruleOf(r: Rule): Record<string, unknown> {
  const p = r.policy;
  const help = p.remediationSteps || p.message || `${p.description} (enforcement: ${r.level})`;
  return {
    id: r.id,
    name: p.name,
    shortDescription: { text: firstSentence(p.description || p.name) },
    fullDescription: { text: p.description || p.name },
    help: { text: help },
    ...(isUrl(p.url) ? { helpUri: p.url } : {}),
    defaultConfiguration: { level: sarifLevel(r.level), enabled: r.level !== "disabled" },
    properties: {
      policyPack: r.pack,
      enforcementLevel: r.level,
      severity: p.severity,
      tags: ["policy", r.pack, ...(p.kind === "stack" ? ["stack-policy"] : [])],
      ...(SECURITY_SEVERITY[p.severity] ? { "security-severity": SECURITY_SEVERITY[p.severity] } : {}),
    },
  };
}

const firstSentence = (text: string) => {
  const m = /^(.+?[.!?])(\s|$)/.exec(text);
  return m ? m[1] : text;
};

function isUrl(text: string): boolean {
  try {
    return text !== "" && Boolean(new URL(text));
  } catch {
    return false;
  }
}

export const formatSarif = (report: PlanReport, toolVersion: string): string =>
  `${JSON.stringify(toSarif(report, toolVersion), null, 2)}\n`;
