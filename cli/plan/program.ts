/**
 * Runs a Pulumi TypeScript program (ours or any other) under the runtime mocks, the way the Node.js
 * language host would run it: the entry module is required inside the root stack resource, and if
 * it exports a function, that function is called and awaited.
 *
 * Two things make a foreign program work here:
 *   - TypeScript: ts-node is registered for the program directory (transpile only, with the
 *     program's tsconfig.json when it has one, CommonJS output);
 *   - one @pulumi/pulumi: the mocks live in the module instance that cli/mock-runtime.ts imports.
 *     Every `require("@pulumi/pulumi...")` (from the program, or from its own @pulumi/aws) is
 *     resolved to that instance, and other packages the program cannot resolve itself (a program
 *     without node_modules) are resolved from this project.
 */
import Module from "node:module";
import * as fs from "node:fs";
import * as path from "node:path";
import type { CapturedInvoke, CapturedResource } from "../mock-runtime";
import { StackSettings } from "../stack-config";
import { PlanError } from "./errors";

export interface ProgramRun {
  resources: CapturedResource[];
  invokes: CapturedInvoke[];
  unansweredInvokes: string[];
  /** What the program logged (console and pulumi.log), in order. */
  output: ProgramMessage[];
  durationMs: number;
}

export interface ProgramMessage {
  severity: "info" | "warning" | "error";
  text: string;
}

export interface RunProgramOptions {
  /** Register ts-node and the module hook (false under jest, whose own transform and resolver apply). */
  registerTypeScript: boolean;
  organization?: string;
  /** S3 listings find no bucket, as on the first `pulumi up` in an empty account (cli/invokes/s3-objects.ts). */
  emptyAccount?: boolean;
}

type ResolveFilename = (request: string, parent: unknown, isMain: boolean, options?: unknown) => string;
let hookedFor: string | undefined;

/** Redirects @pulumi/pulumi to our instance and lends our packages to a program that lacks them. */
export function installResolveHook(programDir: string): void {
  if (hookedFor === programDir) return;
  const M = Module as unknown as { _resolveFilename: ResolveFilename };
  const original = hookedFor === undefined ? M._resolveFilename : originalResolve!;
  originalResolve = original;
  hookedFor = programDir;
  // Resolved as if this module asked (calling require.resolve here would re-enter the hook).
  const ours = (request: string) => original.call(M, request, module, false);
  M._resolveFilename = function (request, parent, isMain, options) {
    if (request === "@pulumi/pulumi" || request.startsWith("@pulumi/pulumi/")) return ours(request);
    try {
      return original.call(this, request, parent, isMain, options);
    } catch (err) {
      const from = (parent as { filename?: string } | undefined)?.filename ?? "";
      const bare = !request.startsWith(".") && !path.isAbsolute(request);
      if ((err as NodeJS.ErrnoException).code === "MODULE_NOT_FOUND" && bare && from.startsWith(programDir))
        return ours(request);
      throw err;
    }
  };
}
let originalResolve: ResolveFilename | undefined;

let tsNodeRegisteredFor: string | undefined;

/** ts-node for the program's own files, with its tsconfig if it has one (transpile only: fast). */
function registerTypeScript(programDir: string): void {
  if (tsNodeRegisteredFor === programDir) return;
  tsNodeRegisteredFor = programDir;
  const tsconfig = path.join(programDir, "tsconfig.json");
  const hasTsconfig = fs.existsSync(tsconfig);
  const tsNode = require("ts-node") as typeof import("ts-node");
  tsNode.register({
    transpileOnly: true,
    project: hasTsconfig ? tsconfig : undefined,
    skipProject: !hasTsconfig,
    scope: true,
    scopeDir: programDir,
    // The program is required, so it must compile to CommonJS whatever its tsconfig says.
    compilerOptions: { module: "commonjs", moduleResolution: "node", sourceMap: true },
  });
}

/** Requires the entry module afresh (a second plan in one process runs its top-level code again). */
function loadEntry(main: string, programDir: string): unknown {
  for (const file of Object.keys(require.cache))
    if (file.startsWith(programDir + path.sep) && !file.includes(`${path.sep}node_modules${path.sep}`))
      delete require.cache[file];
  const exported = require(main);
  return typeof exported === "function" ? exported() : exported;
}

