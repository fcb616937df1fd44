/**
 * Starts a policy pack the way the Pulumi CLI does for a Node.js pack (NewPolicyAnalyzer in
 * sdk/go/common/resource/plugin/analyzer_plugin.go, and the `pulumi-analyzer-policy` shim):
 *
 *   cd <pack dir> && node <@pulumi/pulumi/cmd/run-policy-pack resolved from the pack> <engine> . [-opt=value...]
 *
 * with PULUMI_CONFIG, PULUMI_{NODEJS_,}{ORGANIZATION,PROJECT,STACK,DRY_RUN} in the environment. The
 * runner registers ts-node (type-checked) for a TypeScript pack and requires the directory; the
 * pack's `new PolicyPack(...)` starts the analyzer server and prints its port on stdout.
 *
 * The plan is offline: the child gets no AWS credentials and never probes instance metadata, so
 * account facts come only from the --inventory / --credential-report exports.
 */
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseYamlFile } from "../yaml-file";
import { PlanError } from "./errors";

/** Passed where the engine's address goes; there is no engine, and packs do not call it. */
export const NO_ENGINE_ADDRESS = "127.0.0.1:0";

/** Variables that would let the AWS SDK in a pack reach a real account. */
const AWS_CREDENTIAL_VARIABLES = [
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_SECURITY_TOKEN",
  "AWS_PROFILE",
  "AWS_DEFAULT_PROFILE",
  "AWS_WEB_IDENTITY_TOKEN_FILE",
  "AWS_ROLE_ARN",
  "AWS_CONTAINER_CREDENTIALS_FULL_URI",
  "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
  "AWS_CONTAINER_AUTHORIZATION_TOKEN",
];

export interface PackProject {
  dir: string;
  runtime: string;
  /** `runtime.options` of PulumiPolicy.yaml, passed to the runner as `-key=value`. */
  options: Record<string, unknown>;
}

export interface PackStartOptions {
  project: string;
  stack: string;
  organization: string;
  /** Stack config (namespace:key -> value); secret keys are left out (they cannot be read offline). */
  config: Record<string, string>;
  secretKeys: string[];
  /** Extra environment (ML_PLATFORM_IAM_INVENTORY, ...). */
  env: Record<string, string>;
  timeoutMs: number;
  /** Called with each line the pack prints after its port, and its stderr (for --verbose). */
  onOutput?: (line: string) => void;
}

export interface PackProcess {
  dir: string;
  port: number;
  child: ChildProcess;
  /** Milliseconds from spawn to the port line. */
  startMs: number;
  stop(): void;
}

/** A pack process that has been spawned: `ready` resolves once it printed its port. */
export interface StartingPack {
  dir: string;
  /** The process (absent for a pack that was already running). */
  child?: ChildProcess;
  ready: Promise<PackProcess>;
  stop(): void;
}

/** Reads PulumiPolicy.yaml; only Node.js packs can run here. */
export function readPackProject(dir: string): PackProject {
  const file = path.join(dir, "PulumiPolicy.yaml");
  let doc: unknown;
  try {
    doc = parseYamlFile(fs.readFileSync(file, "utf8"), file);
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === "ENOENT";
    throw new PlanError(
      missing
        ? `--policy-pack ${dir}: no PulumiPolicy.yaml there (is it a policy pack directory?)`
        : `--policy-pack ${dir}: ${(err as Error).message}`,
    );
  }
  const runtime = (doc as { runtime?: unknown } | null)?.runtime;
  const name = typeof runtime === "string" ? runtime : (runtime as { name?: unknown } | undefined)?.name;
  const options =
    (typeof runtime === "object" && runtime ? (runtime as { options?: unknown }).options : {}) ?? {};
  if (name !== "nodejs")
    throw new PlanError(
      `--policy-pack ${dir}: runtime "${String(name ?? "")}" is not supported offline (only nodejs packs)`,
    );
  return { dir, runtime: name, options: options as Record<string, unknown> };
}

/** The runner the CLI's shim would find: `require.resolve` from the pack directory. */
export function resolveRunner(dir: string): string {
  try {
    return require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [dir] });
  } catch {
    throw new PlanError(
      `--policy-pack ${dir}: @pulumi/pulumi is not installed for it; run npm install in the pack (or npm ci at the root for ./policy)`,
    );
  }
}

