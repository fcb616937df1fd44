/**
 * The engine's side of Pulumi's Analyzer gRPC service (pulumi/proto/analyzer.proto), spoken with the
 * service definitions @pulumi/pulumi ships (proto/analyzer_grpc_pb): Handshake, GetAnalyzerInfo,
 * ConfigureStack, Configure, Remediate, Analyze and AnalyzeStack, with requests built as
 * `pulumi preview` builds them (sdk/go/common/resource/plugin/analyzer_plugin.go).
 */
import * as grpc from "@grpc/grpc-js";
import * as analyzerRpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as proto from "@pulumi/pulumi/proto/analyzer_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import type { CapturedOptions } from "./preview-runtime";
import { PlannedResource } from "./resources";

export const ENFORCEMENT_LEVELS = ["advisory", "mandatory", "disabled", "remediate"] as const;
export type EnforcementLevel = (typeof ENFORCEMENT_LEVELS)[number];
export const SEVERITIES = ["unspecified", "low", "medium", "high", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

const LEVEL_TO_PROTO: Record<EnforcementLevel, proto.EnforcementLevel> = {
  advisory: proto.EnforcementLevel.ADVISORY,
  mandatory: proto.EnforcementLevel.MANDATORY,
  disabled: proto.EnforcementLevel.DISABLED,
  remediate: proto.EnforcementLevel.REMEDIATE,
};

export interface PolicyConfigSchema {
  properties: Record<string, Record<string, unknown>>;
  required: string[];
}

export interface PolicyMeta {
  name: string;
  displayName: string;
  description: string;
  message: string;
  enforcementLevel: EnforcementLevel;
  severity: Severity;
  kind: "resource" | "stack" | "unknown";
  configSchema?: PolicyConfigSchema;
  remediationSteps: string;
  url: string;
}

export interface PolicyConfig {
  enforcementLevel: EnforcementLevel;
  properties: Record<string, unknown>;
}

export interface AnalyzerInfo {
  name: string;
  displayName: string;
  version: string;
  description: string;
  supportsConfig: boolean;
  policies: PolicyMeta[];
  initialConfig: Record<string, Partial<PolicyConfig>>;
}

export interface Diagnostic {
  policyName: string;
  policyPackName: string;
  policyPackVersion: string;
  description: string;
  message: string;
  enforcementLevel: EnforcementLevel;
  severity: Severity;
  urn: string;
}

export interface Remediation {
  policyName: string;
  policyPackName: string;
  policyPackVersion: string;
  description: string;
  /** The remediated properties (wire form), when the policy changed the resource. */
  properties?: Record<string, unknown>;
  /** Set when the remediation could not run (for example on unknown values during preview). */
  diagnostic: string;
}

export interface StackIdentity {
  project: string;
  stack: string;
  organization: string;
}

/** Promise-returning wrapper around the generated AnalyzerClient. */
export class AnalyzerClient {
  private readonly client: analyzerRpc.AnalyzerClient;

  constructor(readonly address: string) {
    // The engine lifts the message size limits: a stack analysis carries every resource.
    this.client = new analyzerRpc.AnalyzerClient(address, grpc.credentials.createInsecure(), {
      "grpc.max_receive_message_length": 400 * 1024 * 1024,
      "grpc.max_send_message_length": 400 * 1024 * 1024,
    });
  }

  close(): void {
    this.client.close();
  }

  /** Resolves once the channel is connected (or rejects after `timeoutMs`). */
  waitForReady(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) =>
      this.client.waitForReady(Date.now() + timeoutMs, (err) => (err ? reject(err) : resolve())),
    );
  }

  /** Handshake is optional for analyzers: UNIMPLEMENTED means "old protocol", as the engine treats it. */
  async handshake(engineAddress: string, packDir: string): Promise<boolean> {
    const req = new proto.AnalyzerHandshakeRequest();
    req.setEngineAddress(engineAddress);
    req.setRootDirectory(packDir);
    req.setProgramDirectory(packDir);
    try {
      await unary<proto.AnalyzerHandshakeResponse>((cb) => this.client.handshake(req, cb));
      return true;
    } catch (err) {
      if ((err as grpc.ServiceError).code === grpc.status.UNIMPLEMENTED) return false;
      throw err;
    }
  }

  async configureStack(
    id: StackIdentity,
    config: Record<string, string>,
    secretKeys: string[],
    tags: Record<string, string>,
  ): Promise<void> {
    const req = new proto.AnalyzerStackConfigureRequest();
    for (const [k, v] of Object.entries(tags)) req.getTagsMap().set(k, v);
    req.setStack(id.stack);
    req.setProject(id.project);
    req.setOrganization(id.organization);
    req.setDryRun(true);
    const map = req.getConfigMap();
    for (const [k, v] of Object.entries(config)) if (!secretKeys.includes(k)) map.set(k, v);
    req.setConfigSecretKeysList(secretKeys);
    try {
      await unary((cb) => this.client.configureStack(req, cb));
    } catch (err) {
      if ((err as grpc.ServiceError).code !== grpc.status.UNIMPLEMENTED) throw err;
    }
  }

  async info(): Promise<AnalyzerInfo> {
    const res = await unary<proto.AnalyzerInfo>((cb) => this.client.getAnalyzerInfo(new Empty(), cb));
    const initialConfig: AnalyzerInfo["initialConfig"] = {};
    res.getInitialconfigMap().forEach((pc, name) => {
      initialConfig[name] = {
        enforcementLevel: ENFORCEMENT_LEVELS[pc.getEnforcementlevel()],
        properties: (pc.getProperties()?.toJavaScript() ?? {}) as Record<string, unknown>,
      };
    });
    return {
      name: res.getName(),
      displayName: res.getDisplayname(),
      version: res.getVersion(),
      description: res.getDescription(),
      supportsConfig: res.getSupportsconfig(),
      initialConfig,
      policies: res.getPoliciesList().map((p) => {
        const schema = p.getConfigschema();
        return {
          name: p.getName(),
          displayName: p.getDisplayname(),
          description: p.getDescription(),
          message: p.getMessage(),
          enforcementLevel: ENFORCEMENT_LEVELS[p.getEnforcementlevel()],
          severity: SEVERITIES[p.getSeverity()] ?? "unspecified",
          kind: (["unknown", "resource", "stack"] as const)[p.getPolicyType()] ?? "unknown",
          configSchema: schema
            ? {
                properties: (schema.getProperties()?.toJavaScript() ??
                  {}) as PolicyConfigSchema["properties"],
                required: schema.getRequiredList(),
              }
            : undefined,
          remediationSteps: p.getRemediationSteps(),
          url: p.getUrl(),
        };
      }),
    };
  }

  async configure(config: Record<string, PolicyConfig>): Promise<void> {
    const req = new proto.ConfigureAnalyzerRequest();
    const map = req.getPolicyconfigMap();
    for (const [name, c] of Object.entries(config)) {
      const pc = new proto.PolicyConfig();
      pc.setEnforcementlevel(LEVEL_TO_PROTO[c.enforcementLevel]);
      pc.setProperties(Struct.fromJavaScript(c.properties as never));
      map.set(name, pc);
    }
    await unary((cb) => this.client.configure(req, cb));
  }

  async remediate(r: PlannedResource, provider?: PlannedResource): Promise<Remediation[]> {
    const res = await unary<proto.RemediateResponse>((cb) =>
      this.client.remediate(analyzeRequest(r, provider), cb),
    );
    return res.getRemediationsList().map((m) => ({
      policyName: m.getPolicyname(),
      policyPackName: m.getPolicypackname(),
      policyPackVersion: m.getPolicypackversion(),
      description: m.getDescription(),
      properties: m.getProperties()?.toJavaScript() as Record<string, unknown> | undefined,
      diagnostic: m.getDiagnostic(),
    }));
  }

  async analyze(r: PlannedResource, provider?: PlannedResource): Promise<Diagnostic[]> {
    const res = await unary<proto.AnalyzeResponse>((cb) =>
      this.client.analyze(analyzeRequest(r, provider), cb),
    );
    return res.getDiagnosticsList().map(diagnosticOf);
  }

  async analyzeStack(
    resources: PlannedResource[],
    providers: Map<string, PlannedResource>,
  ): Promise<Diagnostic[]> {
    const req = new proto.AnalyzeStackRequest();
    req.setResourcesList(
      resources.map((r) => {
        const ar = new proto.AnalyzerResource();
        ar.setUrn(r.urn);
        ar.setType(r.type);
        ar.setName(r.name);
        ar.setProperties(Struct.fromJavaScript(r.properties as never));
        ar.setOptions(optionsMessage(r.options, r.parent));
        const provider = r.providerUrn ? providers.get(r.providerUrn) : undefined;
        if (provider) ar.setProvider(providerMessage(provider));
        if (r.parent) ar.setParent(r.parent);
        ar.setDependenciesList(r.dependencies);
        const deps = ar.getPropertydependenciesMap();
        for (const [key, urns] of Object.entries(r.propertyDependencies)) {
          if (urns.length === 0) continue; // the engine skips properties without dependencies
          const pd = new proto.AnalyzerPropertyDependencies();
          pd.setUrnsList(urns);
          deps.set(key, pd);
        }
        return ar;
      }),
    );
    try {
      const res = await unary<proto.AnalyzeResponse>((cb) => this.client.analyzeStack(req, cb));
      return res.getDiagnosticsList().map(diagnosticOf);
    } catch (err) {
      // A pack too old for stack analysis is skipped, as the engine does.
      if ((err as grpc.ServiceError).code === grpc.status.UNIMPLEMENTED) return [];
      throw err;
    }
  }
}

