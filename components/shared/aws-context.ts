import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** The partition, region and account a stack deploys into, all known at preview (from invokes). */
export interface AwsContext {
  partition: string;
  region: string;
  accountId: string;
  /** DNS suffix of the partition, e.g. amazonaws.com; used in service principals and endpoint names. */
  dnsSuffix: string;
}

/**
 * Looks the context up with invokes, so ARNs assembled from it are known during `pulumi preview`
 * (unlike a resource's computed `arn` output). `opts.provider` selects another account or region.
 */
export async function lookupAwsContext(opts: pulumi.InvokeOptions = {}): Promise<AwsContext> {
  const [p, r, id] = await Promise.all([
    aws.getPartition({}, opts),
    aws.getRegion({}, opts),
    aws.getCallerIdentity({}, opts),
  ]);
  return { partition: p.partition, dnsSuffix: p.dnsSuffix, region: r.region, accountId: id.accountId };
}

/** `arn:<partition>:<service>:<region>:<account>:<resource>`; pass region/account "" for global services. */
export function arn(
  ctx: AwsContext,
  service: string,
  resource: string,
  scope: { region?: boolean; account?: boolean } = {},
): string {
  const region = scope.region === false ? "" : ctx.region;
  const account = scope.account === false ? "" : ctx.accountId;
  return `arn:${ctx.partition}:${service}:${region}:${account}:${resource}`;
}

export const iamRoleArn = (ctx: AwsContext, roleName: string, path = "/"): string =>
  arn(ctx, "iam", `role${path}${roleName}`, { region: false });

export const s3BucketArn = (ctx: AwsContext, bucket: string): string =>
  arn(ctx, "s3", bucket, { region: false, account: false });

export const logGroupArn = (ctx: AwsContext, logGroupName: string): string =>
  arn(ctx, "logs", `log-group:${logGroupName}`);

export const kmsAliasArn = (ctx: AwsContext, aliasName: string): string =>
  arn(ctx, "kms", aliasName.startsWith("alias/") ? aliasName : `alias/${aliasName}`);

/** `s3://bucket/key` split into its bucket and key; throws on anything else. */
export function parseS3Url(url: string): { bucket: string; key: string } {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+)$/.exec(url);
  if (!m) throw new Error(`expected an s3://<bucket>/<key> URL (got ${JSON.stringify(url)})`);
  return { bucket: m[1], key: m[2] };
}

/** `arn:<partition>:s3:::<bucket>/<key>` of the object an `s3://` URL names. */
export const s3ObjectArn = (ctx: AwsContext, url: string): string => {
  const { bucket, key } = parseS3Url(url);
  return `${s3BucketArn(ctx, bucket)}/${key}`;
};

/** An ECR repository in another account or region (e.g. AWS's deep-learning containers). */
export const ecrRepositoryArn = (
  ctx: AwsContext,
  registryId: string,
  repositoryName: string,
  region = ctx.region,
): string => `arn:${ctx.partition}:ecr:${region}:${registryId}:repository/${repositoryName}`;

/** A Lambda function, or one of its versions or aliases when `qualifier` is given. */
export const lambdaFunctionArn = (ctx: AwsContext, functionName: string, qualifier?: string): string =>
  arn(ctx, "lambda", `function:${functionName}${qualifier ? `:${qualifier}` : ""}`);

export const sagemakerArn = (ctx: AwsContext, resourceType: string, name: string): string =>
  // SageMaker lower-cases resource names inside ARNs.
  arn(ctx, "sagemaker", `${resourceType}/${name.toLowerCase()}`);

export const servicePrincipal = (ctx: AwsContext, service: string): string =>
  // Service principals are <service>.amazonaws.com in every partition, except EC2's in China.
  ctx.partition === "aws-cn" && service === "ec2" ? "ec2.amazonaws.com.cn" : `${service}.amazonaws.com`;
