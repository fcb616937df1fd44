/** Service facts the endpoint component checks against, in one place. */
import { isBurstableType, NAME_PATTERNS } from "../shared/aws-facts";

/** Largest InvokeEndpoint request body, bytes: 6 MB real-time, 4 MB serverless. */
export const MAX_REQUEST_BYTES = { instance: 6 * 1024 * 1024, serverless: 4 * 1024 * 1024 } as const;

/** Memory sizes a serverless variant accepts (MB). */
export const SERVERLESS_MEMORY_SIZES_MB = [1024, 2048, 3072, 4096, 5120, 6144] as const;

/** Most concurrent invocations of one serverless variant. */
export const SERVERLESS_MAX_CONCURRENCY = 200;

/** Burstable ml.t* instances cannot be targets of Application Auto Scaling (the rule lives in aws-facts.ts). */
export const isBurstable = isBurstableType;

/** SageMaker's rule for endpoint and variant names (aws-facts.ts). */
export const SAGEMAKER_NAME = NAME_PATTERNS.sagemaker;
