/**
 * Helpers for the plan's end-to-end tests: start policy packs once per test file (as the Pulumi
 * CLI starts them) and run the plan in-process against them, or run the real CLI as a child
 * process where the process itself is under test (exit codes, stderr, module resolution).
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { readPackProject, startPack, PackProcess } from "../../cli/plan/pack-process";
import { main, RunningPack } from "../../cli/plan/run";

export const ROOT = path.resolve(__dirname, "..", "..");
export const OUR_PACK = path.join(ROOT, "policy");
export const FIXTURES = path.join(ROOT, "test", "fixtures", "plan");
export const TAGS_PACK = path.join(FIXTURES, "packs", "required-tags");
export const INSECURE_PROGRAM = path.join(FIXTURES, "insecure-program");

export interface Packs {
  running: RunningPack[];
  processes: PackProcess[];
  stop(): void;
}

/** Starts packs in parallel; stop them in afterAll. */
export async function startPacks(dirs: string[]): Promise<Packs> {
  const processes = await Promise.all(
    dirs.map(
      (dir) =>
        startPack(readPackProject(dir), {
          project: "tests",
          stack: "test",
          organization: "organization",
          config: {},
          secretKeys: [],
          env: {},
          timeoutMs: 120_000,
        }).ready,
    ),
  );
  return {
    running: processes.map((p) => ({ dir: p.dir, port: p.port })),
    processes,
    stop: () => processes.forEach((p) => p.stop()),
  };
}

export interface PlanOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** The CLI's main, in this process, against already running packs. */
export async function plan(argv: string[], packs?: Packs): Promise<PlanOutcome> {
  let stdout = "";
  let stderr = "";
  const code = await main(
    argv,
    { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) },
    { runningPacks: packs?.running, registerTypeScript: false },
  );
  return { code, stdout, stderr };
}

let bundled: Promise<string> | undefined;

/**
 * The CLI bundled as `npm run plan` bundles it (scripts/build-cli.mjs: esbuild, packages external),
 * once per test file, as dist/cli/plan.test.js beside dist/cli/plan.js (so it finds the project the
 * same way). Each build is written under a name of its own and renamed into place, so test files
 * running in parallel never read a half-written bundle.
 */
function bundledCli(): Promise<string> {
  bundled ??= (async () => {
    const outfile = path.join(ROOT, "dist", "cli", "plan.test.js");
    const partial = `${outfile}.${process.pid}.partial`;
    const { build } = await import("esbuild");
    await build({
      entryPoints: [path.join(ROOT, "cli", "plan.ts")],
      outfile: partial,
      bundle: true,
      platform: "node",
      target: "node20",
      format: "cjs",
      packages: "external",
      sourcemap: "inline",
      logLevel: "warning",
    });
    fs.renameSync(partial, outfile);
    return outfile;
  })();
  return bundled;
}

/** The real CLI as a process, as `npm run plan` runs it (the bundle). */
export async function planProcess(argv: string[], cwd = ROOT): Promise<PlanOutcome> {
  const cli = await bundledCli();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...argv], { cwd });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
