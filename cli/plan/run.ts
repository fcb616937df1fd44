/**
 * The offline plan, end to end: parse flags, start the policy packs (as the Pulumi CLI does) while
 * the program runs under the mocks, configure each pack, analyze every resource and the stack,
 * estimate the cost, and format the report. `main` maps the outcome to an exit code: 0 clean,
 * 1 a mandatory violation, 2 anything that stopped the plan (one line on stderr).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { regionProblem } from "../aws-partitions";
import { estimateCost } from "../cost";
import { loadStackSettings, StackSettings, StackSettingsError } from "../stack-config";
import { readAccountExports } from "./account-exports";
import { AnalyzerClient, AnalyzerInfo } from "./analyzer-client";
import { analyzeResources, ConfiguredPack } from "./analysis";
import { OutputFormat, parsePlanArgs, PlanArgs, PROJECT_DIR, USAGE } from "./args";
import { PlanError, UsageError } from "./errors";
import { formatJson } from "./format/json";
import { formatSarif } from "./format/sarif";
import { formatText } from "./format/text";
import { NO_ENGINE_ADDRESS, PackProcess, readPackProject, StartingPack, startPack } from "./pack-process";
import {
  checkPolicyNames,
  checkPolicyProperties,
  PolicyConfigFile,
  readPolicyConfigFile,
  reconcile,
  validate,
} from "./policy-config";
import { runProgram } from "./program";
import { exitCodeOf, packErrors, PlanReport, ReportedResource, stackUrnOf } from "./report";
import { planResources } from "./resources";
import { locationOf, sourceRoot, stackFileLocation } from "./source";

/** Where the report and messages go (the process's streams, or a test's buffers). */
export interface PlanIO {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** A pack that is already running (tests start one per file and reuse it). */
export interface RunningPack {
  dir: string;
  port: number;
}

export interface PlanDeps {
  /** Use these running packs instead of starting processes for dirs they match. */
  runningPacks?: RunningPack[];
  /** Register ts-node and the @pulumi/pulumi resolve hook (default true; jest has its own). */
  registerTypeScript?: boolean;
}

export const ORGANIZATION = "organization";

/** Env names the policy pack reads its offline account exports from (policy/README.md). */
export const INVENTORY_ENV = "ML_PLATFORM_IAM_INVENTORY";
export const CREDENTIAL_REPORT_ENV = "ML_PLATFORM_CREDENTIAL_REPORT";

export const TOOL_VERSION: string = JSON.parse(
  fs.readFileSync(path.join(PROJECT_DIR, "package.json"), "utf8"),
).version;

export async function plan(
  args: PlanArgs,
  deps: PlanDeps = {},
  log: (line: string) => void = () => {},
): Promise<PlanReport> {
  const t0 = Date.now();
  const settings = stackSettings(args);
  const region = settings.config["aws:region"];
  if (region !== undefined && !settings.secretKeys.includes("aws:region")) {
    const problem = regionProblem(region);
    if (problem) {
      const at = stackFileLocation(path.dirname(settings.stackFile), settings.stackFile, "aws:region");
      throw new PlanError(`${settings.stackFile}:${at.line}: aws:region: ${problem}`);
    }
  }
  // Exports the user gave are read and checked before anything starts.
  const exports = readAccountExports(args.inventory, args.credentialReport);
  const configFiles = args.policyConfigs.map(readPolicyConfigFile);
  const projects = args.policyPacks.map(readPackProject);

  const env: Record<string, string> = {};
  if (args.inventory) env[INVENTORY_ENV] = args.inventory;
  if (args.credentialReport) env[CREDENTIAL_REPORT_ENV] = args.credentialReport;

  // Packs compile and start in their own processes while this one runs the program.
  const starting: StartingPack[] = projects.map((project) => {
    const running = deps.runningPacks?.find((p) => path.resolve(p.dir) === project.dir);
    if (running)
      return {
        dir: project.dir,
        ready: Promise.resolve({ dir: project.dir, port: running.port, startMs: 0 } as PackProcess),
        stop: () => {},
      };
    return startPack(project, {
      project: settings.project,
      stack: settings.stack,
      organization: ORGANIZATION,
      config: settings.config,
      secretKeys: settings.secretKeys,
      env,
      timeoutMs: args.packTimeoutSeconds * 1000,
      onOutput: args.verbose ? (line) => log(`pack ${path.basename(project.dir)}: ${line}`) : undefined,
    });
  });
  const clients: AnalyzerClient[] = [];
  try {
    // Whichever fails first ends the plan: a pack that cannot start, or the program.
    const [run, ...ports] = await Promise.all([
      runProgram(settings, {
        registerTypeScript: deps.registerTypeScript ?? true,
        organization: ORGANIZATION,
        inventory: exports.inventory,
        timeoutMs: args.timeoutSeconds * 1000,
        timeoutFlag: `--timeout ${args.timeoutSeconds}`,
        emptyAccount: args.emptyAccount,
      }),
      ...starting.map((s) => s.ready),
    ]);
    const packsReadyMs = Date.now() - t0;

    // Engine side of the protocol: handshake, info, stack and policy configuration.
    const configured: ConfiguredPack[] = [];
    for (const { dir, port } of ports) {
      const client = new AnalyzerClient(`127.0.0.1:${port}`);
      clients.push(client);
      await client.waitForReady(10_000).catch(() => {
        throw new PlanError(`policy pack ${dir} printed port ${port} but does not answer on it`);
      });
      await rpc(dir, "Handshake", () => client.handshake(NO_ENGINE_ADDRESS, dir));
      const info = await rpc(dir, "GetAnalyzerInfo", () => client.info());
      configured.push({ dir, client, info, config: {} });
    }
    // As the CLI pairs --policy-pack-config with --policy-pack: one file per pack, in order;
    // a single file applies to every pack.
    const paired = configFiles.length === configured.length && configured.length > 1;
    const filesFor = (i: number): PolicyConfigFile[] => (paired ? [configFiles[i]] : configFiles);
    configFiles.forEach((file, i) => {
      const infos = paired ? [configured[i].info] : configured.map((p) => p.info);
      checkPolicyNames(file, infos);
      checkPolicyProperties(file, infos);
    });
    const injected: Record<string, unknown> = {};
    if (args.inventory) injected.inventoryFile = args.inventory;
    if (args.credentialReport) injected.credentialReportFile = args.credentialReport;
    for (const [i, pack] of configured.entries()) {
      pack.config = reconcile(pack.info, filesFor(i), injected);
      const problems = validate(pack.info, pack.config);
      if (problems.length > 0)
        throw new PlanError(`policy config for pack ${pack.info.name} is invalid: ${problems.join("; ")}`);
      const identity = { project: settings.project, stack: settings.stack, organization: ORGANIZATION };
      await rpc(pack.dir, "ConfigureStack", () =>
        pack.client.configureStack(identity, settings.config, settings.secretKeys, stackTags(settings)),
      );
      await rpc(pack.dir, "Configure", () => pack.client.configure(pack.config));
    }

    const planned = planResources(run.resources, settings);
    const stackUrn =
      planned.find((r) => r.type === "pulumi:pulumi:Stack")?.urn ??
      stackUrnOf(settings.project, settings.stack);
    const analysis = await analyzeResources(planned, configured, stackUrn);
    const cost = estimateCost(analysis.resources, settings.config["aws:region"]);

    // Findings point at the code that declared the resource; the stack and the engine's default
    // providers come from the stack file.
    const root = sourceRoot(settings.programDir);
    const stackFile = stackFileLocation(root, settings.stackFile);
    const resources: ReportedResource[] = analysis.resources.map((r) => ({
      ...r,
      source:
        r.type === "pulumi:pulumi:Stack" || r.defaultProvider
          ? r.defaultProvider
            ? stackFileLocation(root, settings.stackFile, `${r.type.split(":")[2]}:region`)
            : stackFile
          : locationOf(root, r.sourcePosition),
    }));
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    for (const f of analysis.findings) f.source = byUrn.get(f.urn)?.source ?? stackFile;

    const timings = {
      programMs: run.durationMs,
      ...Object.fromEntries(ports.map((p) => [`packStart:${path.basename(p.dir)}Ms`, p.startMs])),
      packsReadyMs,
      analyzeMs: analysis.analyzeMs,
      analyzeStackMs: analysis.analyzeStackMs,
      totalMs: Date.now() - t0,
    };
    return {
      project: settings.project,
      stack: settings.stack,
      programDir: settings.programDir,
      stackFile: settings.stackFile,
      sourceRoot: root,
      packs: configured.map((p) => ({ dir: p.dir, info: p.info as AnalyzerInfo, config: p.config })),
      resources,
      findings: analysis.findings,
      cost,
      programOutput: run.output,
      unresolvedInvokes: run.unresolved,
      failOnUnchecked: args.failOnUnchecked,
      timings,
    };
  } finally {
    for (const c of clients) c.close();
    for (const s of starting) s.stop();
  }
}

function stackSettings(args: PlanArgs): StackSettings {
  if (!fs.existsSync(args.programDir)) throw new PlanError(`--program ${args.programDir}: no such directory`);
  try {
    return loadStackSettings(args.programDir, args.stack);
  } catch (err) {
    if (err instanceof StackSettingsError) {
      const missing = /Pulumi\.([^/]+)\.yaml: no such file/.exec(err.message);
      throw new PlanError(
        missing
          ? `stack "${args.stack}": ${err.message} (pass --stack <name> for Pulumi.<name>.yaml)`
          : err.message,
      );
    }
    throw err;
  }
}

/** A pack that answers a call with an error stops the plan (exit 2) with the pack's first line. */
async function rpc<T>(dir: string, method: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    const details = (err as { details?: string }).details ?? (err as Error).message;
    throw new PlanError(`policy pack ${dir} failed in ${method}: ${details.split("\n")[0]}`, details);
  }
}

