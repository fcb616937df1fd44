/**
 * Test harness: drives policies through @pulumi/policy's real analyzer server over gRPC, with the
 * same protobuf messages the Pulumi engine sends (Configure, Analyze, AnalyzeStack), so config,
 * enforcement levels, not-applicable answers and unknown preview values behave as in a preview.
 */
import * as grpc from "@grpc/grpc-js";
import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import { Policies } from "@pulumi/policy";
import * as analyzerRpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzerProto from "@pulumi/pulumi/proto/analyzer_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";

/** How the engine sends a value that is unknown during preview (the analyzer's unknown-string sentinel). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** A secret as the engine serialises it. */
export function secret(value: unknown): Record<string, unknown> {
  return { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value };
}

export const PACK_DIR = path.resolve(__dirname, "..");

export interface Diagnostic {
  policyName: string;
  policyPackName: string;
  message: string;
  enforcementLevel: "advisory" | "mandatory" | "disabled" | "remediate";
  severity: "unspecified" | "low" | "medium" | "high" | "critical";
  urn: string;
}

export interface AnalyzeResult {
  diagnostics: Diagnostic[];
  notApplicable: { policyName: string; reason: string }[];
}

export interface TestResource {
  type: string;
  name?: string;
  props: Record<string, unknown>;
  /** For stack analysis: URNs, by property name, that the property's value came from. */
  propertyDependencies?: Record<string, string[]>;
  parent?: string;
}

export type PolicyConfig = Record<string, string | ({ enforcementLevel?: string } & Record<string, unknown>)>;

const LEVELS = ["advisory", "mandatory", "disabled", "remediate"] as const;
const SEVERITIES = ["unspecified", "low", "medium", "high", "critical"] as const;

export function urnOf(type: string, name: string): string {
  return `urn:pulumi:test::ml-platform::${type}::${name}`;
}

/** A gRPC client for a running analyzer, plus the engine's side of Configure. */
export class AnalyzerClient {
  private readonly client: analyzerRpc.AnalyzerClient;

  constructor(port: number) {
    this.client = new analyzerRpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  }

  close(): void {
    this.client.close();
  }

  info(): Promise<analyzerProto.AnalyzerInfo> {
    return new Promise((resolve, reject) =>
      this.client.getAnalyzerInfo(new Empty(), (err, res) => (err ? reject(err) : resolve(res))),
    );
  }

  /**
   * Sends Configure as the engine does for `--policy-pack-config`: every policy gets an entry whose
   * enforcement level is the configured one or the policy's default, with schema defaults filled in.
   */
  async configure(config: PolicyConfig = {}): Promise<void> {
    const info = await this.info();
    const req = new analyzerProto.ConfigureAnalyzerRequest();
    const map = req.getPolicyconfigMap();
    for (const p of info.getPoliciesList()) {
      const given = config[p.getName()];
      const entry = typeof given === "string" ? { enforcementLevel: given } : (given ?? {});
      const { enforcementLevel, ...props } = entry;
      const pc = new analyzerProto.PolicyConfig();
      pc.setEnforcementlevel(
        enforcementLevel
          ? (LEVELS.indexOf(enforcementLevel as (typeof LEVELS)[number]) as analyzerProto.EnforcementLevel)
          : p.getEnforcementlevel(),
      );
      const defaults: Record<string, unknown> = {};
      const schemaProps = p.getConfigschema()?.getProperties()?.toJavaScript() ?? {};
      for (const [k, v] of Object.entries(schemaProps)) {
        const d = (v as { default?: unknown } | null)?.default;
        if (d !== undefined) {
          defaults[k] = d;
        }
      }
      pc.setProperties(Struct.fromJavaScript({ ...defaults, ...props } as never));
      map.set(p.getName(), pc);
    }
    await new Promise<void>((resolve, reject) =>
      this.client.configure(req, (err) => (err ? reject(err) : resolve())),
    );
  }

  analyze(resource: TestResource): Promise<AnalyzeResult> {
    const req = new analyzerProto.AnalyzeRequest();
    const name = resource.name ?? "subject";
    req.setType(resource.type);
    req.setName(name);
    req.setUrn(urnOf(resource.type, name));
    req.setProperties(toStruct(resource.props));
    req.setOptions(new analyzerProto.AnalyzerResourceOptions());
    return new Promise((resolve, reject) =>
      this.client.analyze(req, (err, res) => (err ? reject(err) : resolve(toResult(res)))),
    );
  }

