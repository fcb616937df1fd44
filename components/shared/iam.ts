/**
 * Typed IAM policy documents. Every statement is built from plain strings (ARNs assembled from
 * known parts), so a document is fully known at preview and CrossGuard can judge it. No string
 * concatenation of JSON anywhere: documents are objects, serialised once by `toJson`.
 */
import { AwsContext, arn, s3BucketArn, s3ObjectArn, servicePrincipal } from "./aws-context";

export type ConditionBlock = Record<string, Record<string, string | string[] | boolean>>;

export interface PolicyStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Action: string[];
  Resource: string[];
  Condition?: ConditionBlock;
}

export interface TrustStatement {
  Sid?: string;
  Effect: "Allow";
  Principal: { Service: string | string[] } | { AWS: string | string[] };
  Action: string | string[];
  Condition?: ConditionBlock;
}

export interface PolicyDocument<S = PolicyStatement> {
  Version: "2012-10-17";
  Statement: S[];
}

export function policyDocument(statements: PolicyStatement[]): PolicyDocument {
  for (const s of statements) {
    if (s.Action.length === 0 || s.Resource.length === 0)
      throw new Error(`IAM statement ${s.Sid ?? "(no Sid)"} needs at least one action and one resource`);
  }
  return { Version: "2012-10-17", Statement: statements };
}

export function toJson(doc: PolicyDocument<unknown>): string {
  return JSON.stringify(doc);
}

export function allow(
  sid: string,
  actions: string[],
  resources: string[],
  condition?: ConditionBlock,
): PolicyStatement {
  return {
    Sid: sid,
    Effect: "Allow",
    Action: actions,
    Resource: resources,
    ...(condition ? { Condition: condition } : {}),
  };
}

/** A trust policy that lets one AWS service assume the role, limited to our account. */
export function serviceTrustPolicy(ctx: AwsContext, service: string): PolicyDocument<TrustStatement> {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "TrustService",
        Effect: "Allow",
        Principal: { Service: servicePrincipal(ctx, service) },
        Action: "sts:AssumeRole",
        // Confused-deputy guard: only calls made on behalf of this account.
        ...(service === "ec2" ? {} : { Condition: { StringEquals: { "aws:SourceAccount": ctx.accountId } } }),
      },
    ],
  };
}

const trimSlashes = (prefix: string) => prefix.replace(/^\/+|\/+$/g, "");

/** Read objects under `prefix/` and list only that prefix. */
export function s3ReadPrefix(
  ctx: AwsContext,
  bucket: string,
  prefix: string,
  sid: string,
): PolicyStatement[] {
  const p = trimSlashes(prefix);
  return [
    allow(`${sid}List`, ["s3:ListBucket"], [s3BucketArn(ctx, bucket)], {
      StringLike: { "s3:prefix": [`${p}/*`, p] },
    }),
    allow(`${sid}Read`, ["s3:GetObject", "s3:GetObjectVersion"], [`${s3BucketArn(ctx, bucket)}/${p}/*`]),
  ];
}