export function startPack(pack: PackProject, opts: PackStartOptions): StartingPack {
  const runner = resolveRunner(pack.dir);
  const args = [runner, NO_ENGINE_ADDRESS, "."];
  for (const [k, v] of Object.entries(pack.options)) if (`${v}` !== "") args.push(`-${k}=${v}`);

  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const v of AWS_CREDENTIAL_VARIABLES) delete env[v];
  const config: Record<string, string> = {};
  for (const [k, v] of Object.entries(opts.config)) if (!opts.secretKeys.includes(k)) config[k] = v;
  Object.assign(env, {
    AWS_EC2_METADATA_DISABLED: "true",
    PULUMI_CONFIG: JSON.stringify(config),
    PULUMI_NODEJS_ORGANIZATION: opts.organization,
    PULUMI_NODEJS_PROJECT: opts.project,
    PULUMI_NODEJS_STACK: opts.stack,
    PULUMI_NODEJS_DRY_RUN: "true",
    PULUMI_ORGANIZATION: opts.organization,
    PULUMI_PROJECT: opts.project,
    PULUMI_STACK: opts.stack,
    PULUMI_DRY_RUN: "true",
    ...opts.env,
  });

  const started = Date.now();
  const child = spawn(process.execPath, args, { cwd: pack.dir, env, stdio: ["ignore", "pipe", "pipe"] });
  const stop = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  };
  track(child);

  const ready = new Promise<PackProcess>((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    let port: number | undefined;
    const fail = (message: string) => {
      clearTimeout(timer);
      stop();
      reject(new PlanError(message, stderr.trim() || undefined));
    };
    const timer = setTimeout(
      () => fail(`policy pack ${pack.dir} did not print its port within ${opts.timeoutMs / 1000} s`),
      opts.timeoutMs,
    );
    child.stdout!.setEncoding("utf8");
    child.stderr!.setEncoding("utf8");
    child.stdout!.on("data", (chunk: string) => {
      if (port !== undefined) return chunk.split("\n").forEach((l) => l && opts.onOutput?.(l));
      stdout += chunk;
      const newline = stdout.indexOf("\n");
      if (newline < 0) return;
      const first = stdout.slice(0, newline).trim();
      if (!/^\d+$/.test(first))
        return fail(`policy pack ${pack.dir} printed "${first.slice(0, 120)}" where its port was expected`);
      port = Number(first);
      clearTimeout(timer);
      resolve({ dir: pack.dir, port, child, startMs: Date.now() - started, stop });
    });
    child.stderr!.on("data", (chunk: string) => {
      stderr += chunk;
      if (port !== undefined) chunk.split("\n").forEach((l) => l && opts.onOutput?.(l));
    });
    child.on("error", (err) => fail(`policy pack ${pack.dir} could not be started: ${err.message}`));
    child.on("exit", (code, signal) => {
      if (port !== undefined) return;
      const why = firstErrorLine(stderr);
      fail(
        `policy pack ${pack.dir} exited with ${signal ? `signal ${signal}` : `code ${code}`} before it started` +
          (why ? `: ${why}` : ""),
      );
    });
  });
  ready.catch(() => undefined); // observed by the caller; never an unhandled rejection
  return { dir: pack.dir, child, ready, stop };
}

/** The line of a pack's stderr that best says why it failed (a TypeScript error, a thrown error). */
export function firstErrorLine(stderr: string): string {
  const lines = stderr
    .replace(/\u001b\[[0-9;]*m/g, "") // colours the runner adds to stack traces
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  const pick =
    lines.find((l) => /error TS\d+/.test(l)) ??
    lines.find((l) => /^[A-Za-z]*Error: /.test(l) && !/^TSError: /.test(l)) ??
    lines.find((l) => /^error: /i.test(l)) ??
    lines.find((l) => !/^at |^\^+$|^node:|^Node\.js v/.test(l));
  return (pick ?? "").replace(/^error: (\[runtime\] )?/i, "").slice(0, 300);
}

// Children die with the plan, whatever ends it.
const children = new Set<ChildProcess>();
let exitHookInstalled = false;

function track(child: ChildProcess): void {
  children.add(child);
  child.on("exit", () => children.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", killAll);
}

export function killAll(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
}
