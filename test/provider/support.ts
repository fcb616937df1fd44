/**
 * The Pulumi CLI's side of a component provider, for tests without the CLI:
 *
 * - `startProvider` starts provider/ as the CLI starts a Node.js plugin from PulumiPlugin.yaml: the
 *   language host runs `node <@pulumi/pulumi/cmd/run-plugin, resolved from the plugin folder>
 *   <plugin folder> <engine address>` in the user's working directory, with
 *   `PULUMI_NODEJS_TYPESCRIPT=true` (runtime option `typescript`, default true), and reads the
 *   port from the first line of stdout (RunPlugin in sdk/nodejs/cmd/pulumi-language-nodejs/main.go,
 *   ExecPlugin and newPlugin in sdk/go/common/resource/plugin/plugin.go, pulumi/pulumi).
 * - `startEngine` serves the engine's Log service and a resource monitor that answers like a first
 *   `pulumi preview` under mocks: RegisterResource echoes the inputs (no provider-computed output
 *   is known), invokes get the offline plan's answers (cli/invokes), every registration is kept.
 * - `ProviderClient` speaks the ResourceProvider service (GetSchema, Configure, Construct) with
 *   the service definitions @pulumi/pulumi ships.
 */
import { ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as engineRpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import * as engineProto from "@pulumi/pulumi/proto/engine_pb";
import * as providerRpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as providerProto from "@pulumi/pulumi/proto/provider_pb";
import * as resourceRpc from "@pulumi/pulumi/proto/resource_grpc_pb";
import * as resourceProto from "@pulumi/pulumi/proto/resource_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { answerInvoke } from "../../cli/invokes";

export const ROOT = path.resolve(__dirname, "..", "..");
export const PROVIDER_DIR = path.join(ROOT, "provider");

export interface Registered {
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  parent: string;
  inputs: Record<string, any>;
  dependencies: string[];
}

export interface LogLine {
  severity: string;
  message: string;
  urn: string;
}

export interface Engine {
  address: string;
  logs: LogLine[];
  registered: Registered[];
  invokes: string[];
  stop(): Promise<void>;
}

const SEVERITIES: Record<number, string> = { 0: "debug", 1: "info", 2: "warning", 3: "error" };

/** The engine's Log service and a mock resource monitor on one loopback port. */
export async function startEngine(stack: string, project: string): Promise<Engine> {
  const logs: LogLine[] = [];
  const registered: Registered[] = [];
  const invokes: string[] = [];
  const server = new grpc.Server();
  const empty = (_call: unknown, cb: grpc.sendUnaryData<Empty>) => cb(null, new Empty());
  server.addService(engineRpc.EngineService, {
    log: (call: grpc.ServerUnaryCall<engineProto.LogRequest, Empty>, cb: grpc.sendUnaryData<Empty>) => {
      const req = call.request;
      logs.push({
        severity: SEVERITIES[req.getSeverity()] ?? "?",
        message: req.getMessage(),
        urn: req.getUrn(),
      });
      cb(null, new Empty());
    },
    getRootResource: (_call: unknown, cb: grpc.sendUnaryData<engineProto.GetRootResourceResponse>) =>
      cb(null, new engineProto.GetRootResourceResponse()),
    setRootResource: (_call: unknown, cb: grpc.sendUnaryData<engineProto.SetRootResourceResponse>) =>
      cb(null, new engineProto.SetRootResourceResponse()),
    startDebugging: empty,
  } as any);
  const urnOf = (parent: string, type: string, name: string) => {
    const qualified = parent ? `${parent.split("::")[2]}$${type}` : type;
    return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
  };
  server.addService(resourceRpc.ResourceMonitorService, {
    supportsFeature: (
      _call: grpc.ServerUnaryCall<
        resourceProto.SupportsFeatureRequest,
        resourceProto.SupportsFeatureResponse
      >,
      cb: grpc.sendUnaryData<resourceProto.SupportsFeatureResponse>,
    ) => {
      const resp = new resourceProto.SupportsFeatureResponse();
      resp.setHassupport(true);
      cb(null, resp);
    },
    registerResource: (
      call: grpc.ServerUnaryCall<
        resourceProto.RegisterResourceRequest,
        resourceProto.RegisterResourceResponse
      >,
      cb: grpc.sendUnaryData<resourceProto.RegisterResourceResponse>,
    ) => {
      const req = call.request;
      const urn = urnOf(req.getParent(), req.getType(), req.getName());
      const inputs = (req.getObject()?.toJavaScript() ?? {}) as Record<string, any>;
      registered.push({
        urn,
        type: req.getType(),
        name: req.getName(),
        custom: req.getCustom(),
        parent: req.getParent(),
        inputs,
        dependencies: req.getDependenciesList(),
      });
      const resp = new resourceProto.RegisterResourceResponse();
      resp.setUrn(urn);
      // A first preview: custom resources have no id yet and only their inputs are known.
      if (req.getCustom()) resp.setObject(Struct.fromJavaScript(inputs));
      cb(null, resp);
    },
    registerResourceOutputs: empty,
    invoke: (
      call: grpc.ServerUnaryCall<resourceProto.ResourceInvokeRequest, providerProto.InvokeResponse>,
      cb: grpc.sendUnaryData<providerProto.InvokeResponse>,
    ) => {
      const token = call.request.getTok();
      invokes.push(token);
      const args = (call.request.getArgs()?.toJavaScript() ?? {}) as Record<string, unknown>;
      const outcome = answerInvoke(token, args, { region: "us-east-1" });
      const resp = new providerProto.InvokeResponse();
      if ("answer" in outcome) resp.setReturn(Struct.fromJavaScript(outcome.answer as any));
      else
        return cb({
          code: grpc.status.UNKNOWN,
          details: `no offline answer for ${token}`,
        } as grpc.ServiceError);
      cb(null, resp);
    },
    registerPackage: (_call: unknown, cb: grpc.sendUnaryData<resourceProto.RegisterPackageResponse>) => {
      const resp = new resourceProto.RegisterPackageResponse();
      resp.setRef("package");
      cb(null, resp);
    },
  } as any);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return {
    address: `127.0.0.1:${port}`,
    logs,
    registered,
    invokes,
    stop: () => new Promise((resolve) => server.tryShutdown(() => resolve())),
  };
}

export interface ProviderProcess {
  port: number;
  child: ChildProcess;
  stderr: () => string;
  /** Milliseconds from spawn to the port on stdout. */
  startMs: number;
  stop(): void;
}

/**
 * Starts the provider as the CLI does and resolves with the port it prints. The start loads the
 * compiled components (provider/dist) and @pulumi/aws: a second or two on a quiet machine, more on
 * a crowded one.
 */
export function startProvider(
  engineAddress: string,
  cwd = ROOT,
  timeoutMs = 300_000,
  pluginDir = PROVIDER_DIR,
): Promise<ProviderProcess> {
  const runPlugin = require.resolve("@pulumi/pulumi/cmd/run-plugin", { paths: [pluginDir] });
  const started = Date.now();
  const child = spawn(process.execPath, [runPlugin, pluginDir, engineAddress], {
    cwd,
    env: { ...process.env, PULUMI_NODEJS_TYPESCRIPT: "true" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`the provider printed no port within ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    child.stdout!.on("data", (d) => {
      stdout += d;
      const line = stdout.split("\n");
      if (line.length < 2) return;
      clearTimeout(timer);
      const port = Number(line[0].trim());
      if (!Number.isInteger(port) || port <= 0)
        return reject(
          new Error(`the provider wrote ${JSON.stringify(line[0])}, not a port; stderr: ${stderr}`),
        );
      resolve({ port, child, stderr: () => stderr, startMs: Date.now() - started, stop: () => child.kill() });
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the provider exited with code ${code} before it printed a port: ${stderr}`));
    });
  });
}

