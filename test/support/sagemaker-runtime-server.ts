/**
 * A local stand-in for the SageMaker runtime API (InvokeEndpoint), on loopback, for tests and
 * benchmarks. It speaks the wire protocol the real @aws-sdk/client-sagemaker-runtime uses
 * (restJson1): `POST /endpoints/{EndpointName}/invocations` with the body as the payload,
 * `Content-Type`, `Accept` and `X-Amzn-SageMaker-*` headers, a SigV4 `Authorization` header;
 * errors as an HTTP status, an `x-amzn-errortype` header and a JSON body with `Message`, so the
 * SDK raises its real exception classes (ModelError, ValidationError, ...).
 *
 * Behaviour is switched per test with `setMode`:
 * - `model`: answers like the model, `{"predictions":[{label,index,probability}...]}`, top-k
 *   from the `topk` parameter of the Accept header, probabilities derived deterministically
 *   from the bytes (same image, same answer);
 * - `error`: a modelled SageMaker error (ModelError 424, ValidationError 400, ...);
 * - `raw`: any status, content type and body (for malformed answers);
 * - `hang`: accepts the request and never answers (until the server closes);
 * - `reset`: reads the request, then resets the connection before any header is sent.
 *
 * Usage:
 *   const runtime = await startSageMakerRuntimeServer({ endpointName: "dogs" });
 *   new SageMakerRuntimeClient({ endpoint: runtime.url, region: "us-east-1", credentials });
 *   runtime.setMode({ kind: "error", error: "ModelError" });
 *   await runtime.close();
 */