  analyzeStack(resources: TestResource[]): Promise<AnalyzeResult> {
    const req = new analyzerProto.AnalyzeStackRequest();
    req.setResourcesList(
      resources.map((r, i) => {
        const name = r.name ?? `r${i}`;
        const ar = new analyzerProto.AnalyzerResource();
        ar.setType(r.type);
        ar.setName(name);
        ar.setUrn(urnOf(r.type, name));
        ar.setProperties(toStruct(r.props));
        ar.setOptions(new analyzerProto.AnalyzerResourceOptions());
        if (r.parent) {
          ar.setParent(r.parent);
        }
        const deps = ar.getPropertydependenciesMap();
        const all = new Set<string>();
        for (const [k, urns] of Object.entries(r.propertyDependencies ?? {})) {
          const d = new analyzerProto.AnalyzerPropertyDependencies();
          d.setUrnsList(urns);
          deps.set(k, d);
          urns.forEach((u) => all.add(u));
        }
        ar.setDependenciesList([...all]);
        return ar;
      }),
    );
    return new Promise((resolve, reject) =>
      this.client.analyzeStack(req, (err, res) => (err ? reject(err) : resolve(toResult(res)))),
    );
  }
}

/** Properties as the engine sends them: absent (undefined) properties are simply not there. */
function toStruct(props: Record<string, unknown>): Struct {
  return Struct.fromJavaScript(JSON.parse(JSON.stringify(props)));
}

function toResult(res: analyzerProto.AnalyzeResponse): AnalyzeResult {
  return {
    diagnostics: res.getDiagnosticsList().map((d) => ({
      policyName: d.getPolicyname(),
      policyPackName: d.getPolicypackname(),
      message: d.getMessage(),
      enforcementLevel: LEVELS[d.getEnforcementlevel()],
      severity: SEVERITIES[d.getSeverity()],
      urn: d.getUrn(),
    })),
    notApplicable: res
      .getNotApplicableList()
      .map((n) => ({ policyName: n.getPolicyName(), reason: n.getReason() })),
  };
}

/**
 * Starts @pulumi/policy's analyzer server in this process (its `serve`, exactly as `new PolicyPack`
 * calls it) and returns a gRPC client. One server per test file: the server allows one pack per process.
 */
export async function startInProcessAnalyzer(
  policies: Policies,
  packName = "ml-platform-guardrails",
): Promise<{ client: AnalyzerClient; stop: () => void }> {
  const server = require("@pulumi/policy/server") as {
    serve: (name: string, version: string, level: string, args: { policies: Policies }) => void;
  };
  let grpcServer: grpc.Server | undefined;
  const bind = jest.spyOn(grpc.Server.prototype, "bindAsync").mockImplementation(function (
    this: grpc.Server,
    ...args: Parameters<grpc.Server["bindAsync"]>
  ) {
    // The server object is only reachable here, to shut it down after the test.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    grpcServer = this;
    bind.mockRestore();
    return this.bindAsync(...args);
  });
  const port = await new Promise<number>((resolve) => {
    const log = jest.spyOn(console, "log").mockImplementation((line: unknown) => {
      log.mockRestore();
      resolve(Number(line));
    });
    server.serve(packName, "0.1.0", "advisory", { policies });
  });
  const client = new AnalyzerClient(port);
  return {
    client,
    stop: () => {
      client.close();
      grpcServer?.forceShutdown();
    },
  };
}

/** Starts the pack the way the Pulumi CLI does: `node @pulumi/pulumi/cmd/run-policy-pack <engine> <packDir>` in the pack directory. */
export function startPackProcess(
  packDir = PACK_DIR,
  env: NodeJS.ProcessEnv = {},
): Promise<{ port: number; child: ChildProcess; stderr: () => string }> {
  const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [packDir] });
  const child = spawn(process.execPath, [runner, "127.0.0.1:0", packDir], {
    cwd: packDir,
    env: { ...cleanEnv(), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const line = out.split("\n")[0];
      if (out.includes("\n") && /^\d+$/.test(line.trim())) {
        resolve({ port: Number(line.trim()), child, stderr: () => err });
      }
    });
    child.on("exit", (code) =>
      reject(new Error(`policy pack exited with ${code} before printing its port:\n${err}`)),
    );
  });
}

/** The environment without AWS credentials, so no test ever reaches for a live account. */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of Object.keys(env)) {
    if (/^AWS_/.test(k) || /^ML_PLATFORM_/.test(k)) {
      delete env[k];
    }
  }
  return env;
}

export function violationsOf(result: AnalyzeResult, policyName: string): Diagnostic[] {
  return result.diagnostics.filter((d) => d.policyName === policyName);
}

export function previewAdvisories(result: AnalyzeResult): Diagnostic[] {
  return result.diagnostics.filter((d) => /can't run policy .* during preview/.test(d.message));
}