const unary = <T>(call: (cb: (err: grpc.ServiceError | null, resp: T) => void) => void): Promise<T> =>
  new Promise((resolve, reject) => call((err, resp) => (err ? reject(err) : resolve(resp))));

export interface ConstructArgs {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  /** Per input, the URNs it came from (what the engine sends for outputs of other resources). */
  inputDependencies?: Record<string, string[]>;
  monitor: string;
  project: string;
  stack: string;
  config?: Record<string, string>;
  dryRun?: boolean;
}

/** Promise-returning wrapper around the generated ResourceProviderClient. */
export class ProviderClient {
  private readonly client: providerRpc.ResourceProviderClient;

  constructor(port: number) {
    this.client = new providerRpc.ResourceProviderClient(
      `127.0.0.1:${port}`,
      grpc.credentials.createInsecure(),
      {
        "grpc.max_receive_message_length": 64 * 1024 * 1024,
      },
    );
  }

  close(): void {
    this.client.close();
  }

  async getSchema(): Promise<any> {
    const req = new providerProto.GetSchemaRequest();
    req.setVersion(0);
    const resp = await unary<providerProto.GetSchemaResponse>((cb) => this.client.getSchema(req, cb));
    return JSON.parse(resp.getSchema());
  }

  async configure(): Promise<void> {
    const req = new providerProto.ConfigureRequest();
    req.setAcceptsecrets(true);
    req.setAcceptresources(true);
    await unary((cb) => this.client.configure(req, cb));
  }

  /** Construct as the engine sends it for a remote component; resolves with the URN and outputs. */
  async construct(args: ConstructArgs): Promise<{ urn: string; state: Record<string, any> }> {
    const req = new providerProto.ConstructRequest();
    req.setProject(args.project);
    req.setStack(args.stack);
    req.setOrganization("organization");
    req.setDryrun(args.dryRun ?? true);
    req.setParallel(4);
    req.setMonitorendpoint(args.monitor);
    req.setType(args.type);
    req.setName(args.name);
    req.setInputs(Struct.fromJavaScript(args.inputs as any));
    req.setAcceptsOutputValues(true);
    const config = req.getConfigMap();
    for (const [k, v] of Object.entries(args.config ?? {})) config.set(k, v);
    const deps = req.getInputdependenciesMap();
    for (const [k, urns] of Object.entries(args.inputDependencies ?? {})) {
      const d = new providerProto.ConstructRequest.PropertyDependencies();
      d.setUrnsList(urns);
      deps.set(k, d);
    }
    const resp = await unary<providerProto.ConstructResponse>((cb) => this.client.construct(req, cb));
    return { urn: resp.getUrn(), state: (resp.getState()?.toJavaScript() ?? {}) as Record<string, any> };
  }
}
