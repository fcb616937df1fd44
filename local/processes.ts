/**
 * The child processes of one local run, so that every exit path (success, error, Ctrl-C,
 * SIGTERM) stops all of them. Children stay in our process group: a terminal's Ctrl-C reaches
 * them as it reaches us, and `stopAll` then sends SIGTERM to whatever is still running, waits,
 * and kills what did not stop. The Python children also ask the kernel for SIGTERM should we
 * die without cleaning up (PR_SET_PDEATHSIG), and stop their own children on SIGTERM.
 */
import { spawn } from "node:child_process";
import type { ChildProcess, SpawnOptions } from "node:child_process";
import { constants } from "node:os";
import { createInterface } from "node:readline";

/** How long a child has to stop after SIGTERM before it gets SIGKILL. */
export const STOP_GRACE_MS = 5_000;

export class ChildProcesses {
  private readonly running = new Set<ChildProcess>();
  /** Grandchildren our children told us about (train.py, the endpoint's workers). */
  private readonly descendants = new Set<number>();

  /** Tracks a process one of our children started, so `stopAll` also waits for it to be gone. */
  adopt(pid: number): void {
    this.descendants.add(pid);
  }

  /** Starts a child with piped output; it is tracked until it exits. */
  spawn(command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], ...options });
    this.running.add(child);
    child.once("exit", () => this.running.delete(child));
    child.once("error", () => this.running.delete(child));
    return child;
  }

  /** Pids of the children still running. */
  get pids(): number[] {
    return [...this.running].map((child) => child.pid).filter((pid): pid is number => pid !== undefined);
  }

  /**
   * SIGTERM to every running child, SIGKILL after `graceMs`; resolves when all have exited and
   * every adopted grandchild is gone too (a child stops its own children on SIGTERM, but a
   * grandchild told to stop by the kernel when its parent died may still be exiting).
   */
  async stopAll(graceMs = STOP_GRACE_MS): Promise<void> {
    const children = [...this.running].filter(
      (child) => child.exitCode === null && child.signalCode === null,
    );
    await Promise.all(children.map((child) => stop(child, graceMs)));
    const deadline = Date.now() + graceMs;
    for (const pid of this.descendants) {
      while (alive(pid) && Date.now() < deadline) await pause(20);
      if (alive(pid)) {
        signal(pid, "SIGKILL");
        for (let i = 0; i < 50 && alive(pid); i += 1) await pause(20);
      }
      this.descendants.delete(pid);
    }
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

function stop(child: ChildProcess, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/** Calls `onLine` for each line the stream carries (UTF-8), until it ends. */
export function eachLine(
  stream: NodeJS.ReadableStream | null | undefined,
  onLine: (line: string) => void,
): void {
  if (!stream) return;
  createInterface({ input: stream, crlfDelay: Infinity }).on("line", onLine);
}

/**
 * Resolves with the exit code (or 128 + signal number) once the child has exited and its
 * output pipes have closed, so every line it wrote has been read.
 */
export function exitOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    if (child.exitCode !== null && child.stdout?.readableEnded !== false) return resolve(child.exitCode);
    child.once("close", (code, signal) => resolve(code ?? 128 + signalNumber(signal)));
    child.once("error", () => resolve(127));
  });
}

function signalNumber(signal: NodeJS.Signals | null): number {
  return signal ? (constants.signals[signal] ?? 0) : 0;
}