/** Write (and overwrite) objects under `prefix/`; no delete of other prefixes, no bucket settings. */
export function s3WritePrefix(
  ctx: AwsContext,
  bucket: string,
  prefix: string,
  sid: string,
): PolicyStatement[] {
  const p = trimSlashes(prefix);
  return [
    allow(
      `${sid}Write`,
      ["s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
      [`${s3BucketArn(ctx, bucket)}/${p}/*`],
    ),
  ];
}

/** Read one object, and list only its own key (what an S3 channel or `aws s3 cp` of one file needs). */
export function s3ReadKey(ctx: AwsContext, bucket: string, key: string, sid: string): PolicyStatement[] {
  const k = trimSlashes(key);
  return [
    allow(`${sid}List`, ["s3:ListBucket"], [s3BucketArn(ctx, bucket)], { StringEquals: { "s3:prefix": k } }),
    allow(`${sid}Read`, ["s3:GetObject", "s3:GetObjectVersion"], [`${s3BucketArn(ctx, bucket)}/${k}`]),
  ];
}

/**
 * Write objects whose keys start with `keyPrefix` (no trailing slash added, so `models/job-`
 * covers `models/job-abc/output/model.tar.gz` but not `models/other/...`).
 */
export function s3WriteKeys(
  ctx: AwsContext,
  bucket: string,
  keyPrefix: string,
  sid: string,
): PolicyStatement[] {
  const p = keyPrefix.replace(/^\/+/, "");
  return [
    allow(
      `${sid}Write`,
      ["s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
      [`${s3BucketArn(ctx, bucket)}/${p}*`],
    ),
  ];
}

/** Read and write under `prefix/`. */
export function s3ReadWritePrefix(
  ctx: AwsContext,
  bucket: string,
  prefix: string,
  sid: string,
): PolicyStatement[] {
  return [...s3ReadPrefix(ctx, bucket, prefix, sid), ...s3WritePrefix(ctx, bucket, prefix, sid)];
}

/** Everything a workload that reads and writes encrypted data does with a key. */
export const KMS_DATA_ACTIONS = [
  "kms:Decrypt",
  "kms:Encrypt",
  "kms:GenerateDataKey",
  "kms:GenerateDataKeyWithoutPlaintext",
  "kms:DescribeKey",
  "kms:ReEncryptFrom",
  "kms:ReEncryptTo",
];
/** Reading objects encrypted with the key (S3 SSE-KMS GetObject). */
export const KMS_DECRYPT_ACTIONS = ["kms:Decrypt", "kms:DescribeKey"];
/** Writing objects encrypted with the key (S3 SSE-KMS PutObject). */
export const KMS_ENCRYPT_ACTIONS = ["kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"];

/**
 * Use of one KMS key for data encryption. A key referenced by alias ARN is matched with the
 * `kms:ResourceAliases` condition, because IAM cannot name a key by alias in `Resource`.
 */
export function kmsUse(
  ctx: AwsContext,
  keyArn: string,
  sid = "UseDataKey",
  actions: string[] = KMS_DATA_ACTIONS,
): PolicyStatement {
  const alias = /^arn:[^:]+:kms:([^:]+):(\d{12}):(alias\/.+)$/.exec(keyArn);
  if (!alias) return allow(sid, actions, [keyArn]);
  const [, region, account, aliasName] = alias;
  return allow(sid, actions, [`arn:${ctx.partition}:kms:${region}:${account}:key/*`], {
    "ForAnyValue:StringEquals": { "kms:ResourceAliases": aliasName },
  });
}

/**
 * Create streams and put events in the named log groups (and nothing else in CloudWatch Logs).
 * `streamPrefix` narrows writes to streams whose names start with it (SageMaker names a job's
 * streams `<jobName>/algo-1-...`, so a job-name prefix keeps a role to its own jobs' logs).
 */
export function logsWrite(
  ctx: AwsContext,
  logGroupNames: string[],
  sid = "WriteOwnLogs",
  streamPrefix = "",
): PolicyStatement[] {
  const groups = logGroupNames.map((name) => arn(ctx, "logs", `log-group:${name}`));
  return [
    allow(
      `${sid}Groups`,
      ["logs:CreateLogGroup", "logs:DescribeLogStreams"],
      groups.map((g) => `${g}:*`),
    ),
    ...logStreamsWrite(ctx, logGroupNames, sid, streamPrefix),
  ];
}

/** Only streams and events, for log groups the stack creates itself (no CreateLogGroup). */
export function logStreamsWrite(
  ctx: AwsContext,
  logGroupNames: string[],
  sid = "WriteOwnLogs",
  streamPrefix = "",
): PolicyStatement[] {
  const groups = logGroupNames.map((name) => arn(ctx, "logs", `log-group:${name}`));
  return [
    allow(
      `${sid}Streams`,
      ["logs:CreateLogStream", "logs:PutLogEvents"],
      groups.map((g) => `${g}:log-stream:${streamPrefix}*`),
    ),
  ];
}

/** Read exactly one S3 object (e.g. a model artifact), named by its `s3://` URL. */
export function s3ReadObject(ctx: AwsContext, url: string, sid: string): PolicyStatement {
  return allow(sid, ["s3:GetObject"], [s3ObjectArn(ctx, url)]);
}

/**
 * Pull images from one ECR repository. `ecr:GetAuthorizationToken` has no resource type, so AWS
 * accepts only `*` for it; the layer and image reads are scoped to the one repository.
 */
export function ecrPull(repositoryArn: string, sid = "PullImage"): PolicyStatement[] {
  return [
    allow(`${sid}Token`, ["ecr:GetAuthorizationToken"], ["*"]),
    allow(
      `${sid}Layers`,
      ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
      [repositoryArn],
    ),
  ];
}

/** Publish CloudWatch metrics into one namespace only (PutMetricData has no resource type). */
export function putMetricData(namespace: string, sid = "PutOwnMetrics"): PolicyStatement {
  return allow(sid, ["cloudwatch:PutMetricData"], ["*"], {
    StringEquals: { "cloudwatch:namespace": namespace },
  });
}

/** Invoke exactly one SageMaker endpoint: the statement behind `grantInvoke`-style relationships. */
export function invokeEndpoint(endpointArn: string, sid = "InvokeEndpoint"): PolicyStatement {
  return allow(sid, ["sagemaker:InvokeEndpoint"], [endpointArn]);
}

/** Pass exactly one role, and only to one service. */
export function passRole(roleArn: string, toService: string, sid = "PassRole"): PolicyStatement {
  return allow(sid, ["iam:PassRole"], [roleArn], { StringEquals: { "iam:PassedToService": toService } });
}
