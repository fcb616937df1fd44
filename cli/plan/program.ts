/**
 * Runs a Pulumi TypeScript program (ours or any other) under the runtime mocks, the way the Node.js
 * language host would run it: the entry module is required inside the root stack resource, and if
 * it exports a function, that function is called and awaited.
 *
 * Two things make a foreign program work here:
 *   - TypeScript: ts-node is registered for the program directory (transpile only, with the
 *     program's tsconfig.json when it has one, CommonJS output);
 *   - one @pulumi/pulumi: the mocks live in the module instance that preview-runtime.ts imports.
 *     Every `require("@pulumi/pulumi...")` (from the program, or from its own @pulumi/aws) is
 *     resolved to that instance, and other packages the program cannot resolve itself (a program
 *     without node_modules) are resolved from this project.
 *
 * Packages are loaded as Node loads them: compiled JavaScript from node_modules, and a package
 * linked into node_modules (npm link, an npm workspace, a `file:` folder) from its real folder, whose
 * own dependencies Node resolves from there. Files of linked packages count as library code, like
 * node_modules, so findings point at the program line that used the component; a linked package
 * missing a dependency where it really lives fails as `pulumi preview` would, with a message that
 * names the link and what to install.
 *
 * A run always ends, with the program's resources or with one line that says why not: the program
 * threw, an error escaped an `apply` callback or a promise (an unhandled rejection, which fails a
 * real preview too), the program called `process.exit`, or it did not finish within the timeout.
 */
import Module from "node:module";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import type { AccountExport } from "../invokes";
import { StackSettings } from "../stack-config";
import { DEFAULT_TIMEOUT_SECONDS } from "./args";
import { PlanError } from "./errors";
import type { CapturedInvoke, Registration, UnresolvedInvoke } from "./preview-runtime";

export interface ProgramRun {
  resources: Registration[];
  invokes: CapturedInvoke[];
  unresolved: UnresolvedInvoke[];
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
  /** The account export that answers account look-ups. */
  inventory?: AccountExport;
  /** How long the program may run (milliseconds; default `--timeout`'s default). */
  timeoutMs?: number;
  /** How the timeout is given, for the message (e.g. "--timeout 300"). */
  timeoutFlag?: string;
  /** S3 listings find no bucket, as on the first `pulumi up` in an empty account (cli/invokes/s3-objects.ts). */
  emptyAccount?: boolean;
}

type ResolveFilename = (request: string, parent: unknown, isMain: boolean, options?: unknown) => string;
let hookedFor: string | undefined;

/** A package linked into node_modules: its real folder, and the link a program resolved it through. */
export interface LinkedPackage {
  name: string;
  /** The package's real folder (where its files and its own dependencies are looked up). */
  root: string;
  /** The symlink in a node_modules folder that led there. */
  link: string;
}

/** Packages the program loaded through links, by real folder (filled by the resolve hook). */
const linked = new Map<string, LinkedPackage>();

const inNodeModules = (file: string) => file.includes(`${path.sep}node_modules${path.sep}`);
const within = (dir: string, file: string) => file === dir || file.startsWith(dir + path.sep);

/** Whether a file belongs to an installed package: under node_modules, or in a linked package's folder. */
export function isLibraryFile(file: string): boolean {
  if (inNodeModules(file)) return true;
  for (const root of linked.keys()) if (within(root, file)) return true;
  return false;
}

/** `@scope/name/sub/path` -> `@scope/name`; `name/sub` -> `name`. */
const packageName = (request: string) =>
  request
    .split("/")
    .slice(0, request.startsWith("@") ? 2 : 1)
    .join("/");

/**
 * Notes a package that resolved outside every node_modules folder: Node followed a symlink in
 * node_modules to the package's real folder. The link is the first `node_modules/<name>` on the
 * requiring module's lookup path that is a symlink.
 */
function noteLinked(request: string, resolved: string, parent: unknown): void {
  if (!path.isAbsolute(resolved) || inNodeModules(resolved) || isLibraryFile(resolved)) return;
  const name = packageName(request);
  let root: string | undefined;
  for (let dir = path.dirname(resolved); path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    try {
      if (JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).name === name) root = dir;
    } catch {
      // no package.json here, or not one we can read: keep walking up
    }
    if (root) break;
  }
  if (!root) return;
  const lookup = (parent as { paths?: string[] } | undefined)?.paths ?? [];
  const link = lookup
    .map((dir) => path.join(dir, name))
    .find((candidate) => {
      try {
        return fs.lstatSync(candidate).isSymbolicLink();
      } catch {
        return false;
      }
    });
  if (link) linked.set(root, { name, root, link });
}

