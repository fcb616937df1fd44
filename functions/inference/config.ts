/**
 * The function's settings, read once from environment variables and validated, so a
 * misconfigured deployment fails with one clear message instead of odd behaviour per request.
 */
import * as z from "zod/mini";
import type { LogLevel } from "@aws-lambda-powertools/logger/types";

const MIB = 1024 * 1024;

export const CONFIG_DEFAULTS = {
  maxImageBytes: 5 * MIB,
  fetchTimeoutMs: 5_000,
  endpointTimeoutMs: 10_000,
  topK: 5,
  logLevel: "INFO",
} as const;

export interface InferenceConfig {
  /** SageMaker endpoint to invoke (`ENDPOINT_NAME`, required). */
  readonly endpointName: string;
  /** Overrides the SageMaker runtime endpoint URL (`SAGEMAKER_RUNTIME_URL`), for local runs and tests. */
  readonly runtimeUrl: string | undefined;
  /** Largest accepted image, after base64 decoding or download (`MAX_IMAGE_BYTES`). */
  readonly maxImageBytes: number;
  /** Budget for downloading an image, all redirects included (`FETCH_TIMEOUT_MS`). */
  readonly fetchTimeoutMs: number;
  /** Budget for the InvokeEndpoint call, retries included (`ENDPOINT_TIMEOUT_MS`). */
  readonly endpointTimeoutMs: number;
  /** How many predictions to ask for and return (`TOP_K`). */
  readonly topK: number;
  /** Powertools log level (`LOG_LEVEL`). */
  readonly logLevel: LogLevel;
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

const LOG_LEVELS = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "CRITICAL", "SILENT"] as const;
// SageMaker's own rule for endpoint names.
const ENDPOINT_NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

function integerSetting(name: string, min: number, max: number, fallback: number) {
  const message = `${name} must be an integer from ${min} to ${max}`;
  return z._default(
    z.pipe(
      z.string().check(z.regex(/^\d+$/, message)),
      z.pipe(
        z.transform((text: string) => Number(text)),
        z.number().check(z.gte(min, message), z.lte(max, message)),
      ),
    ),
    fallback,
  );
}

const EnvironmentSchema = z.object({
  ENDPOINT_NAME: z
    .string({ error: "ENDPOINT_NAME is required" })
    .check(z.regex(ENDPOINT_NAME_PATTERN, "ENDPOINT_NAME must be a SageMaker endpoint name")),
  SAGEMAKER_RUNTIME_URL: z.optional(
    z.string().check(z.refine(isHttpUrl, "SAGEMAKER_RUNTIME_URL must be an http or https URL")),
  ),
  MAX_IMAGE_BYTES: integerSetting("MAX_IMAGE_BYTES", 1, 20 * MIB, CONFIG_DEFAULTS.maxImageBytes),
  FETCH_TIMEOUT_MS: integerSetting("FETCH_TIMEOUT_MS", 100, 60_000, CONFIG_DEFAULTS.fetchTimeoutMs),
  ENDPOINT_TIMEOUT_MS: integerSetting("ENDPOINT_TIMEOUT_MS", 100, 60_000, CONFIG_DEFAULTS.endpointTimeoutMs),
  TOP_K: integerSetting("TOP_K", 1, 100, CONFIG_DEFAULTS.topK),
  LOG_LEVEL: z._default(
    z.pipe(
      z.transform((text: string) => text.toUpperCase()),
      z.enum(LOG_LEVELS, { error: `LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}` }),
    ),
    CONFIG_DEFAULTS.logLevel,
  ),
});

/** Reads the configuration; throws a ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv): InferenceConfig {
  // An empty variable means "not set": deployment tools often render unset values as "".
  const present = Object.fromEntries(
    Object.entries(env)
      .map(([key, value]) => [key, value?.trim()] as const)
      .filter(([, value]) => value !== undefined && value !== ""),
  );
  const parsed = EnvironmentSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => issue.message);
    throw new ConfigError(`invalid configuration: ${[...new Set(problems)].join("; ")}`);
  }
  const settings = parsed.data;
  return {
    endpointName: settings.ENDPOINT_NAME,
    runtimeUrl: settings.SAGEMAKER_RUNTIME_URL,
    maxImageBytes: settings.MAX_IMAGE_BYTES,
    fetchTimeoutMs: settings.FETCH_TIMEOUT_MS,
    endpointTimeoutMs: settings.ENDPOINT_TIMEOUT_MS,
    topK: settings.TOP_K,
    logLevel: settings.LOG_LEVEL,
  };
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}
