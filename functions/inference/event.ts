/**
 * Turns a Lambda event into an inference request. Accepted shapes:
 * - a direct invocation: `{"url": "https://…"}` or `{"image": "<base64>"}`;
 * - an API Gateway (REST v1 or HTTP v2) or function URL event whose `body` is that JSON,
 *   possibly base64-encoded (`isBase64Encoded: true`).
 * Every rejection is an HttpError with a message that names the offending field.
 */
import * as z from "zod/mini";
import { decodeBase64 } from "./base64";
import { HttpError } from "./http-error";

export type InferenceRequest =
  { readonly source: "url"; readonly url: URL } | { readonly source: "image"; readonly bytes: Buffer };

export interface RequestLimits {
  readonly maxImageBytes: number;
}

export const MAX_URL_LENGTH = 2048;

const HttpEventSchema = z.object({
  body: z.optional(z.nullable(z.string({ error: "body must be a string" }))),
  isBase64Encoded: z.optional(z.nullable(z.boolean({ error: "isBase64Encoded must be a boolean" }))),
});

// Null counts as absent: `{"url": null, "image": "…"}` is a request for the image.
const InferenceRequestSchema = z.object({
  url: z.optional(z.nullable(z.string({ error: "url must be an https URL" }))),
  image: z.optional(z.nullable(z.string({ error: "image must be base64" }))),
});

/** Parses and validates an event; throws HttpError (400 or 413) for bad input. */
export function parseInferenceRequest(event: unknown, limits: RequestLimits): InferenceRequest {
  if (!isPlainObject(event)) throw badRequest("event must be a JSON object");
  const payload = isHttpEvent(event) ? readHttpBody(event) : event;
  if (!isPlainObject(payload)) {
    throw badRequest(isHttpEvent(event) ? "body must be a JSON object" : "event must be a JSON object");
  }
  const parsed = InferenceRequestSchema.safeParse(payload);
  if (!parsed.success) throw badRequest(parsed.error.issues[0]?.message ?? "invalid request");
  const { url, image } = parsed.data;
  const hasUrl = url !== undefined && url !== null;
  const hasImage = image !== undefined && image !== null;
  if (hasUrl === hasImage) throw badRequest("provide exactly one of url or image");
  return hasUrl
    ? { source: "url", url: parseHttpsUrl(url) }
    : { source: "image", bytes: decodeImage(image!, limits) };
}

function isHttpEvent(event: Record<string, unknown>): boolean {
  return "body" in event || "requestContext" in event || "httpMethod" in event || "routeKey" in event;
}

function readHttpBody(event: Record<string, unknown>): unknown {
  const parsed = HttpEventSchema.safeParse(event);
  if (!parsed.success) throw badRequest(parsed.error.issues[0]?.message ?? "invalid HTTP event");
  const { body, isBase64Encoded } = parsed.data;
  if (body === undefined || body === null || body === "") throw badRequest("body is required");
  let text = body;
  if (isBase64Encoded) {
    const decoded = decodeBase64(body);
    if (!decoded.ok) throw badRequest("body is not valid base64");
    text = decoded.bytes.toString("utf8");
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw badRequest("body is not valid JSON");
  }
}

function parseHttpsUrl(text: string): URL {
  if (text.length > MAX_URL_LENGTH) throw badRequest(`url must be at most ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw badRequest("url must be an https URL");
  }
  if (url.protocol !== "https:") throw badRequest("url must be an https URL");
  if (url.username !== "" || url.password !== "") throw badRequest("url must not contain credentials");
  return url;
}

function decodeImage(text: string, limits: RequestLimits): Buffer {
  if (text.trim() === "") throw badRequest("image must not be empty");
  const decoded = decodeBase64(text, limits.maxImageBytes);
  if (decoded.ok) return decoded.bytes;
  if (decoded.problem === "too-large") {
    throw new HttpError(413, `image must be at most ${limits.maxImageBytes} bytes`);
  }
  throw badRequest("image must be base64");
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function badRequest(message: string): HttpError {
  return new HttpError(400, message);
}