import { createHash, randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type SageMakerErrorName =
  | "ModelError"
  | "ValidationError"
  | "ModelNotReadyException"
  | "ServiceUnavailable"
  | "InternalFailure"
  | "InternalDependencyException"
  | "ThrottlingException";

/** HTTP status each error is sent with, as the service model declares it. */
export const SAGEMAKER_ERROR_STATUS: Readonly<Record<SageMakerErrorName, number>> = {
  ModelError: 424,
  ValidationError: 400,
  ModelNotReadyException: 429,
  ServiceUnavailable: 503,
  InternalFailure: 500,
  InternalDependencyException: 530,
  ThrottlingException: 400,
};

export type RuntimeMode =
  | { readonly kind: "model" }
  | {
      readonly kind: "error";
      readonly error: SageMakerErrorName;
      readonly message?: string;
      /** For ModelError: the status the model container answered with. */
      readonly originalStatusCode?: number;
    }
  | { readonly kind: "raw"; readonly statusCode: number; readonly contentType: string; readonly body: string }
  | { readonly kind: "hang" }
  | { readonly kind: "reset" };

/** One InvokeEndpoint call as the server received it. */
export interface RecordedInvocation {
  readonly endpointName: string;
  readonly contentType: string | undefined;
  readonly accept: string | undefined;
  readonly customAttributes: string | undefined;
  readonly authorization: string | undefined;
  readonly headers: IncomingMessage["headers"];
  readonly body: Buffer;
}

export type RuntimeBehaviour = RuntimeMode | ((invocation: RecordedInvocation, index: number) => RuntimeMode);

export interface SageMakerRuntimeServerOptions {
  /** Endpoint names that exist; others get a ValidationError as from the real service. Default: any name. */
  readonly endpointNames?: readonly string[];
  /** Class labels in index order. Default: 133 labels `class-000` … `class-132`. */
  readonly labels?: readonly string[];
  /** Port to listen on. Default: a free one. */
  readonly port?: number;
}

export interface SageMakerRuntimeServer {
  /** Base URL for the SDK's `endpoint` option or SAGEMAKER_RUNTIME_URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly labels: readonly string[];
  /** Every invocation received since start (or the last `reset`), in order. */
  readonly invocations: readonly RecordedInvocation[];
  /** Switches how the following requests are answered. */
  setMode(behaviour: RuntimeBehaviour): void;
  /** Back to model mode, with no recorded invocations. */
  reset(): void;
  close(): Promise<void>;
}

export const DEFAULT_LABELS: readonly string[] = Array.from(
  { length: 133 },
  (_, index) => `class-${String(index).padStart(3, "0")}`,
);

export async function startSageMakerRuntimeServer(
  options: SageMakerRuntimeServerOptions = {},
): Promise<SageMakerRuntimeServer> {
  const labels = options.labels ?? DEFAULT_LABELS;
  const invocations: RecordedInvocation[] = [];
  let behaviour: RuntimeBehaviour = { kind: "model" };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const invocation = recordInvocation(req, Buffer.concat(chunks));
      if (!invocation) {
        return sendError(res, 404, "UnknownOperationException", "Unknown operation");
      }
      if (!invocation.authorization?.startsWith("AWS4-HMAC-SHA256 ")) {
        return sendError(res, 403, "MissingAuthenticationTokenException", "Missing Authentication Token");
      }
      if (options.endpointNames && !options.endpointNames.includes(invocation.endpointName)) {
        return sendError(
          res,
          400,
          "ValidationError",
          `Endpoint ${invocation.endpointName} of account 000000000000 not found.`,
        );
      }
      const index = invocations.push(invocation) - 1;
      const mode = typeof behaviour === "function" ? behaviour(invocation, index) : behaviour;
      answer(res, mode, invocation, labels);
    });
  });
  // Answers go out as soon as they are written: no Nagle delay on loopback.
  server.on("connection", (socket) => socket.setNoDelay(true));

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    labels,
    invocations,
    setMode(next) {
      behaviour = next;
    },
    reset() {
      behaviour = { kind: "model" };
      invocations.length = 0;
    },
    close() {
      return new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

/** The predictions model mode gives for `bytes`: deterministic, sorted, top-k. */
export function modelPredictions(
  bytes: Uint8Array,
  topK: number | undefined,
  labels: readonly string[] = DEFAULT_LABELS,
): { label: string; index: number; probability: number }[] {
  const digest = createHash("sha256").update(bytes).digest();
  let state = digest.readUInt32LE(0) || 1;
  const logits = labels.map(() => {
    // xorshift32: a cheap deterministic stream seeded by the image's hash
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return ((state >>> 0) / 0xffffffff) * 8;
  });
  const max = Math.max(...logits);
  const weights = logits.map((logit) => Math.exp(logit - max));
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  return weights
    .map((weight, index) => ({ label: labels[index]!, index, probability: weight / total }))
    .sort((a, b) => b.probability - a.probability || a.index - b.index)
    .slice(0, topK ?? labels.length);
}

function recordInvocation(req: IncomingMessage, body: Buffer): RecordedInvocation | undefined {
  const match = /^\/endpoints\/([^/]+)\/invocations$/.exec((req.url ?? "").split("?")[0]!);
  if (req.method !== "POST" || !match) return undefined;
  return {
    endpointName: decodeURIComponent(match[1]!),
    contentType: req.headers["content-type"],
    accept: req.headers["accept"],
    customAttributes: header(req, "x-amzn-sagemaker-custom-attributes"),
    authorization: req.headers["authorization"],
    headers: req.headers,
    body,
  };
}

function answer(
  res: ServerResponse,
  mode: RuntimeMode,
  invocation: RecordedInvocation,
  labels: readonly string[],
): void {
  switch (mode.kind) {
    case "hang":
      return; // the socket stays open until the client gives up or the server closes
    case "reset":
      res.socket?.resetAndDestroy(); // TCP RST before any byte of the answer
      return;
    case "raw":
      return send(res, mode.statusCode, mode.contentType, mode.body);
    case "error":
      return sendModelledError(res, mode);
    case "model": {
      const contentType = invocation.contentType?.split(";")[0]?.trim();
      if (contentType !== "image/jpeg" && contentType !== "image/png") {
        return sendModelledError(res, {
          kind: "error",
          error: "ModelError",
          originalStatusCode: 415,
          message: `unsupported content type ${contentType ?? "(none)"}`,
        });
      }
      const predictions = modelPredictions(invocation.body, topKFrom(invocation.accept), labels);
      return send(res, 200, "application/json", JSON.stringify({ predictions }), {
        "x-amzn-invoked-production-variant": "AllTraffic",
      });
    }
  }
}

function sendModelledError(res: ServerResponse, mode: Extract<RuntimeMode, { kind: "error" }>): void {
  const status = SAGEMAKER_ERROR_STATUS[mode.error];
  if (mode.error === "ModelError") {
    const originalStatusCode = mode.originalStatusCode ?? 500;
    const originalMessage = mode.message ?? "model raised an exception";
    return sendError(
      res,
      status,
      "ModelError",
      `Received client error (${originalStatusCode}) from primary with message "${originalMessage}".`,
      {
        OriginalStatusCode: originalStatusCode,
        OriginalMessage: originalMessage,
        LogStreamArn: "arn:aws:logs:us-east-1:000000000000:log-group:/aws/sagemaker/Endpoints/local",
      },
    );
  }
  sendError(res, status, mode.error, mode.message ?? `${mode.error} from the local runtime`);
}

function sendError(
  res: ServerResponse,
  status: number,
  errorType: string,
  message: string,
  extra: Record<string, unknown> = {},
): void {
  send(res, status, "application/json", JSON.stringify({ Message: message, ...extra }), {
    "x-amzn-errortype": `${errorType}:http://internal.amazon.com/coral/com.amazonaws.sagemaker/`,
  });
}

function send(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    "content-type": contentType,
    "content-length": Buffer.byteLength(body),
    "x-amzn-requestid": randomUUID(),
    ...headers,
  });
  res.end(body);
}

/** Reads k from `Accept: application/json; topk=5`. */
export function topKFrom(accept: string | undefined): number | undefined {
  const match = /;\s*topk\s*=\s*(\d+)/i.exec(accept ?? "");
  return match ? Number(match[1]) : undefined;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}
