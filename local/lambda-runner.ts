/**
 * Runs a built Lambda bundle as the Node.js runtime does: in its own `node` process, the
 * environment set before the module loads (so the SDK client is created from it once), one
 * invocation at a time, the handler's stdout being its log. The first invocation pays the
 * module load (the cold start), later ones reuse the container.
 *
 * Invocations go to the child as JSON lines on stdin; answers come back as JSON lines on an
 * extra pipe (fd 3), so the handler's own log lines on stdout stay apart and can be read for
 * its timings.
 */
import type { ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import type { Writable } from "node:stream";
import { ChildProcesses, eachLine } from "./processes";

/** The child's side: load the bundle, then answer invocations one by one. */
const BOOTSTRAP = `
const fs = require("node:fs");
const readline = require("node:readline");
const answers = fs.createWriteStream(null, { fd: 3 });
const send = (message) => answers.write(JSON.stringify(message) + "\\n");
const started = performance.now();
let handler;
try {
  handler = require(process.argv[1]).handler;
  send({ kind: "loaded", loadMs: performance.now() - started, exportsHandler: typeof handler === "function" });
} catch (error) {
  send({ kind: "loaded", error: String((error && error.stack) || error) });
  process.exit(1);
}
const queue = readline.createInterface({ input: process.stdin });
queue.on("line", async (line) => {
  const { id, event, context } = JSON.parse(line);
  const began = performance.now();
  try {
    const response = await handler(event, context);
    send({ kind: "answer", id, response, durationMs: performance.now() - began });
  } catch (error) {
    send({ kind: "answer", id, error: String((error && error.stack) || error), durationMs: performance.now() - began });
  }
});
`;

export interface LambdaContext {
  readonly awsRequestId: string;
  readonly functionName: string;
  readonly functionVersion: string;
  readonly invokedFunctionArn: string;
  readonly memoryLimitInMB: string;
}

export interface LambdaInvocation {
  /** What the handler returned (for the inference function: `{ statusCode, headers, body }`). */
  readonly response: unknown;
  /** The handler's own time, measured inside the runtime process. */
  readonly durationMs: number;
  /** The handler's JSON log lines for this request (Powertools, stdout and stderr), in order. */
  readonly logs: readonly Record<string, unknown>[];
  readonly requestId: string;
}

export interface LambdaRunner {
  /** Time to `require` the bundle in the fresh process (module load creates the SDK client). */
  readonly loadMs: number;
  invoke(event: unknown): Promise<LambdaInvocation>;
  close(): Promise<void>;
}

export interface LambdaRunnerOptions {
  /** The bundle's index.js. */
  readonly bundlePath: string;
  /** The function's environment (nothing else of ours is passed on but PATH). */
  readonly env: Readonly<Record<string, string>>;
  readonly processes: ChildProcesses;
  readonly functionName?: string;
  /** How long to wait for the request's log line after its answer. Default 1 s. */
  readonly logWaitMs?: number;
}

type Message =
  | { kind: "loaded"; loadMs?: number; exportsHandler?: boolean; error?: string }
  | { kind: "answer"; id: string; response?: unknown; error?: string; durationMs: number };

export async function startLambdaRunner(options: LambdaRunnerOptions): Promise<LambdaRunner> {
  const functionName = options.functionName ?? "local-inference";
  const child: ChildProcess = options.processes.spawn(
    process.execPath,
    ["--no-warnings", "-e", BOOTSTRAP, options.bundlePath],
    { env: { PATH: process.env.PATH ?? "", ...options.env }, stdio: ["pipe", "pipe", "pipe", "pipe"] },
  );
  const stdin = child.stdin as Writable;
  const waiting = new Map<string, (message: Extract<Message, { kind: "answer" }>) => void>();
  const logs: Record<string, unknown>[] = [];
  const stderr: string[] = [];
  let loaded: ((message: Extract<Message, { kind: "loaded" }>) => void) | undefined;
  const loading = new Promise<Extract<Message, { kind: "loaded" }>>((resolve) => (loaded = resolve));

  eachLine(child.stdio[3] as NodeJS.ReadableStream, (line) => {
    const message = JSON.parse(line) as Message;
    if (message.kind === "loaded") loaded?.(message);
    else waiting.get(message.id)?.(message);
  });
  // Powertools writes INFO lines to stdout and ERROR lines to stderr (console.error).
  const onLogLine = (line: string) => {
    try {
      logs.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      stderr.push(line);
    }
  };
  eachLine(child.stdout, onLogLine);
  eachLine(child.stderr, onLogLine);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  void exited.then(() =>
    loaded?.({ kind: "loaded", error: `the runtime process exited: ${stderr.join("\n")}` }),
  );

  const first = await loading;
  if (first.error || !first.exportsHandler) {
    if (child.exitCode === null) child.kill("SIGTERM");
    await exited;
    throw new Error(`the bundle did not load: ${first.error ?? "it exports no handler function"}`);
  }

  let queue: Promise<unknown> = Promise.resolve();
  const invokeOne = async (event: unknown): Promise<LambdaInvocation> => {
    const requestId = randomUUID();
    const context: LambdaContext = {
      awsRequestId: requestId,
      functionName,
      functionVersion: "$LATEST",
      invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
      memoryLimitInMB: "256",
    };
    const answer = await new Promise<Extract<Message, { kind: "answer" }>>((resolve, reject) => {
      waiting.set(requestId, resolve);
      void exited.then(() => reject(new Error(`the runtime process exited: ${stderr.join("\n")}`)));
      stdin.write(`${JSON.stringify({ id: requestId, event, context })}\n`);
    });
    waiting.delete(requestId);
    if (answer.error) throw new Error(`the handler threw: ${answer.error}`);
    const own = await logLinesOf(requestId, logs, options.logWaitMs ?? 1_000);
    return { response: answer.response, durationMs: answer.durationMs, logs: own, requestId };
  };

  return {
    loadMs: first.loadMs ?? 0,
    invoke(event) {
      const next = queue.then(() => invokeOne(event));
      queue = next.catch(() => undefined);
      return next;
    },
    async close() {
      stdin.end();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 2_000)))]);
      clearTimeout(timer);
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

/** The log lines carrying this request id; waits briefly, since stdout may lag the answer. */
async function logLinesOf(
  requestId: string,
  logs: readonly Record<string, unknown>[],
  waitMs: number,
): Promise<Record<string, unknown>[]> {
  const deadline = Date.now() + waitMs;
  const mine = () =>
    logs.filter((entry) => entry.requestId === requestId || entry.function_request_id === requestId);
  while (mine().length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  return mine();
}
