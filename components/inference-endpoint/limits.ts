/** Service facts the endpoint component checks against, in one place. */

/** Largest InvokeEndpoint request body, bytes: 6 MB real-time, 4 MB serverless. */
export const MAX_REQUEST_BYTES = { instance: 6 * 1024 * 1024, serverless: 4 * 1024 * 1024 } as const;

/** Memory sizes a serverless variant accepts (MB). */
export const SERVERLESS_MEMORY_SIZES_MB = [1024, 2048, 3072, 4096, 5120, 6144] as const;

/** Most concurrent invocations of one serverless variant. */
export const SERVERLESS_MAX_CONCURRENCY = 200;

/** Burstable ml.t* instances cannot be targets of Application Auto Scaling. */
export const isBurstable = (instanceType: string): boolean => /^ml\.t\d/.test(instanceType);

/** SageMaker's rule for endpoint and variant names. */
export const SAGEMAKER_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
