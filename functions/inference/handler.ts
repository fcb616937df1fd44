/**
 * The inference handler, built from its collaborators so tests can run it against local
 * servers. index.ts wires the production collaborators once per container.
 *
 * Status codes: 200 predictions; 400 malformed request or refused url; 413 image too large;
 * 415 image is not JPEG/PNG; 422 url could not be fetched or its bytes do not match its type;
 * the model's own 4xx (a ModelError with OriginalStatusCode 4xx) with the model's message;
 * 500 unexpected error; 502 endpoint failed, reset the connection, answered nonsense or an
 * answer beyond Lambda's 6 MB response limit; 503 endpoint throttled; 504 endpoint or image
 * download timed out. The handler never throws.
 */
import { randomUUID } from "node:crypto";
import type { SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import type { Logger } from "@aws-lambda-powertools/logger";
import type { InferenceConfig } from "./config";
import { EndpointError, invokeEndpoint } from "./endpoint";
import type { EndpointFailure } from "./endpoint";
import { parseInferenceRequest } from "./event";
import type { InferenceRequest } from "./event";
import { ImageFetchError } from "./fetch-image";
import type { ImageFetcher, ImageFetchFailure } from "./fetch-image";
import { HttpError } from "./http-error";
import { sniffImageType } from "./image-type";
import type { ImageContentType } from "./image-type";
import {
  clientErrorResponse,
  LAMBDA_RESPONSE_LIMIT_BYTES,
  predictionsResponse,
  serialisedBytes,
  serverErrorResponse,
} from "./response";
import type { InferenceResponse } from "./response";

export interface HandlerDependencies {
  readonly config: InferenceConfig;
  readonly client: SageMakerRuntimeClient;
  readonly logger: Logger;
  readonly fetchImage: ImageFetcher;
}

/** The parts of the Lambda context the handler uses. */
export interface InvocationContext {
  readonly awsRequestId: string;
  readonly functionName?: string;
  readonly functionVersion?: string;
  readonly invokedFunctionArn?: string;
  readonly memoryLimitInMB?: string;
}

export type InferenceHandler = (event: unknown, context?: InvocationContext) => Promise<InferenceResponse>;

const FETCH_FAILURE_STATUS: Readonly<Record<ImageFetchFailure, number>> = {
  "forbidden-address": 400,
  "redirect-refused": 400,
  "too-many-redirects": 400,
  "too-large": 413,
  "unsupported-type": 415,
  "content-mismatch": 422,
  "http-status": 422,
  unreachable: 422,
  timeout: 504,
};

const ENDPOINT_FAILURE_RESPONSE: Readonly<
  Record<EndpointFailure, { statusCode: number; message: string; headers?: Record<string, string> }>
> = {
  failed: { statusCode: 502, message: "the model endpoint failed to classify the image" },
  "bad-answer": { statusCode: 502, message: "the model endpoint returned an invalid answer" },
  throttled: {
    statusCode: 503,
    message: "the model endpoint is busy, retry later",
    headers: { "retry-after": "1" },
  },
  timeout: { statusCode: 504, message: "the model endpoint did not answer in time" },
  "too-large": { statusCode: 502, message: "the model endpoint returned an answer too large to return" },
};

interface Timings {
  fetchMs?: number;
  invokeMs?: number;
  totalMs?: number;
}

export function createHandler(deps: HandlerDependencies): InferenceHandler {
  const { config, client, logger, fetchImage } = deps;

  async function classify(
    event: unknown,
    timings: Timings,
    facts: Record<string, unknown>,
  ): Promise<InferenceResponse> {
    const request = parseInferenceRequest(event, { maxImageBytes: config.maxImageBytes });
    facts.source = request.source;
    const image = await loadImage(request, timings);
    facts.imageBytes = image.bytes.length;
    facts.contentType = image.contentType;
    const invokeStarted = performance.now();
    try {
      const predictions = await invokeEndpoint(client, {
        endpointName: config.endpointName,
        image: image.bytes,
        contentType: image.contentType,
        topK: config.topK,
        timeoutMs: config.endpointTimeoutMs,
      });
      const response = predictionsResponse(predictions);
      const bytes = serialisedBytes(response);
      if (bytes > LAMBDA_RESPONSE_LIMIT_BYTES) {
        throw new EndpointError("too-large", { problem: "answer exceeds the Lambda response limit", bytes });
      }
      return response;
    } finally {
      timings.invokeMs = elapsedSince(invokeStarted);
    }
  }

  async function loadImage(
    request: InferenceRequest,
    timings: Timings,
  ): Promise<{ bytes: Buffer; contentType: ImageContentType }> {
    if (request.source === "image") {
      const contentType = sniffImageType(request.bytes);
      if (!contentType) throw new HttpError(415, "image must be a JPEG or PNG");
      return { bytes: request.bytes, contentType };
    }
    const fetchStarted = performance.now();
    try {
      return await fetchImage(request.url, {
        maxBytes: config.maxImageBytes,
        timeoutMs: config.fetchTimeoutMs,
      });
    } finally {
      timings.fetchMs = elapsedSince(fetchStarted);
    }
  }

  function errorResponse(
    error: unknown,
    requestId: string,
    facts: Record<string, unknown>,
  ): InferenceResponse {
    if (error instanceof HttpError) {
      Object.assign(facts, error.detail, { reason: error.message });
      return clientErrorResponse(error.statusCode, error.message);
    }
    if (error instanceof ImageFetchError) {
      const statusCode = FETCH_FAILURE_STATUS[error.failure];
      Object.assign(facts, { reason: error.message, fetchFailure: error.failure, ...error.detail });
      return statusCode < 500
        ? clientErrorResponse(statusCode, error.message)
        : serverErrorResponse(statusCode, error.message, requestId);
    }
    if (error instanceof EndpointError) {
      const answer = ENDPOINT_FAILURE_RESPONSE[error.failure];
      Object.assign(facts, { endpointFailure: error.failure, ...error.detail });
      return serverErrorResponse(answer.statusCode, answer.message, requestId, answer.headers);
    }
    facts.unexpectedError =
      error instanceof Error
        ? { name: error.name, message: error.message, stack: error.stack }
        : String(error);
    return serverErrorResponse(500, "internal error", requestId);
  }

  return async function handler(event, context) {
    const started = performance.now();
    const requestId = context?.awsRequestId ?? randomUUID();
    const timings: Timings = {};
    const facts: Record<string, unknown> = {};
    let response: InferenceResponse;
    try {
      if (context) logger.addContext(context as Parameters<Logger["addContext"]>[0]);
      response = await classify(event, timings, facts);
    } catch (error) {
      response = errorResponse(error, requestId, facts);
    }
    timings.totalMs = elapsedSince(started);
    try {
      const entry = { requestId, statusCode: response.statusCode, ...facts, timings };
      if (response.statusCode >= 500) logger.error("inference request failed", entry);
      else logger.info("inference request handled", entry);
    } catch {
      // Logging must never turn an answer into a crash.
    }
    return response;
  };
}

function elapsedSince(start: number): number {
  return Math.round((performance.now() - start) * 1000) / 1000;
}