/** The stack tags the engine sends (`args.stackTags` in a policy): built-in ones and `pulumi:tags` config. */
export function stackTags(settings: StackSettings): Record<string, string> {
  const tags: Record<string, string> = { "pulumi:project": settings.project, "pulumi:runtime": "nodejs" };
  try {
    const configured = JSON.parse(settings.config["pulumi:tags"] ?? "{}") as Record<string, unknown>;
    for (const [k, v] of Object.entries(configured)) if (typeof v === "string") tags[k] = v;
  } catch {
    // not a map of tags: nothing to add
  }
  return tags;
}

export function format(report: PlanReport, as: OutputFormat, options: { order?: boolean } = {}): string {
  switch (as) {
    case "json":
      return formatJson(report);
    case "sarif":
      return formatSarif(report, TOOL_VERSION);
    default:
      return formatText(report, options);
  }
}

/** The CLI: returns the exit code. */
export async function main(argv: string[], io: PlanIO, deps: PlanDeps = {}): Promise<number> {
  let verbose = argv.includes("--verbose");
  try {
    const parsed = parsePlanArgs(argv);
    if (parsed.help) {
      io.stdout(`${USAGE}\n`);
      return 0;
    }
    verbose = parsed.verbose;
    const log = (line: string) => io.stderr(`plan: ${line}\n`);
    const report = await plan(parsed, deps, log);
    if (verbose) {
      for (const m of report.programOutput) log(`program ${m.severity}: ${m.text}`);
      log(
        `timings: ${Object.entries(report.timings)
          .map(([k, v]) => `${k}=${v}`)
          .join(" ")} resources=${report.resources.length}`,
      );
    }
    const text = format(report, parsed.format, { order: parsed.order });
    if (parsed.out) {
      try {
        fs.mkdirSync(path.dirname(parsed.out), { recursive: true });
        fs.writeFileSync(parsed.out, text);
      } catch (err) {
        throw new PlanError(`--out ${parsed.out}: cannot write the file (${(err as Error).message})`);
      }
    } else {
      io.stdout(text);
    }
    // A pack that failed on a resource: the report above keeps every other finding; stderr names it.
    const failed = packErrors(report);
    if (failed.length > 0)
      io.stderr(
        `plan: ${failed[0].message}${failed.length > 1 ? ` (and ${failed.length - 1} more pack error(s))` : ""}\n`,
      );
    return exitCodeOf(report);
  } catch (err) {
    if (err instanceof PlanError) {
      io.stderr(`plan: ${err.message}${err instanceof UsageError ? " (see --help)" : ""}\n`);
      if (verbose && err.detail) io.stderr(`${err.detail}\n`);
    } else {
      const e = err as Error;
      io.stderr(`plan: internal error: ${(e?.message ?? String(err)).split("\n")[0]}\n`);
      if (verbose && e?.stack) io.stderr(`${e.stack}\n`);
    }
    return 2;
  }
}