/** The linked package a file belongs to, if any. */
function linkedPackageOf(file: string): LinkedPackage | undefined {
  for (const pkg of linked.values()) if (within(pkg.root, file)) return pkg;
  return undefined;
}

/** Redirects @pulumi/pulumi to our instance and lends our packages to a program that lacks them. */
export function installResolveHook(programDir: string): void {
  if (hookedFor === programDir) return;
  const M = Module as unknown as { _resolveFilename: ResolveFilename };
  const original = hookedFor === undefined ? M._resolveFilename : originalResolve!;
  originalResolve = original;
  hookedFor = programDir;
  linked.clear();
  // Resolved as if this module asked (calling require.resolve here would re-enter the hook).
  const ours = (request: string) => original.call(M, request, module, false);
  M._resolveFilename = function (request, parent, isMain, options) {
    if (request === "@pulumi/pulumi" || request.startsWith("@pulumi/pulumi/")) return ours(request);
    const bare = !request.startsWith(".") && !path.isAbsolute(request) && !request.startsWith("node:");
    try {
      const resolved = original.call(this, request, parent, isMain, options);
      if (bare) noteLinked(request, resolved, parent);
      return resolved;
    } catch (err) {
      const from = (parent as { filename?: string } | undefined)?.filename ?? "";
      if ((err as NodeJS.ErrnoException).code !== "MODULE_NOT_FOUND" || !bare) throw err;
      const pkg = linkedPackageOf(from);
      if (pkg) throw missingInLinkedPackage(request, pkg, programDir, err as Error);
      if (from.startsWith(programDir)) return ours(request);
      throw err;
    }
  };
}
let originalResolve: ResolveFilename | undefined;

/** Node looks a linked package's dependencies up from its real folder, not from the program's. */
function missingInLinkedPackage(
  request: string,
  pkg: LinkedPackage,
  programDir: string,
  cause: Error,
): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(
    `Cannot find module '${request}' from ${pkg.name}, linked at ${path.relative(programDir, pkg.link)} -> ${pkg.root}: ` +
      "Node resolves a linked package's dependencies from its real folder, so `pulumi preview` fails the same way; " +
      `install them there (npm install in ${pkg.root}) or install the package instead of linking it`,
  );
  error.code = "MODULE_NOT_FOUND";
  error.stack = `${error.message}\n${cause.stack ?? ""}`;
  return error;
}

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

/** Why a run stopped before the program finished. */
class Interrupted extends Error {
  constructor(
    message: string,
    readonly cause?: unknown,
  ) {
    super(message);
  }
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
  const abort = new AbortController();
  const interrupt = (error: Interrupted) => {
    if (!abort.signal.aborted) abort.abort(error);
  };
  // An error that escapes an apply callback or a promise fails a real preview (Node.js exits on an
  // unhandled rejection); here it stops the run at once, with where it was thrown.
  const onRejection = (err: unknown) =>
    interrupt(new Interrupted(describeStray(err, settings, "rejection"), err));
  const onException = (err: unknown) =>
    interrupt(new Interrupted(describeStray(err, settings, "exception"), err));
  process.on("unhandledRejection", onRejection);
  process.on("uncaughtException", onException);
  // `process.exit` in a program would end the plan with the program's code: it ends the run instead.
  const realExit = process.exit;
  process.exit = ((code?: number | string | null) => {
    const where = locate(new Error().stack, settings.programDir, 1);
    interrupt(
      new Interrupted(`the program called process.exit(${code ?? ""})${where ? ` at ${where}` : ""}`),
    );
    // The program's code after exit must not run on: park it.
    throw new ProgramExited();
  }) as typeof process.exit;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_SECONDS * 1000;
  const timer = setTimeout(
    () =>
      interrupt(
        new Interrupted(
          `the program did not finish within ${timeoutMs / 1000} s` +
            ` (${options.timeoutFlag ?? "--timeout"}); it may wait on a promise that never settles`,
        ),
      ),
    timeoutMs,
  );
  const started = Date.now();
  try {
    // Loaded here, not at the top: @pulumi/pulumi takes a while, and the packs start before it.
    const { runPreview } = require("./preview-runtime") as typeof import("./preview-runtime");
    const run = await runPreview(() => loadEntry(settings.main, settings.programDir) as Promise<unknown>, {
      project: settings.project,
      stack: settings.stack,
      config: settings.config,
      secretKeys: settings.secretKeys,
      organization: options.organization,
      inventory: options.inventory,
      // The first `pulumi up` on an empty account: S3 listings find no bucket (cli/invokes/s3-objects.ts).
      ...(options.emptyAccount ? { s3: { kind: "missing-bucket" as const } } : {}),
      onWarning: (text) => output.push({ severity: "warning", text }),
      signal: abort.signal,
      isLibraryFile,
    });
    // Node reports an unhandled rejection once the current tick is over: let it, while we listen.
    await new Promise((resolve) => setImmediate(resolve));
    if (abort.signal.aborted) throw abort.signal.reason;
    return {
      resources: run.resources,
      invokes: run.invokes,
      unresolved: run.unresolved,
      output,
      durationMs: Date.now() - started,
    };
  } catch (err) {
    throw programError(abort.signal.aborted ? abort.signal.reason : err, settings);
  } finally {
    clearTimeout(timer);
    process.exit = realExit;
    restoreConsole();
    process.off("unhandledRejection", onRejection);
    process.off("uncaughtException", onException);
  }
}

