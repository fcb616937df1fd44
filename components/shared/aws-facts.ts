/**
 * AWS facts the components rely on, written once: instance-family facts, the name rules of the
 * services we name resources in, and the environment variables that carry AWS credentials.
 *
 * The policy pack installs on its own (its own package.json, outside this repository), so it keeps
 * copies of some of these; test/foundation/shared-facts.test.ts pins every copy equal to this file
 * (the pack's `localStorageInstanceFamilies`, its role-name rule and credential variables, and the
 * offline plan's credential scrub list). Instance types themselves are AWS's lists, generated into
 * instance-types.data.ts (see instance-types.ts).
 */

/**
 * SageMaker instance families with local NVMe instance storage. Their storage is encrypted by a
 * hardware module on the instance, and SageMaker refuses a volume KMS key for them
 * (CreateEndpointConfig `KmsKeyId`, ResourceConfig `VolumeKmsKeyId`: "You can't request a
 * KmsKeyId when using an instance type with local storage").
 *
 * Source: the instance-store tables of the EC2 instance types guide, for the SageMaker families
 * in instance-types.data.ts: https://docs.aws.amazon.com/ec2/latest/instancetypes/ac.html#ac_instance-store
 * (accelerated computing: dl1, g4dn, g5, g6, g6e, p3dn, p4d, p4de, p5, p5e, p5en, trn1, trn1n; inf1
 * and inf2 are EBS-only) and gp.html / co.html / mo.html (a "d" in the attribute suffix, as in m5d,
 * c6gd, r6id, means instance store volumes). Families AWS has not yet listed with instance store
 * (g7, g7e, p6-*, trn2) are left out until they are confirmed.
 */
export const LOCAL_NVME_INSTANCE_FAMILIES = [
  "c5d",
  "c6gd",
  "c6id",
  "dl1",
  "g4dn",
  "g5",
  "g6",
  "g6e",
  "m5d",
  "m6gd",
  "m6id",
  "p3dn",
  "p4d",
  "p4de",
  "p5",
  "p5e",
  "p5en",
  "r5d",
  "r6gd",
  "r6id",
  "r7gd",
  "trn1",
  "trn1n",
] as const;

/** NVIDIA GPU families (P and G, a generation number after the letter), SageMaker or EC2: g4dn, p3, g5. */
export const GPU_FAMILY = /^(g|p)\d/;

/** Trainium and Inferentia families: they need the Neuron images, not the CUDA/CPU ones. */
export const NEURON_FAMILY = /^(trn|inf)\d/;

/** Burstable families (t2, t3, ...): Application Auto Scaling cannot scale SageMaker variants on them. */
export const BURSTABLE_FAMILY = /^t\d/;

/** The family of an instance type: `ml.g4dn.xlarge` -> `g4dn`, `m5.large` -> `m5`. */
export function familyOf(instanceType: string): string {
  const parts = instanceType.split(".");
  return parts[0] === "ml" ? (parts[1] ?? "") : parts[0];
}

export const isGpuType = (instanceType: string): boolean => GPU_FAMILY.test(familyOf(instanceType));
export const isNeuronType = (instanceType: string): boolean => NEURON_FAMILY.test(familyOf(instanceType));
export const isBurstableType = (instanceType: string): boolean =>
  BURSTABLE_FAMILY.test(familyOf(instanceType));
export const hasLocalNvme = (instanceType: string): boolean =>
  (LOCAL_NVME_INSTANCE_FAMILIES as readonly string[]).includes(familyOf(instanceType));

/** Name rules of the services the components name resources in (each from the service's API reference). */
export const NAME_PATTERNS = {
  /** Endpoints, variants, notebook instances, jobs: CreateEndpoint `EndpointName` and friends. */
  sagemaker: /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/,
  /** CreateRole `RoleName`: 1-64 of letters, digits and `+=,.@_-`. */
  iamRole: /^[\w+=,.@-]{1,64}$/,
  /** CreateFunction `FunctionName` (the bare name form). */
  lambdaFunction: /^[A-Za-z0-9_-]{1,64}$/,
  /** CreateAlias `Name`: letters, digits, `-` and `_`, not only digits (checked apart). */
  lambdaAlias: /^[A-Za-z0-9_-]{1,128}$/,
  /** S3 general purpose bucket names: 3-63 lower-case letters, digits, dots and hyphens. */
  s3Bucket: /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
  /** An S3 key or key prefix without a leading or trailing slash. */
  s3KeyPrefix: /^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*$/,
  /** CreateAlias (KMS) `AliasName` without `alias/`; `aws/` is reserved for AWS-managed keys. */
  kmsAlias: /^(?!aws\/)[a-zA-Z0-9/_-]{1,250}$/,
  /** A KMS key ARN (…:key/<id>) or alias ARN (…:alias/<name>). */
  kmsKeyOrAliasArn: /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key\/[0-9a-f-]{36}|alias\/[A-Za-z0-9/_-]+)$/,
  vpcId: /^vpc-[0-9a-f]{8,17}$/,
  subnetId: /^subnet-[0-9a-f]{8,17}$/,
} as const;

/** KMS ScheduleKeyDeletion `PendingWindowInDays`: 7-30 days (AWS's default is 30). */
export const KMS_DELETION_WINDOW_DAYS = { min: 7, max: 30 } as const;

/**
 * Environment variables through which the AWS SDKs and CLI pick up credentials (the credential
 * provider chain: static keys, profiles, web identity, container credentials). The offline plan
 * removes all of them from a policy pack's environment.
 */
export const AWS_CREDENTIAL_ENVIRONMENT = [
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_SECURITY_TOKEN",
  "AWS_PROFILE",
  "AWS_DEFAULT_PROFILE",
  "AWS_WEB_IDENTITY_TOKEN_FILE",
  "AWS_ROLE_ARN",
  "AWS_CONTAINER_CREDENTIALS_FULL_URI",
  "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
  "AWS_CONTAINER_AUTHORIZATION_TOKEN",
] as const;

/**
 * The variables whose presence makes credentials explicit (the pack uses the live account only
 * then): one per source of the chain (keys, profile, web identity, container).
 */
export const EXPLICIT_CREDENTIAL_VARIABLES = [
  "AWS_ACCESS_KEY_ID",
  "AWS_PROFILE",
  "AWS_WEB_IDENTITY_TOKEN_FILE",
  "AWS_CONTAINER_CREDENTIALS_FULL_URI",
  "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
] as const;
