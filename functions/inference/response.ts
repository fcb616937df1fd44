/**
 * The function's answer, in the shape both direct invocations and API Gateway / function URL
 * proxies understand: `{ statusCode, headers, body }` with a JSON body.
 */
import type { Prediction } from "./endpoint";

/**
 * The most a synchronous Lambda invocation may return: "6 MB" for the request and the
 * response each (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html and
 * https://docs.aws.amazon.com/lambda/latest/dg/API_Invoke.html: "For synchronous invocations,
 * the maximum payload size is 6 MB"). The runtime refuses a larger answer with
 * "Response payload size exceeded maximum allowed payload size (6291556 bytes)" and the
 * caller sees a function error instead of our JSON; we keep to 6 MiB (6,291,456 bytes) of the
 * serialised `{ statusCode, headers, body }`, which is what the runtime measures.
 */
export const LAMBDA_RESPONSE_LIMIT_BYTES = 6 * 1024 * 1024;

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

/** Size of the response as the Lambda runtime serialises it (JSON, UTF-8). */
export function serialisedBytes(response: InferenceResponse): number {
  return Buffer.byteLength(JSON.stringify(response), "utf8");
}
