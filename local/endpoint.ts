/**
 * Starts local/sagemaker/hosting.py (the serving container and the runtime API route in front
 * of it) on a model.tar.gz and waits until every worker has run model_fn, or one has failed.
 */
import path from "node:path";
import type { ChildProcesses } from "./processes";
import { eachLine, exitOf } from "./processes";

export const SAGEMAKER_DIR = path.join(__dirname, "sagemaker");
/** How long the workers may take to load the model (the toolkit's default startup timeout). */
export const STARTUP_TIMEOUT_MS = 600_000;

/** One request as the container logged it: the route, the status, per-handler milliseconds. */
export interface InvocationEvent {
  readonly route: "runtime" | "container";
  readonly status: number;
  readonly bytes: number;
  readonly ms: Readonly<Record<string, number>>;
}

export type ModelLoad =
  { readonly ok: true; readonly seconds: number } | { readonly ok: false; readonly error: string };

export interface LocalEndpoint {
  /** Base URL of the runtime API (SAGEMAKER_RUNTIME_URL) and of the container's /ping, /invocations. */
  readonly url: string;
  readonly endpointName: string;
  /** How model loading ended. */
  readonly modelLoad: ModelLoad;
  /** Every request the container served, in order. */
  readonly invocations: readonly InvocationEvent[];
  /** The container's processes: the front, then each worker. */
  readonly pids: readonly number[];
  ping(): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

export interface LocalEndpointOptions {
  readonly python: string;
  readonly modelArchive: string;
  /** Where the archive is unpacked (stands for /opt/ml/model). */
  readonly modelDir: string;
  readonly processes: ChildProcesses;
  readonly endpointName?: string;
  readonly workers?: number;
  readonly env?: Readonly<Record<string, string>>;
  /** The container's own log (tracebacks, warnings), line by line. */
  readonly onLog?: (line: string) => void;
}

type HostingEvent =
  | { event: "listening"; host: string; port: number }
  | { event: "worker_started"; worker: number; pid: number }
  | { event: "model_loaded"; worker: number; seconds: number }
  | { event: "model_load_failed"; worker: number | null; error: string }
  | ({ event: "invocation" } & InvocationEvent);

export async function startLocalEndpoint(options: LocalEndpointOptions): Promise<LocalEndpoint> {
  const endpointName = options.endpointName ?? "local-endpoint";
  const workers = options.workers ?? 1;
  const child = options.processes.spawn(
    options.python,
    [
      path.join(SAGEMAKER_DIR, "hosting.py"),
      "--model-archive",
      options.modelArchive,
      "--model-dir",
      options.modelDir,
      "--endpoint-name",
      endpointName,
      "--workers",
      String(workers),
    ],
    { env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1", PYTHONUNBUFFERED: "1", ...options.env } },
  );
  const invocations: InvocationEvent[] = [];
  const pids: number[] = child.pid === undefined ? [] : [child.pid];
  let url: string | undefined;
  let loaded = 0;
  let load: ModelLoad | undefined;
  let finish: ((load: ModelLoad) => void) | undefined;
  const settled = new Promise<ModelLoad>((resolve) => (finish = resolve));
  // Workers may finish loading before the server says it listens: wait for both.
  const settle = (outcome?: ModelLoad, final = false) => {
    if (outcome && !load) load = outcome;
    if (load && (url || final)) finish?.(load);
  };
  const startedAt = Date.now();

  eachLine(child.stdout, (line) => {
    let event: HostingEvent;
    try {
      event = JSON.parse(line) as HostingEvent;
    } catch {
      options.onLog?.(line);
      return;
    }
    if (event.event === "worker_started") {
      options.processes.adopt(event.pid);
      pids.push(event.pid);
    } else if (event.event === "listening") {
      url = `http://127.0.0.1:${event.port}`;
      settle();
    } else if (event.event === "model_loaded") {
      loaded += 1;
      if (loaded === workers) settle({ ok: true, seconds: (Date.now() - startedAt) / 1000 });
    } else if (event.event === "model_load_failed") settle({ ok: false, error: event.error });
    else if (event.event === "invocation") {
      invocations.push({ route: event.route, status: event.status, bytes: event.bytes, ms: event.ms });
    }
  });
  eachLine(child.stderr, (line) => options.onLog?.(line));
  const exit = exitOf(child);
  void exit.then((code) =>
    settle({ ok: false, error: `the endpoint process exited with status ${code}` }, true),
  );
  const timer = setTimeout(
    () => settle({ ok: false, error: `the model did not load within ${STARTUP_TIMEOUT_MS / 1000} s` }, true),
    STARTUP_TIMEOUT_MS,
  );
  const modelLoad = await settled;
  clearTimeout(timer);
  if (!url) {
    throw new Error(`the local endpoint did not start: ${modelLoad.ok ? "no address" : modelLoad.error}`);
  }
  const base = url;

  return {
    url: base,
    endpointName,
    modelLoad,
    invocations,
    pids,
    async ping() {
      const response = await fetch(`${base}/ping`);
      return { status: response.status, body: await response.text() };
    },
    async close() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exit;
    },
  };
}