export async function runProgram(settings: StackSettings, options: RunProgramOptions): Promise<ProgramRun> {
  if (
    !fs.existsSync(settings.main) &&
    !fs.existsSync(`${settings.main}.ts`) &&
    !fs.existsSync(`${settings.main}.js`)
  )
    throw new PlanError(`${settings.programDir}: the program's entry point ${settings.main} does not exist`);
  if (options.registerTypeScript) {
    installResolveHook(settings.programDir);
    registerTypeScript(settings.programDir);
  }

  const output: ProgramMessage[] = [];
  const restoreConsole = captureConsole(output);
  // Errors thrown inside apply callbacks surface as unhandled rejections, not as the program's error.
  let stray: unknown;
  const onStray = (err: unknown) => {
    stray ??= err;
  };
  process.on("unhandledRejection", onStray);
  process.on("uncaughtException", onStray);
  // The SDK captures and formats a stack trace for every resource and every promise it makes
  // (source positions, leak reports). Through ts-node's source-map support, and even with V8's
  // formatting, that is most of a large program's run time, and the plan uses none of it. While
  // the program runs, stacks are short and formatted plainly (a program error still shows where it
  // was thrown); both settings are restored afterwards.
  const { prepareStackTrace, stackTraceLimit } = Error;
  Error.stackTraceLimit = 2;
  Error.prepareStackTrace = (error, frames) =>
    [String(error), ...frames.slice(0, 2).map((f) => `    at ${f}`)].join("\n");
  const started = Date.now();
  try {
    // Loaded here, not at the top: @pulumi/pulumi takes a while, and the packs start before it.
    const { runUnderMocks } = require("../mock-runtime") as typeof import("../mock-runtime");
    const { useS3World } = require("../invokes/s3-objects") as typeof import("../invokes/s3-objects");
    const world = options.emptyAccount ? { kind: "missing-bucket" as const } : { kind: "present" as const };
    const entry = async () => {
      // Set inside the run (one program at a time), restored when it ends.
      const restore = useS3World(world);
      try {
        return await (loadEntry(settings.main, settings.programDir) as Promise<unknown>);
      } finally {
        restore();
      }
    };
    const run = await runUnderMocks(entry, {
      project: settings.project,
      stack: settings.stack,
      config: settings.config,
      secretKeys: settings.secretKeys,
      organization: options.organization,
      strictInvokes: false,
    });
    if (stray !== undefined) throw stray;
    return {
      resources: run.resources,
      invokes: run.invokes,
      unansweredInvokes: run.unansweredInvokes,
      output,
      durationMs: Date.now() - started,
    };
  } catch (err) {
    throw programError(err, settings);
  } finally {
    Error.prepareStackTrace = prepareStackTrace;
    Error.stackTraceLimit = stackTraceLimit;
    restoreConsole();
    process.off("unhandledRejection", onStray);
    process.off("uncaughtException", onStray);
  }
}

/** One line that names the problem; the stack trace goes to `detail` (shown with --verbose). */
function programError(err: unknown, settings: StackSettings): PlanError {
  if (err instanceof PlanError) return err;
  const e = err as
    { message?: string; stack?: string; name?: string; __pulumiRunError?: boolean } | undefined;
  const message = e?.message ?? String(err);
  const where = `stack ${settings.stack} of ${settings.project}`;
  // RunError (our ConfigError is rethrown as one) and ResourceError carry a message meant for people.
  if (e?.__pulumiRunError || e?.name === "ConfigError") return new PlanError(`${where}: ${message}`);
  if (e?.name === "TSError") return new PlanError(`${where}: the program does not compile: ${message}`);
  if ((err as NodeJS.ErrnoException)?.code === "MODULE_NOT_FOUND")
    return new PlanError(`${where}: ${message.split("\n")[0]}`, e?.stack);
  return new PlanError(`${where}: the program failed: ${message}`, e?.stack);
}

/** While the program runs, what it prints belongs to the plan's report, not to our stdout. */
function captureConsole(into: ProgramMessage[]): () => void {
  const saved = {
    log: console.log,
    info: console.info,
    warn: console.warn,
    error: console.error,
    debug: console.debug,
  };
  const to =
    (severity: ProgramMessage["severity"]) =>
    (...args: unknown[]) => {
      const text = args.map((a) => (typeof a === "string" ? a : require("node:util").inspect(a))).join(" ");
      // Without an engine, pulumi.log.* prints "warning: [runtime] ..." to the console.
      const m = /^(info|warning|error): (?:\[runtime\] )?([\s\S]*)$/.exec(text);
      into.push(m ? { severity: m[1] as ProgramMessage["severity"], text: m[2] } : { severity, text });
    };
  console.log = to("info");
  console.info = to("info");
  console.debug = to("info");
  console.warn = to("warning");
  console.error = to("error");
  return () => Object.assign(console, saved);
}
