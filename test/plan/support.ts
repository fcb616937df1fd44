/**
 * Helpers for the plan's end-to-end tests: start policy packs once per test file (as the Pulumi
 * CLI starts them) and run the plan in-process against them, or run the real CLI as a child
 * process where the process itself is under test (exit codes, stderr, module resolution).
 */
import { spawn } from "node:child_process";
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

/** The real CLI (`ts-node cli/plan.ts`), as `npm run plan` runs it. */
export function planProcess(argv: string[], cwd = ROOT): Promise<PlanOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        require.resolve("ts-node/dist/bin.js"),
        "--transpile-only",
        path.join(ROOT, "cli", "plan.ts"),
        ...argv,
      ],
      { cwd },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