/** Thrown from the program's `process.exit` so that nothing after it runs. */
class ProgramExited extends Error {
  constructor() {
    super("process.exit called by the program");
  }
}

/** The first frame of a stack inside the program (not node_modules), as `file:line` relative to it. */
export function locate(stack: string | undefined, programDir: string, skip = 0): string | undefined {
  for (const line of (stack ?? "").split("\n").slice(1 + skip)) {
    const m = /\(?((?:file:\/\/)?[^\s()]+):(\d+):\d+\)?$/.exec(line.trim());
    if (!m) continue;
    const file = m[1].startsWith("file://") ? fileURLToPath(m[1]) : m[1];
    if (!file.startsWith(programDir + path.sep) || isLibraryFile(file)) continue;
    return `${path.relative(programDir, file)}:${m[2]}`;
  }
  return undefined;
}

function describeStray(err: unknown, settings: StackSettings, how: "rejection" | "exception"): string {
  const e = err as { message?: string; stack?: string } | undefined;
  const message = (e?.message ?? String(err)).split("\n")[0];
  const where = locate(e?.stack, settings.programDir);
  const inApply = /applyHelperAsync|OutputImpl\.apply/.test(e?.stack ?? "");
  const what = inApply
    ? "an error was thrown inside an apply callback"
    : how === "rejection"
      ? "a promise was rejected and nothing handled it"
      : "an exception was thrown and nothing caught it";
  return `${what}${where ? ` at ${where}` : ""}: ${message}`;
}

/** One line that names the problem; the stack trace goes to `detail` (shown with --verbose). */
function programError(err: unknown, settings: StackSettings): PlanError {
  const where = `stack ${settings.stack} of ${settings.project}`;
  if (err instanceof PlanError) return err;
  if (err instanceof Interrupted) {
    const cause = err.cause as { stack?: string } | undefined;
    return new PlanError(`${where}: ${err.message}`, cause?.stack);
  }
  const e = err as
    { message?: string; stack?: string; name?: string; __pulumiRunError?: boolean } | undefined;
  const message = e?.message ?? String(err);
  // RunError (our ConfigError is rethrown as one) and ResourceError carry a message meant for people.
  if (e?.__pulumiRunError || e?.name === "ConfigError") return new PlanError(`${where}: ${message}`);
  if (e?.name === "TSError") return new PlanError(`${where}: the program does not compile: ${message}`);
  if ((err as NodeJS.ErrnoException)?.code === "MODULE_NOT_FOUND")
    return new PlanError(`${where}: ${message.split("\n")[0]}`, e?.stack);
  const at = locate(e?.stack, settings.programDir);
  return new PlanError(`${where}: the program failed${at ? ` at ${at}` : ""}: ${message}`, e?.stack);
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
