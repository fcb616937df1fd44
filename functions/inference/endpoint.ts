/**
 * The call to the SageMaker endpoint: one client per container (created at module load by
 * index.ts), a time budget per call, retries bounded by that budget, and errors reduced to a
 * few kinds the handler can answer without leaking internals. The endpoint's answer is
 * validated, because a model container can return anything.
 */
import { InvokeEndpointCommand, SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import * as z from "zod/mini";
import { HttpError } from "./http-error";
import type { ImageContentType } from "./image-type";
import { LAMBDA_RESPONSE_LIMIT_BYTES } from "./response";

/** One retry for transient failures (5xx, throttling, network); the time budget bounds both tries. */
export const MAX_ATTEMPTS = 2;

export interface RuntimeClientSettings {
  readonly runtimeUrl: string | undefined;
  readonly endpointTimeoutMs: number;
}

export function createRuntimeClient(settings: RuntimeClientSettings): SageMakerRuntimeClient {
  return new SageMakerRuntimeClient({
    ...(settings.runtimeUrl === undefined ? {} : { endpoint: settings.runtimeUrl }),
    maxAttempts: MAX_ATTEMPTS,
    requestHandler: {
      connectionTimeout: Math.min(settings.endpointTimeoutMs, 3_000),
      requestTimeout: settings.endpointTimeoutMs,
      throwOnRequestTimeout: true,
    },
  });
}

export const PredictionSchema = z.object({
  label: z.string().check(z.minLength(1)),
  index: z.int().check(z.gte(0)),
  probability: z.number().check(z.gte(0), z.lte(1)),
});
export type Prediction = z.infer<typeof PredictionSchema>;

const EndpointAnswerSchema = z.object({
  predictions: z.array(PredictionSchema).check(z.minLength(1), z.maxLength(10_000)),
});

export type EndpointFailure = "timeout" | "throttled" | "failed" | "bad-answer" | "too-large";

/** Longest model message passed on to the caller (the rest is in the logs' detail). */
export const MODEL_MESSAGE_MAX_CHARS = 500;

/** The endpoint failed; `detail` is for the logs only. */
export class EndpointError extends Error {
  override readonly name = "EndpointError";

  constructor(
    readonly failure: EndpointFailure,
    readonly detail: Record<string, unknown>,
  ) {
    super(`endpoint call failed: ${failure}`);
  }
}

export interface InvocationRequest {
  readonly endpointName: string;
  readonly image: Uint8Array;
  readonly contentType: ImageContentType;
  readonly topK: number;
  readonly timeoutMs: number;
}

/** Invokes the endpoint and returns its top-k predictions, most probable first. */
export async function invokeEndpoint(
  client: SageMakerRuntimeClient,
  request: InvocationRequest,
): Promise<Prediction[]> {
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), request.timeoutMs);
  let body: Uint8Array | undefined;
  try {
    const output = await client.send(
      new InvokeEndpointCommand({
        EndpointName: request.endpointName,
        Body: request.image,
        ContentType: request.contentType,
        // The model's inference handler reads k from this media-type parameter.
        Accept: `application/json; topk=${request.topK}`,
      }),
      { abortSignal: deadline.signal },
    );
    body = output.Body;
  } catch (error) {
    const refusal = deadline.signal.aborted ? undefined : modelRefusal(error);
    if (refusal) throw refusal;
    throw new EndpointError(deadline.signal.aborted ? "timeout" : classify(error), describe(error));
  } finally {
    clearTimeout(timer);
  }
  return readPredictions(body, request.topK);
}

/**
 * The model's own refusal of the request: a ModelError whose OriginalStatusCode is a 4xx
 * (our inference.py answers 400/413/415 for a bad image, through the toolkit's
 * status_code). The caller gets the same status and the model's message: it is the
 * caller's image that must change, and a 5xx would make clients retry it. 429 is the
 * model being busy, which is throttling (503), not the caller's fault.
 */
