/**
 * The arguments of `InferenceFunction`, their defaults (one visible place) and their schema.
 * The function's environment limits must agree with the handler (functions/inference/config.ts)
 * and with the endpoint it calls; conflicts are reported here, naming the arguments involved.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import {
  awsContextArg,
  collaborator,
  int,
  oneOf,
  pattern,
  problem,
  ref,
  resolveArgs,
  tagsSchema,
  whenValid,
  withDefaults,
} from "../shared/arg-schema";
import { NAME_PATTERNS } from "../shared/aws-facts";
import { AwsContext } from "../shared/aws-context";
import { LOG_RETENTION_DAYS } from "../shared/logs";
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

/**
 * A bundled Lambda handler, as `bundleFunction` (functions/bundle.ts) returns it. Declared here
 * rather than imported so that the package's types never reference esbuild;
 * test/package/function-bundle.test.ts pins the two declarations equal.
 */
export interface FunctionBundle {
  /** The bundled CommonJS source; stored as `index.js`, handler `index.handler`. */
  readonly code: string;
  /** Hex SHA-256 of `code`. */
  readonly sha256: string;
  /** Size of `code` in bytes (UTF-8). */
  readonly bytes: number;
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
  /** A function URL on the alias, IAM-authenticated only: `{}` or `{ authorizationType: "AWS_IAM" }`. Default: no URL. */
  functionUrl?: FunctionUrlArgs;
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
} as const;

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

const limit = (key: keyof typeof HANDLER_LIMITS) => int(HANDLER_LIMITS[key].min, HANDLER_LIMITS[key].max);

/** The settings a stack can choose; the stack config composes these (with FUNCTION_DEFAULTS). */
export const functionFields = {
  // CreateFunction MemorySize: 128-10240 MB; Timeout: 1-900 s.
  memorySizeMb: int(128, 10_240),
  timeoutSeconds: int(1, 900),
  reservedConcurrency: int(1),
  provisionedConcurrency: int(0),
  logRetentionDays: z
    .number({ error: `must be one of ${LOG_RETENTION_DAYS.join(", ")}` })
    .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), {
      error: `must be one of ${LOG_RETENTION_DAYS.join(", ")}`,
    }),
  maxImageBytes: limit("maxImageBytes"),
  fetchTimeoutMs: limit("fetchTimeoutMs"),
  /** Budget of the InvokeEndpoint call, its one retry included (the handler's ENDPOINT_TIMEOUT_MS). */
  endpointTimeoutMs: limit("endpointTimeoutMs"),
  /** The handler accepts 1-100 (TOP_K). */
  topK: limit("topK"),
};

/** Cross-argument rules (the stack config runs them on its `inferenceFunction` section too). */
export function checkFunction(
  r: {
    reservedConcurrency: number;
    provisionedConcurrency: number;
    timeoutSeconds: number;
    fetchTimeoutMs: number;
    endpointTimeoutMs: number;
  },
  ctx: z.RefinementCtx,
): void {
  if (r.provisionedConcurrency > r.reservedConcurrency)
    problem(
      ctx,
      ["provisionedConcurrency"],
      `must be <= ${ref("reservedConcurrency")} (got ${r.provisionedConcurrency} > ${r.reservedConcurrency}): ` +
        "provisioned environments are part of the function's reserved concurrency",
    );
  if (r.fetchTimeoutMs >= r.timeoutSeconds * 1000)
    problem(
      ctx,
      ["fetchTimeoutMs"],
      `must be shorter than ${ref("timeoutSeconds")} (got ${r.fetchTimeoutMs} ms >= ${r.timeoutSeconds} s)`,
    );
  else if (r.fetchTimeoutMs + r.endpointTimeoutMs >= r.timeoutSeconds * 1000)
    problem(
      ctx,
      ["endpointTimeoutMs"],
      `plus ${ref("fetchTimeoutMs")} must be shorter than ${ref("timeoutSeconds")}, so the handler answers 504 before Lambda stops it ` +
        `(got ${r.fetchTimeoutMs} + ${r.endpointTimeoutMs} ms >= ${r.timeoutSeconds} s)`,
    );
}

