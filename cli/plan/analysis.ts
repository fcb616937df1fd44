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
 */
import {
  AnalyzerClient,
  AnalyzerInfo,
  Diagnostic,
  EnforcementLevel,
  PolicyConfig,
  Severity,
} from "./analyzer-client";
import { PlanError } from "./errors";
import { PlannedResource } from "./resources";

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
  /** "remediation": the pack changed the resource's properties (not a violation). */
  kind: "violation" | "remediation";
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
        for (const m of await call(pack, "Remediate", r.urn, () => pack.client.remediate(r, provider))) {
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
      for (const pack of packs)
        for (const d of await call(pack, "Analyze", r.urn, () => pack.client.analyze(r, provider)))
          perResource[i].push(finding(pack, r.urn, d));
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, current.length) }, worker));
  const analyzeMs = Date.now() - started;

  const stackStarted = Date.now();
  const stackFindings: Finding[] = [];
  for (const pack of packs)
    for (const d of await call(pack, "AnalyzeStack", stackUrn, () =>
      pack.client.analyzeStack(current, providers),
    ))
      stackFindings.push(finding(pack, d.urn || stackUrn, d));

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
  kind: Finding["kind"] = "violation",
): Finding {
  const policy = pack.info.policies.find((p) => p.name === d.policyName);
  const level = d.enforcementLevel ?? "advisory";
  return {
    policyPack: d.policyPackName || pack.info.name,
    policyPackVersion: d.policyPackVersion || pack.info.version,
    policy: d.policyName,
    // The engine: a violation that survives remediation is mandatory.
    enforcementLevel: kind === "violation" && level === "remediate" ? "mandatory" : level,
    severity: d.severity && d.severity !== "unspecified" ? d.severity : (policy?.severity ?? "unspecified"),
    urn,
    message: d.message,
    description: d.description || policy?.description || "",
    kind,
  };
}

async function call<T>(pack: ConfiguredPack, method: string, urn: string, rpc: () => Promise<T>): Promise<T> {
  try {
    return await rpc();
  } catch (err) {
    const details = (err as { details?: string }).details ?? (err as Error).message;
    throw new PlanError(
      `policy pack ${pack.info.name} failed in ${method} for ${urn}: ${details.split("\n")[0]}`,
      details,
    );
  }
}