function modelRefusal(error: unknown): HttpError | undefined {
  const { name, OriginalStatusCode, OriginalMessage } = error as {
    name?: string;
    OriginalStatusCode?: number;
    OriginalMessage?: string;
  };
  if (name !== "ModelError" || typeof OriginalStatusCode !== "number") return undefined;
  if (OriginalStatusCode < 400 || OriginalStatusCode > 499 || OriginalStatusCode === 429) return undefined;
  const message = modelMessage(OriginalMessage) || `the model refused the image (HTTP ${OriginalStatusCode})`;
  return new HttpError(OriginalStatusCode, message, describe(error));
}

/**
 * The first line of the container's answer. The SageMaker inference toolkit answers an
 * error with `"{message}\n{traceback}"` (sagemaker_inference/transformer.py, handle_error),
 * and the runtime passes that body on as OriginalMessage: the traceback is for the logs.
 */
function modelMessage(original: string | undefined): string {
  const firstLine = (original ?? "").split(/\r?\n/, 1)[0] ?? "";
  // Control characters have no place in a JSON message shown to people.
  const printable = firstLine.replace(/[\u0000-\u001f\u007f]/g, "").trim();
  return printable.slice(0, MODEL_MESSAGE_MAX_CHARS);
}

function classify(error: unknown): EndpointFailure {
  const { name, code, $metadata } = error as {
    name?: string;
    code?: string;
    $metadata?: { httpStatusCode?: number };
  };
  // Smithy's node handler renames ECONNRESET and EPIPE to TimeoutError
  // (@smithy/node-http-handler, NODEJS_TIMEOUT_ERROR_CODES), but a reset connection is the
  // endpoint failing, not the endpoint being slow.
  if (code === "ECONNRESET" || code === "EPIPE") return "failed";
  if (name === "TimeoutError" || name === "AbortError") return "timeout";
  if (
    name === "ThrottlingException" ||
    name === "ModelNotReadyException" ||
    name === "ServiceUnavailable" ||
    $metadata?.httpStatusCode === 429 ||
    (error as { OriginalStatusCode?: number }).OriginalStatusCode === 429
  ) {
    return "throttled";
  }
  return "failed";
}

function describe(error: unknown): Record<string, unknown> {
  const { name, message, code, $metadata, OriginalStatusCode } = error as {
    name?: string;
    message?: string;
    code?: string;
    $metadata?: { httpStatusCode?: number; requestId?: string; attempts?: number };
    OriginalStatusCode?: number;
  };
  return {
    errorName: name,
    errorMessage: message,
    errorCode: code,
    httpStatusCode: $metadata?.httpStatusCode,
    awsRequestId: $metadata?.requestId,
    attempts: $metadata?.attempts,
    originalStatusCode: OriginalStatusCode,
  };
}

function readPredictions(body: Uint8Array | undefined, topK: number): Prediction[] {
  // An answer larger than the function may return cannot be right for k predictions, and
  // parsing it would cost the function's memory: refuse it unread.
  if (body && body.length > LAMBDA_RESPONSE_LIMIT_BYTES) {
    throw new EndpointError("too-large", {
      problem: "answer is larger than the Lambda response limit",
      bytes: body.length,
    });
  }
  let answer: unknown;
  try {
    answer = JSON.parse(new TextDecoder().decode(body));
  } catch {
    throw new EndpointError("bad-answer", { problem: "answer is not JSON", bytes: body?.length ?? 0 });
  }
  const parsed = EndpointAnswerSchema.safeParse(answer);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new EndpointError("bad-answer", {
      problem: "answer does not match the schema",
      path: issue?.path.join("."),
      issue: issue?.message,
    });
  }
  // The endpoint is asked for k predictions; sort and cut anyway in case it sends more.
  return [...parsed.data.predictions].sort((a, b) => b.probability - a.probability).slice(0, topK);
}
