/**
 * The arguments of `InferenceFunction`, their defaults (one visible place) and their validation.
 * The function's environment limits must agree with the handler (functions/inference/config.ts)
 * and with the endpoint it calls; conflicts are reported here, naming the arguments involved.
 */
import * as pulumi from "@pulumi/pulumi";
import type { FunctionBundle } from "../../functions";
import { AwsContext } from "../shared/aws-context";
import { isLogRetentionDays, LOG_RETENTION_DAYS } from "../shared/logs";
import { Tags } from "../shared/tags";
import type { InvokableEndpoint } from "../inference-endpoint";

export interface FunctionUrlArgs {
  /**
   * Only `AWS_IAM` is accepted: callers sign requests (SigV4) and need `lambda:InvokeFunctionUrl`.
   * `NONE` is refused: it would let anyone on the internet run the function and spend its
   * concurrency and the endpoint's capacity.
   */
  authorizationType?: "AWS_IAM" | "NONE";
}

export interface InferenceFunctionArgs {
  /** Function name: deterministic, so its log group and ARNs are known at preview. Required. */
  functionName: string;
  /** Name of the function's role. Default: the function name. */
  roleName?: string;
  /** The partition, region and account (see `lookupAwsContext`). Required. */
  context: pulumi.Input<AwsContext>;
  /**
   * The endpoint the function calls (an `InferenceEndpoint`, or `endpointReference(...)` for one
   * created elsewhere). The role is granted `sagemaker:InvokeEndpoint` on exactly its ARN. Required.
   */
  endpoint: InvokableEndpoint;
  /** The handler bundle. Default: functions/inference bundled at deploy time by `bundleFunction`. */
  bundle?: FunctionBundle;
  /** Memory, MB (128-10240; CPU scales with it). Default 256. */
  memorySizeMb?: number;
  /** Timeout, seconds (1-900). Default 30. */
  timeoutSeconds?: number;
  /** Reserved concurrency: the most concurrent runs, which also caps cost and endpoint load. Default 5. */
  reservedConcurrency?: number;
  /** Pre-initialised environments on the alias (0 = none). Default 0. Must be <= reservedConcurrency. */
  provisionedConcurrency?: number;
  /** Alias on the published version; callers, provisioned concurrency and the URL use it. Default `live`. */
  aliasName?: string;
  /** A function URL on the alias, IAM-authenticated only. Default: no URL. */
  functionUrl?: boolean | FunctionUrlArgs;
  /** Retention of `/aws/lambda/<functionName>`. Default 30. */
  logRetentionDays?: number;
  /** Largest image accepted (`MAX_IMAGE_BYTES`). Default: the endpoint's request limit, else 4 MiB. */
  maxImageBytes?: number;
  /** Budget for downloading an image (`FETCH_TIMEOUT_MS`). Default 5000. */
  fetchTimeoutMs?: number;
  /** Budget for the InvokeEndpoint call, retry included (`ENDPOINT_TIMEOUT_MS`). Default 10000. */
  endpointTimeoutMs?: number;
  /** Predictions returned (`TOP_K`, 1-100). Default 5. */
  topK?: number;
  tags?: Tags;
}

const MIB = 1024 * 1024;

export const FUNCTION_DEFAULTS = {
  memorySizeMb: 256,
  timeoutSeconds: 30,
  reservedConcurrency: 5,
  provisionedConcurrency: 0,
  aliasName: "live",
  logRetentionDays: 30,
  /** When the endpoint's limit is unknown: the smaller of the two SageMaker limits (serverless). */
  maxImageBytes: 4 * MIB,
  fetchTimeoutMs: 5000,
  endpointTimeoutMs: 10_000,
  topK: 5,
};

/** Ranges the handler accepts for its settings (functions/inference/config.ts). */
export const HANDLER_LIMITS = {
  maxImageBytes: { min: 1, max: 20 * MIB },
  fetchTimeoutMs: { min: 100, max: 60_000 },
  endpointTimeoutMs: { min: 100, max: 60_000 },
  topK: { min: 1, max: 100 },
};

export interface ResolvedFunctionArgs {
  functionName: string;
  roleName: string;
  aliasName: string;
  memorySizeMb: number;
  timeoutSeconds: number;
  reservedConcurrency: number;
  provisionedConcurrency: number;
  functionUrl: boolean;
  logRetentionDays: number;
  maxImageBytes: number;
  fetchTimeoutMs: number;
  endpointTimeoutMs: number;
  topK: number;
}

const isWhole = (v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): v is number =>
  typeof v === "number" && Number.isInteger(v) && v >= min && v <= max;

/**
 * Applies the defaults and checks every argument; throws one error listing every problem, each
 * naming its argument(s), what is allowed and the value it got.
 */
