/**
 * The function's answer, in the shape both direct invocations and API Gateway / function URL
 * proxies understand: `{ statusCode, headers, body }` with a JSON body.
 */
import type { Prediction } from "./endpoint";

export interface InferenceResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

const JSON_HEADERS = {
  "content-type": "application/json",
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
} as const;

export function predictionsResponse(predictions: readonly Prediction[]): InferenceResponse {
  return jsonResponse(200, { predictions });
}

/** A client error (4xx): the message says what to fix. */
export function clientErrorResponse(statusCode: number, message: string): InferenceResponse {
  return jsonResponse(statusCode, { error: message });
}

/** A server-side failure (5xx): a generic message plus the request id to find the logs. */
export function serverErrorResponse(
  statusCode: number,
  message: string,
  requestId: string,
  headers: Readonly<Record<string, string>> = {},
): InferenceResponse {
  return jsonResponse(statusCode, { error: message, requestId }, headers);
}

function jsonResponse(
  statusCode: number,
  payload: unknown,
  headers: Readonly<Record<string, string>> = {},
): InferenceResponse {
  return { statusCode, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(payload) };
}