const { aliasName: _alias, maxImageBytes: _max, ...scalarDefaults } = FUNCTION_DEFAULTS;

export const inferenceFunctionArgsSchema = z
  .strictObject({
    functionName: pattern(NAME_PATTERNS.lambdaFunction, "1-64 letters, digits, hyphens or underscores"),
    roleName: pattern(NAME_PATTERNS.iamRole, "1-64 characters of letters, digits and +=,.@_-").optional(),
    context: awsContextArg(),
    endpoint: collaborator<InvokableEndpoint>(
      "the endpoint the function calls (an InferenceEndpoint or endpointReference(...)); the function is granted InvokeEndpoint on it alone",
      ["endpointName", "endpointArn", "invokePolicyStatement"],
    ),
    bundle: collaborator<FunctionBundle>("a FunctionBundle (see bundleFunction)", [
      "code",
      "sha256",
    ]).optional(),
    ...withDefaults(functionFields, scalarDefaults),
    maxImageBytes: functionFields.maxImageBytes.optional(),
    aliasName: pattern(
      NAME_PATTERNS.lambdaAlias,
      "1-128 letters, digits, hyphens or underscores, not only digits",
    )
      .refine((v) => !/^\d+$/.test(v), {
        error: "must be 1-128 letters, digits, hyphens or underscores, not only digits",
      })
      .default(FUNCTION_DEFAULTS.aliasName),
    functionUrl: z
      .strictObject({ authorizationType: oneOf(["AWS_IAM", "NONE"]).optional() })
      .superRefine((u, ctx) => {
        if (u.authorizationType === "NONE")
          problem(
            ctx,
            ["authorizationType"],
            'must be "AWS_IAM" (got "NONE"): without IAM auth anyone on the internet can run the function and spend its concurrency and the endpoint\'s capacity',
          );
      })
      .optional(),
    tags: tagsSchema.optional(),
  })
  .superRefine(
    checkFunction,
    whenValid(
      "reservedConcurrency",
      "provisionedConcurrency",
      "timeoutSeconds",
      "fetchTimeoutMs",
      "endpointTimeoutMs",
    ),
  )
  .superRefine(
    (a, ctx) => {
      const endpointLimit = a.endpoint.maxRequestBytes;
      if (endpointLimit !== undefined && a.maxImageBytes !== undefined && a.maxImageBytes > endpointLimit)
        problem(
          ctx,
          ["maxImageBytes"],
          `must be <= the endpoint's request limit ${ref("endpoint.maxRequestBytes")} (got ${a.maxImageBytes} > ${endpointLimit}); ` +
            "larger images would be fetched only to be refused by SageMaker",
        );
    },
    whenValid("endpoint", "maxImageBytes"),
  )
  .transform((a): ResolvedFunctionArgs => ({
    functionName: a.functionName,
    roleName: a.roleName ?? a.functionName,
    aliasName: a.aliasName,
    memorySizeMb: a.memorySizeMb,
    timeoutSeconds: a.timeoutSeconds,
    reservedConcurrency: a.reservedConcurrency,
    provisionedConcurrency: a.provisionedConcurrency,
    functionUrl: a.functionUrl !== undefined,
    logRetentionDays: a.logRetentionDays,
    maxImageBytes: a.maxImageBytes ?? a.endpoint.maxRequestBytes ?? FUNCTION_DEFAULTS.maxImageBytes,
    fetchTimeoutMs: a.fetchTimeoutMs,
    endpointTimeoutMs: a.endpointTimeoutMs,
    topK: a.topK,
  }));

/**
 * Applies the defaults and checks every argument; throws a ComponentArgsError listing every
 * problem, each naming its argument(s), what is allowed and the value it got.
 */
export function resolveFunctionArgs(name: string, args: InferenceFunctionArgs): ResolvedFunctionArgs {
  return resolveArgs("InferenceFunction", name, inferenceFunctionArgsSchema, args);
}