export function resolveFunctionArgs(name: string, args: InferenceFunctionArgs): ResolvedFunctionArgs {
  const problems: string[] = [];
  const d = FUNCTION_DEFAULTS;
  const r: ResolvedFunctionArgs = {
    functionName: args.functionName,
    roleName: args.roleName ?? args.functionName,
    aliasName: args.aliasName ?? d.aliasName,
    memorySizeMb: args.memorySizeMb ?? d.memorySizeMb,
    timeoutSeconds: args.timeoutSeconds ?? d.timeoutSeconds,
    reservedConcurrency: args.reservedConcurrency ?? d.reservedConcurrency,
    provisionedConcurrency: args.provisionedConcurrency ?? d.provisionedConcurrency,
    functionUrl: args.functionUrl !== undefined && args.functionUrl !== false,
    logRetentionDays: args.logRetentionDays ?? d.logRetentionDays,
    maxImageBytes: args.maxImageBytes ?? args.endpoint?.maxRequestBytes ?? d.maxImageBytes,
    fetchTimeoutMs: args.fetchTimeoutMs ?? d.fetchTimeoutMs,
    endpointTimeoutMs: args.endpointTimeoutMs ?? d.endpointTimeoutMs,
    topK: args.topK ?? d.topK,
  };

  if (!/^[A-Za-z0-9_-]{1,64}$/.test(r.functionName ?? ""))
    problems.push(
      `functionName must be 1-64 letters, digits, hyphens or underscores (got ${JSON.stringify(r.functionName)})`,
    );
  if (!/^[\w+=,.@-]{1,64}$/.test(r.roleName ?? ""))
    problems.push(
      `roleName must be 1-64 characters of letters, digits and +=,.@_- (got ${JSON.stringify(r.roleName)})`,
    );
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(r.aliasName) || /^\d+$/.test(r.aliasName))
    problems.push(
      `aliasName must be 1-128 letters, digits, hyphens or underscores, not only digits (got ${JSON.stringify(r.aliasName)})`,
    );
  if (!args.endpoint)
    problems.push("endpoint is required (the function is granted InvokeEndpoint on it alone)");
  if (!isWhole(r.memorySizeMb, 128, 10_240))
    problems.push(`memorySizeMb must be a whole number between 128 and 10240 (got ${r.memorySizeMb})`);
  if (!isWhole(r.timeoutSeconds, 1, 900))
    problems.push(`timeoutSeconds must be a whole number between 1 and 900 (got ${r.timeoutSeconds})`);
  if (!isWhole(r.reservedConcurrency, 1))
    problems.push(`reservedConcurrency must be a whole number >= 1 (got ${r.reservedConcurrency})`);
  if (!isWhole(r.provisionedConcurrency, 0))
    problems.push(`provisionedConcurrency must be a whole number >= 0 (got ${r.provisionedConcurrency})`);
  else if (isWhole(r.reservedConcurrency, 1) && r.provisionedConcurrency > r.reservedConcurrency)
    problems.push(
      `provisionedConcurrency must be <= reservedConcurrency (got ${r.provisionedConcurrency} > ${r.reservedConcurrency}): ` +
        "provisioned environments are part of the function's reserved concurrency",
    );
  if (typeof args.functionUrl === "object" && (args.functionUrl.authorizationType ?? "AWS_IAM") !== "AWS_IAM")
    problems.push(
      `functionUrl.authorizationType must be "AWS_IAM" (got ${JSON.stringify(args.functionUrl.authorizationType)}): ` +
        "without IAM auth anyone on the internet can run the function and spend its concurrency and the endpoint's capacity",
    );
  if (!isLogRetentionDays(r.logRetentionDays))
    problems.push(
      `logRetentionDays must be one of ${LOG_RETENTION_DAYS.join(", ")} (got ${r.logRetentionDays})`,
    );

  for (const key of ["maxImageBytes", "fetchTimeoutMs", "endpointTimeoutMs", "topK"] as const) {
    const { min, max } = HANDLER_LIMITS[key];
    if (!isWhole(r[key], min, max))
      problems.push(`${key} must be a whole number between ${min} and ${max} (got ${r[key]})`);
  }
  const endpointLimit = args.endpoint?.maxRequestBytes;
  if (endpointLimit !== undefined && isWhole(r.maxImageBytes, 1) && r.maxImageBytes > endpointLimit)
    problems.push(
      `maxImageBytes must be <= the endpoint's request limit endpoint.maxRequestBytes (got ${r.maxImageBytes} > ${endpointLimit}); ` +
        "larger images would be fetched only to be refused by SageMaker",
    );
  if (
    isWhole(r.timeoutSeconds, 1) &&
    isWhole(r.fetchTimeoutMs, 1) &&
    isWhole(r.endpointTimeoutMs, 1) &&
    r.fetchTimeoutMs + r.endpointTimeoutMs >= r.timeoutSeconds * 1000
  )
    problems.push(
      `fetchTimeoutMs + endpointTimeoutMs must be shorter than timeoutSeconds (got ${r.fetchTimeoutMs} + ${r.endpointTimeoutMs} ms >= ${r.timeoutSeconds} s), ` +
        "so the handler answers 504 before Lambda kills it",
    );

  if (problems.length > 0)
    throw new Error(
      `InferenceFunction ${name}: invalid arguments:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
  return r;
}
