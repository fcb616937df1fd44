/** InferenceFunction for Pulumi programs in any language (see components/inference-function). */
import * as pulumi from "@pulumi/pulumi";
import * as ts from "../../components/inference-function";
import { endpointReference } from "../../components/inference-endpoint";
import type { AwsContext } from "../../components/shared/aws-context";
import type { Tags } from "../../components/shared/tags";
import { adapt, awsContext, Expect, SameArgNames, token } from "./adapter";

/** How callers authenticate to the function URL. */
export const FunctionUrlAuthType = {
  /** Callers sign requests (SigV4) and need `lambda:InvokeFunctionUrl`. */
  AwsIam: "AWS_IAM",
  /** Refused: anyone on the internet could run the function and spend the endpoint's capacity. */
  None: "NONE",
} as const;
export type FunctionUrlAuthType = (typeof FunctionUrlAuthType)[keyof typeof FunctionUrlAuthType];

export interface FunctionUrlArgs {
  /** Only `AWS_IAM` is accepted; `NONE` is refused. Default `AWS_IAM`. */
  authorizationType?: FunctionUrlAuthType;
}

export interface InferenceFunctionArgs {
  /** Function name: deterministic, so its log group and ARNs are known at preview. Required. */
  functionName: string;
  /** Name of the function's role. Default: the function name. */
  roleName?: string;
  /** The partition, region and account. Default: looked up with the AWS provider (getPartition, getRegion, getCallerIdentity). */
  context?: pulumi.Input<AwsContext>;
  /** Name of the endpoint the function calls (an `InferenceEndpoint`'s `endpointName`). The role is granted `sagemaker:InvokeEndpoint` on exactly its ARN. Required. */
  endpointName: string;
  /** The endpoint's request limit (its `maxRequestBytes`): the default and the cap of `maxImageBytes`. Default: unknown (4 MiB). */
  endpointMaxRequestBytes?: number;
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
export type InferenceFunctionArgsMatch = Expect<
  SameArgNames<
    ts.InferenceFunctionArgs,
    InferenceFunctionArgs,
    "endpoint" | "bundle",
    "endpointName" | "endpointMaxRequestBytes"
  >
>;

/** Arguments passed through as Inputs (the rest are made plain first; see adapt). */
export const inputs: readonly string[] = ["context"];

/** The inference Lambda (Node.js 22, arm64, the package's prebuilt handler), allowed to invoke exactly one endpoint. */
export class InferenceFunction extends pulumi.ComponentResource {
  readonly functionName: pulumi.Output<string>;
  readonly aliasName: pulumi.Output<string>;
  /** Unqualified function ARN. */
  readonly functionArn: pulumi.Output<string>;
  /** ARN of the alias: what callers invoke. */
  readonly aliasArn: pulumi.Output<string>;
  /** The alias's function URL, when `functionUrl` is set. */
  readonly functionUrl: pulumi.Output<string | undefined>;
  readonly roleArn: pulumi.Output<string>;
  readonly logGroupName: pulumi.Output<string>;
  /** SHA-256 of the deployed handler bundle. */
  readonly codeSha256: pulumi.Output<string>;

  constructor(name: string, args: InferenceFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
    super(token("InferenceFunction"), name, {}, opts);
    const out = adapt(this, `InferenceFunction ${name}`, args, inputs, (a, opts) => {
      const { endpointName, endpointMaxRequestBytes, ...rest } = a;
      const context = awsContext(a.context, this);
      const fn = new ts.InferenceFunction(
        name,
        { ...rest, context, endpoint: endpointReference(context, endpointName, endpointMaxRequestBytes) },
        opts,
      );
      return {
        functionName: fn.functionName,
        aliasName: fn.aliasName,
        functionArn: fn.functionArn,
        aliasArn: fn.aliasArn,
        functionUrl: fn.functionUrl,
        roleArn: fn.roleArn,
        logGroupName: fn.logGroupName,
        codeSha256: fn.codeSha256,
      };
    });
    this.functionName = out.functionName;
    this.aliasName = out.aliasName;
    this.functionArn = out.functionArn;
    this.aliasArn = out.aliasArn;
    this.functionUrl = out.functionUrl;
    this.roleArn = out.roleArn;
    this.logGroupName = out.logGroupName;
    this.codeSha256 = out.codeSha256;
    this.registerOutputs({
      functionName: this.functionName,
      functionArn: this.functionArn,
      aliasArn: this.aliasArn,
      functionUrl: this.functionUrl,
      roleArn: this.roleArn,
    });
  }
}
