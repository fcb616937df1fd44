/**
 * Hands the plan's resources to every policy pack as `pulumi preview --policy-pack` does
 * (stepGenerator in pkg/resource/deploy/step_generator.go, then the deployment's AnalyzeStack):
 *   1. per resource, in registration order: Remediate with each pack (only packs that have a
 *      policy at "remediate"; the others answer nothing), the remediated properties replacing the
 *      inputs; then Analyze with each pack. The URN of a diagnostic is the analyzed resource's, and
 *      a "remediate" level still reported after remediation counts as mandatory;
 *   2. once: AnalyzeStack with every resource (parent, dependencies, property dependencies).
 * Resources are analyzed concurrently (each resource's own steps stay in order); findings are
 * reported in registration order whatever order the answers arrive in.
 *
 * Findings are classified: a diagnostic whose message starts with `not checked: `, or
 * the analyzer's own `can't run policy ... during preview` advisory, is "notChecked"; a pack that
 * answers a call with an error (a policy threw) is a "packError" finding for that resource and pack,
 * and the other packs' answers are kept.
 */
import {
  AnalyzerClient,
  AnalyzerInfo,
  Diagnostic,
  EnforcementLevel,
  PolicyConfig,
  Severity,
} from "./analyzer-client";
import { PlannedResource } from "./resources";
import type { SourceLocation } from "./source";

export interface ConfiguredPack {
  dir: string;
  client: AnalyzerClient;
  info: AnalyzerInfo;
  config: Record<string, PolicyConfig>;
}

export interface Finding {
  policyPack: string;
  policyPackVersion: string;
  policy: string;
  enforcementLevel: EnforcementLevel;
  severity: Severity;
  urn: string;
  message: string;
  description: string;
  /**
   * violation: a diagnostic; notChecked: a check that could not run; remediation: the
   * pack changed the resource's properties; packError: the pack failed on this resource.
   */
  kind: FindingKind;
  /** The code that declared the resource (set by the plan once sources are known). */
  source?: SourceLocation;
}

export type FindingKind = "violation" | "notChecked" | "remediation" | "packError";

/** The prefix a pack puts on a check it could not run. */
export const NOT_CHECKED_PREFIX = "not checked: ";
/** @pulumi/policy's UnknownValueError advisory (a value the verdict needs is unknown at preview). */
const CANT_RUN = /^can't run policy '[^']*' from policy pack '[^']*' during preview/;

export function isNotChecked(message: string): boolean {
  return message.startsWith(NOT_CHECKED_PREFIX) || CANT_RUN.test(message);
}

export interface AnalysisResult {
  findings: Finding[];
  /** Resources after remediation (what AnalyzeStack saw). */
  resources: PlannedResource[];
  analyzeMs: number;
  analyzeStackMs: number;
}

const CONCURRENCY = 16;

export async function analyzeResources(
  resources: PlannedResource[],
  packs: ConfiguredPack[],
  stackUrn: string,
): Promise<AnalysisResult> {
  const providers = new Map(
    resources.filter((r) => r.type.startsWith("pulumi:providers:")).map((r) => [r.urn, r]),
  );
  const perResource: Finding[][] = resources.map(() => []);
  const current = resources.map((r) => ({ ...r }));
  const remediating = packs.filter((p) =>
    Object.values(p.config).some((c) => c.enforcementLevel === "remediate"),
  );

  const started = Date.now();
  let next = 0;
  const worker = async () => {
    while (next < current.length) {
      const i = next++;
      const r = current[i];
      const provider = r.providerUrn ? providers.get(r.providerUrn) : undefined;
      for (const pack of remediating) {
        const remediations = await call(pack, "Remediate", r.urn, () => pack.client.remediate(r, provider));
        if ("error" in remediations) {
          perResource[i].push(remediations.error);
          continue;
        }
        for (const m of remediations.ok) {
          if (m.diagnostic) {
            perResource[i].push(
              finding(pack, r.urn, { ...m, message: m.diagnostic, enforcementLevel: "advisory" }),
            );
          } else if (m.properties) {
            const message = `remediated: ${m.description}`;
            perResource[i].push(
              finding(pack, r.urn, { ...m, message, enforcementLevel: "remediate" }, "remediation"),
            );
            r.properties = m.properties;
          }
        }
      }
      for (const pack of packs) {
        const diagnostics = await call(pack, "Analyze", r.urn, () => pack.client.analyze(r, provider));
        if ("error" in diagnostics) perResource[i].push(diagnostics.error);
        else for (const d of diagnostics.ok) perResource[i].push(finding(pack, r.urn, d));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, current.length) }, worker));
  const analyzeMs = Date.now() - started;

  const stackStarted = Date.now();
  const stackFindings: Finding[] = [];
  for (const pack of packs) {
    const diagnostics = await call(pack, "AnalyzeStack", stackUrn, () =>
      pack.client.analyzeStack(current, providers),
    );
    if ("error" in diagnostics) stackFindings.push(diagnostics.error);
    else for (const d of diagnostics.ok) stackFindings.push(finding(pack, d.urn || stackUrn, d));
  }

  return {
    findings: [...perResource.flat(), ...stackFindings],
    resources: current,
    analyzeMs,
    analyzeStackMs: Date.now() - stackStarted,
  };
}

function finding(
  pack: ConfiguredPack,
  urn: string,
  d: Partial<Diagnostic> & Pick<Diagnostic, "policyName" | "message">,
  kind: Finding["kind"] = isNotChecked(d.message) ? "notChecked" : "violation",
): Finding {
  const policy = pack.info.policies.find((p) => p.name === d.policyName);
  const level = d.enforcementLevel ?? "advisory";
  return {
    policyPack: d.policyPackName || pack.info.name,
    policyPackVersion: d.policyPackVersion || pack.info.version,
    policy: d.policyName,
    // The engine: a violation that survives remediation is mandatory.
    enforcementLevel: kind !== "remediation" && level === "remediate" ? "mandatory" : level,
    severity: d.severity && d.severity !== "unspecified" ? d.severity : (policy?.severity ?? "unspecified"),
    urn,
    message: d.message,
    description: d.description || policy?.description || "",
    kind,
  };
}

/** A pack's answer, or its failure as a packError finding (the plan goes on with the other packs). */
async function call<T>(
  pack: ConfiguredPack,
  method: string,
  urn: string,
  rpc: () => Promise<T>,
): Promise<{ ok: T } | { error: Finding }> {
  try {
    return { ok: await rpc() };
  } catch (err) {
    const details = String((err as { details?: string }).details ?? (err as Error).message ?? err);
    // @pulumi/policy sends "Error validating resource with policy '<p>' from policy pack '<pack>':\n"
    // and the error's stack: the one line keeps both the policy and what it threw.
    const lines = details
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l !== "");
    const first =
      lines.length > 1 && lines[0].endsWith(":")
        ? `${lines[0]} ${lines[1].replace(/^Error: /, "")}`
        : (lines[0] ?? "");
    return {
      error: {
        policyPack: pack.info.name,
        policyPackVersion: pack.info.version,
        policy: "",
        enforcementLevel: "mandatory",
        severity: "unspecified",
        urn,
        message: `policy pack ${pack.info.name} failed in ${method} for ${urn}: ${first.replace(/^Error: /, "")}`,
        description: details,
        kind: "packError",
      },
    };
  }
}
