/** Service facts the endpoint component checks against, in one place. */

/** Largest InvokeEndpoint request body, bytes: 6 MB real-time, 4 MB serverless. */
export const MAX_REQUEST_BYTES = { instance: 6 * 1024 * 1024, serverless: 4 * 1024 * 1024 } as const;

/** Memory sizes a serverless variant accepts (MB). */
export const SERVERLESS_MEMORY_SIZES_MB = [1024, 2048, 3072, 4096, 5120, 6144] as const;

/** Most concurrent invocations of one serverless variant. */
export const SERVERLESS_MAX_CONCURRENCY = 200;

/**
 * Instance families with local NVMe storage. Their volumes are encrypted by the instance hardware
 * and CreateEndpointConfig refuses a KmsKeyId for them, so the component omits it (the policy
 * pack's `sagemaker-endpoint-config-kms` exempts the same list).
 */
export const LOCAL_STORAGE_INSTANCE_FAMILIES = [
  "ml.c5d",
  "ml.c6id",
  "ml.m5d",
  "ml.m6id",
  "ml.r5d",
  "ml.r6id",
  "ml.g4dn",
  "ml.g5",
  "ml.g6",
  "ml.g6e",
  "ml.p3dn",
  "ml.p4d",
  "ml.p4de",
  "ml.p5",
  "ml.p5e",
  "ml.trn1",
  "ml.inf2",
] as const;

export const instanceFamily = (instanceType: string): string => instanceType.split(".").slice(0, 2).join(".");

export const hasLocalInstanceStorage = (instanceType: string): boolean =>
  (LOCAL_STORAGE_INSTANCE_FAMILIES as readonly string[]).includes(instanceFamily(instanceType));

/** Burstable ml.t* instances cannot be targets of Application Auto Scaling. */
export const isBurstable = (instanceType: string): boolean => /^ml\.t\d/.test(instanceType);

/** SageMaker's rule for endpoint and variant names. */
export const SAGEMAKER_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