function unary<T = unknown>(
  call: (cb: (err: grpc.ServiceError | null, res: T) => void) => unknown,
): Promise<T> {
  return new Promise((resolve, reject) => call((err, res) => (err ? reject(err) : resolve(res))));
}

function analyzeRequest(r: PlannedResource, provider?: PlannedResource): proto.AnalyzeRequest {
  const req = new proto.AnalyzeRequest();
  req.setUrn(r.urn);
  req.setType(r.type);
  req.setName(r.name);
  req.setProperties(Struct.fromJavaScript(r.properties as never));
  req.setOptions(optionsMessage(r.options, r.parent));
  if (provider) req.setProvider(providerMessage(provider));
  return req;
}

function providerMessage(p: PlannedResource): proto.AnalyzerProviderResource {
  const m = new proto.AnalyzerProviderResource();
  m.setUrn(p.urn);
  m.setType(p.type);
  m.setName(p.name);
  m.setProperties(Struct.fromJavaScript(p.properties as never));
  return m;
}

function optionsMessage(o: CapturedOptions, parent?: string): proto.AnalyzerResourceOptions {
  const m = new proto.AnalyzerResourceOptions();
  m.setProtect(o.protect);
  m.setIgnorechangesList(o.ignoreChanges);
  m.setDeletebeforereplace(o.deleteBeforeReplace ?? false);
  m.setDeletebeforereplacedefined(o.deleteBeforeReplace !== undefined);
  m.setAdditionalsecretoutputsList(o.additionalSecretOutputs);
  m.setAliasesList(o.aliases);
  const t = new proto.AnalyzerResourceOptions.CustomTimeouts();
  t.setCreate(durationSeconds(o.customTimeouts.create));
  t.setUpdate(durationSeconds(o.customTimeouts.update));
  t.setDelete(durationSeconds(o.customTimeouts.delete));
  m.setCustomtimeouts(t);
  if (parent) m.setParent(parent);
  return m;
}

/** Go duration text ("1h30m", "45m", "90s", "1.5h") -> seconds, as the engine parses custom timeouts. */
export function durationSeconds(text: string): number {
  if (!text) return 0;
  const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001, us: 1e-6, µs: 1e-6, ns: 1e-9 };
  let total = 0;
  const re = /(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g;
  let matched = "";
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * units[m[2]];
    matched += m[0];
  }
  return matched === text ? total : 0;
}

function diagnosticOf(d: proto.AnalyzeDiagnostic): Diagnostic {
  return {
    policyName: d.getPolicyname(),
    policyPackName: d.getPolicypackname(),
    policyPackVersion: d.getPolicypackversion(),
    description: d.getDescription(),
    message: d.getMessage(),
    enforcementLevel: ENFORCEMENT_LEVELS[d.getEnforcementlevel()],
    severity: SEVERITIES[d.getSeverity()] ?? "unspecified",
    urn: d.getUrn(),
  };
}
