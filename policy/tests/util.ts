/**
 * Test conveniences for the pack. The analyzer is spoken to with the offline plan's own client
 * (`cli/plan/analyzer-client.ts`) and configured as the plan configures it
 * (`cli/plan/policy-config.ts`), so tests and `npm run plan` send the same requests; the pack
 * process is started with the plan's launcher (`cli/plan/pack-process.ts`). What stays here:
 * building resources for a request, an in-process server for fast policy tests, direct calls of a
 * policy's validation (for its not-applicable answers), and assertion helpers.
 */
import * as grpc from "@grpc/grpc-js";
import * as path from "path";
import { Policies, StackValidationPolicy } from "@pulumi/policy";
import { specialSecretSig, specialSigKey, unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { AnalyzerClient, AnalyzerInfo, Diagnostic } from "../../cli/plan/analyzer-client";
import { parsePolicyConfig, reconcile, validate } from "../../cli/plan/policy-config";
import { PlannedResource } from "../../cli/plan/resources";

export type { Diagnostic } from "../../cli/plan/analyzer-client";

// @pulumi/policy's own proxy (its typings leave it out as internal): the analyzer wraps every
// property bag in it, so a direct call sees unknowns exactly as a served policy does.
const { unknownCheckingProxy } = require("@pulumi/policy/proxy") as {
  unknownCheckingProxy: <T>(value: T) => T;
};

/** How the engine sends a value that is unknown during preview. */
export const UNKNOWN: string = unknownValue;

/** A secret as the engine serialises it. */
export function secret(value: unknown): Record<string, unknown> {
  return { [specialSigKey]: specialSecretSig, value };
}

export const PACK_DIR = path.resolve(__dirname, "..");

/** The prefix of a "could not check" diagnostic. */
export const NOT_CHECKED = "not checked: ";

export interface AnalyzeResult {
  diagnostics: Diagnostic[];
}

export interface TestResource {
  type: string;
  name?: string;
  props: Record<string, unknown>;
  /** For stack analysis: URNs, by property name, that the property's value came from. */
  propertyDependencies?: Record<string, string[]>;
  /** Extra resource-level dependencies (`dependsOn`), besides those of the properties. */
  dependencies?: string[];
  parent?: string;
}

/** `--policy-pack-config` content: policy name -> level, or -> `{enforcementLevel?, ...props}`. */
export type PolicyConfig = Record<string, string | ({ enforcementLevel?: string } & Record<string, unknown>)>;

export function urnOf(type: string, name: string): string {
  return `urn:pulumi:test::ml-platform::${type}::${name}`;
}

/** A test resource as the plan holds it: wire-form properties, default options, its dependencies. */
export function planned(r: TestResource, index = 0): PlannedResource {
  const name = r.name ?? `r${index}`;
  const propertyDependencies = r.propertyDependencies ?? {};
  const dependencies = [
    ...new Set([...(r.dependencies ?? []), ...Object.values(propertyDependencies).flat()]),
  ];
  return {
    urn: urnOf(r.type, name),
    type: r.type,
    name,
    custom: true,
    parent: r.parent,
    dependencies,
    propertyDependencies,
    // Absent (undefined) properties are simply not there, as on the wire.
    properties: JSON.parse(JSON.stringify(r.props)),
    options: {
      protect: false,
      ignoreChanges: [],
      additionalSecretOutputs: [],
      aliases: [],
      customTimeouts: { create: "", update: "", delete: "" },
    },
  };
}

/** The plan's analyzer client with the conveniences tests want: config files as objects, test resources. */
export class PackClient {
  constructor(
    readonly analyzer: AnalyzerClient,
    private infoCache?: AnalyzerInfo,
  ) {}

  async info(): Promise<AnalyzerInfo> {
    this.infoCache ??= await this.analyzer.info();
    return this.infoCache;
  }

  /** Configure as `npm run plan --policy-config` does: defaults and schema defaults, then this config. */
  async configure(config: PolicyConfig = {}): Promise<void> {
    const file = parsePolicyConfig(JSON.stringify(config), "test config");
    await this.analyzer.configure(reconcile(await this.info(), [file]));
  }

  async analyze(r: TestResource): Promise<AnalyzeResult> {
    return { diagnostics: await this.analyzer.analyze(planned({ name: "subject", ...r })) };
  }

  async analyzeStack(resources: TestResource[]): Promise<AnalyzeResult> {
    return { diagnostics: await this.analyzer.analyzeStack(resources.map(planned), new Map()) };
  }

  /** What `pulumi preview --policy-pack` does: Analyze each resource, then AnalyzeStack once. */
  async preview(resources: TestResource[]): Promise<AnalyzeResult> {
    const diagnostics: Diagnostic[] = [];
    for (const [i, r] of resources.entries()) {
      diagnostics.push(...(await this.analyzer.analyze(planned(r, i))));
    }
    diagnostics.push(...(await this.analyzeStack(resources)).diagnostics);
    return { diagnostics };
  }

  close(): void {
    this.analyzer.close();
  }
}

/**
 * Starts @pulumi/policy's analyzer server in this process (its `serve`, exactly as `new PolicyPack`
 * calls it) and returns the plan's client for it. One server per test file: the server allows one
 * pack per process. Policies can take test clocks this way; `pack-process.test.ts` covers the pack
 * started as the CLI starts it.
 */
export async function startInProcessAnalyzer(
  policies: Policies,
  packName = "ml-platform-guardrails",
): Promise<{ client: PackClient; stop: () => void }> {
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
  const client = new PackClient(new AnalyzerClient(`127.0.0.1:${port}`));
  return {
    client,
    stop: () => {
      client.close();
      grpcServer?.forceShutdown();
    },
  };
}

/** What a direct call of a validation answered: its reports, or the reason it gave for not applying. */
export interface DirectResult {
  reports: { message: string; urn?: string; enforcementLevel?: string }[];
  notApplicable?: string;
}

class NotApplicable extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

function directReport(reports: DirectResult["reports"]) {
  return (message: unknown, urn?: string) => {
    if (typeof message === "object" && message !== null) {
      const m = message as { message?: string; urn?: string; enforcementLevel?: string };
      reports.push({ message: m.message ?? "", urn: m.urn, enforcementLevel: m.enforcementLevel });
    } else {
      reports.push({ message: String(message), urn });
    }
  };
}

/**
 * Calls a stack policy's validation directly, with properties behind @pulumi/policy's own
 * unknown-checking proxy (as the analyzer hands them over) and `config` as `getConfig()` returns it.
 * For answers the wire does not carry to the plan (not applicable, with its reason).
 */
export async function runStackPolicy(
  policy: StackValidationPolicy,
  resources: TestResource[],
  config: Record<string, unknown> = {},
): Promise<DirectResult> {
  const byUrn = new Map<string, Record<string, unknown>>();
  const list = resources.map((r, i) => {
    const p = planned(r, i);
    const res: Record<string, unknown> = {
      type: p.type,
      name: p.name,
      urn: p.urn,
      props: unknownCheckingProxy(p.properties),
      opts: {},
      dependencies: [],
      propertyDependencies: {},
      isType: () => false,
      asType: () => undefined,
    };
    byUrn.set(p.urn, res);
    return { res, p };
  });
  for (const { res, p } of list) {
    res.dependencies = p.dependencies.map((u) => byUrn.get(u)).filter(Boolean);
    res.propertyDependencies = Object.fromEntries(
      Object.entries(p.propertyDependencies).map(([k, urns]) => [
        k,
        urns.map((u) => byUrn.get(u)).filter(Boolean),
      ]),
    );
    if (p.parent) res.parent = byUrn.get(p.parent);
  }
  const reports: DirectResult["reports"] = [];
  try {
    await policy.validateStack!(
      {
        resources: list.map((l) => l.res),
        getConfig: () => config,
        notApplicable: (reason?: string) => {
          throw new NotApplicable(reason ?? "");
        },
      } as never,
      directReport(reports) as never,
    );
  } catch (e) {
    if (e instanceof NotApplicable) return { reports, notApplicable: e.reason };
    throw e;
  }
  return { reports };
}

export function violationsOf(result: AnalyzeResult, policyName: string): Diagnostic[] {
  return result.diagnostics.filter((d) => d.policyName === policyName);
}

/** The analyzer's own "can't run policy ... during preview" advisories. */
export function previewAdvisories(result: AnalyzeResult): Diagnostic[] {
  return result.diagnostics.filter((d) => /can't run policy .* during preview/.test(d.message));
}

/** Our `not checked: ` diagnostics. */
export function notChecked(result: AnalyzeResult, policyName?: string): Diagnostic[] {
  return result.diagnostics.filter(
    (d) => d.message.startsWith(NOT_CHECKED) && (!policyName || d.policyName === policyName),
  );
}

/** Every "could not check" answer: ours and the analyzer's. */
export function unchecked(result: AnalyzeResult): Diagnostic[] {
  return result.diagnostics.filter(
    (d) => d.message.startsWith(NOT_CHECKED) || /can't run policy .* during preview/.test(d.message),
  );
}

/** Violations proper: neither kind of "could not check". */
export function findingsOf(result: AnalyzeResult, policyName: string): Diagnostic[] {
  const u = new Set(unchecked(result));
  return violationsOf(result, policyName).filter((d) => !u.has(d));
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

/**
 * The plan's policy-config check (cli/plan/policy-config `validate`) of `properties` against one
 * policy's published config schema, as the pack's GetAnalyzerInfo would publish it.
 */
export function policyConfigErrors(policy: {
  name: string;
  configSchema?: { properties?: Record<string, unknown> };
}): (properties: Record<string, unknown>) => string[] {
  const info = {
    name: "ml-platform-guardrails",
    policies: [
      { name: policy.name, configSchema: { properties: policy.configSchema!.properties, required: [] } },
    ],
  };
  return (properties) =>
    validate(info as never, { [policy.name]: { enforcementLevel: "mandatory", properties } });
}
