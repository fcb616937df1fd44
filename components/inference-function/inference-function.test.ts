import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { CapturedResource, runUnderMocks } from "../../test/support/mock-run";
import { bundleFunction, inferenceFunctionEntry } from "../../functions";
import { loadConfig } from "../../functions/inference/config";
import { endpointReference, MAX_REQUEST_BYTES } from "../inference-endpoint";
import { AwsContext } from "../shared/aws-context";
import { InferenceFunction, InferenceFunctionArgs, resolveFunctionArgs } from "./index";

const context: AwsContext = {
  partition: "aws",
  region: "eu-west-1",
  accountId: "210987654321",
  dnsSuffix: "amazonaws.com",
};
const ENDPOINT_ARN = "arn:aws:sagemaker:eu-west-1:210987654321:endpoint/dogs";
const endpoint = endpointReference(context, "dogs", MAX_REQUEST_BYTES.serverless);
const base: InferenceFunctionArgs = { functionName: "dogs-classify", context, endpoint };

function rejection(args: Partial<InferenceFunctionArgs>): string {
  try {
    resolveFunctionArgs("fn", { ...base, ...args });
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("expected the arguments to be rejected");
}

async function declare(args: Partial<InferenceFunctionArgs>) {
  const run = await runUnderMocks(() => ({ fn: new InferenceFunction("fn", { ...base, ...args }) }), {
    project: "team",
    stack: "test",
    config: { "aws:region": "eu-west-1" },
    strictInvokes: true,
  });
  const ofType = (type: string) => run.resources.filter((r) => r.type === type);
  const one = (type: string): CapturedResource => {
    const found = ofType(type);
    if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
    return found[0];
  };
  return { ...run, ofType, one, fn: run.result.fn };
}

const valueOf = <T>(output: pulumi.Output<T>): Promise<T> => new Promise((resolve) => output.apply(resolve));

describe("InferenceFunction argument validation", () => {
  it("refuses a function URL without IAM auth", () => {
    expect(rejection({ functionUrl: { authorizationType: "NONE" } })).toContain(
      'InferenceFunction fn: args.functionUrl.authorizationType must be "AWS_IAM" (got "NONE"): without IAM auth anyone on the internet can run the function',
    );
  });

  it("refuses more provisioned than reserved concurrency", () => {
    expect(rejection({ reservedConcurrency: 2, provisionedConcurrency: 5 })).toContain(
      "InferenceFunction fn: args.provisionedConcurrency must be <= args.reservedConcurrency (got 5 > 2)",
    );
  });

  it("refuses images larger than the endpoint accepts", () => {
    expect(rejection({ maxImageBytes: 5 * 1024 * 1024 })).toContain(
      "InferenceFunction fn: args.maxImageBytes must be <= the endpoint's request limit args.endpoint.maxRequestBytes (got 5242880 > 4194304)",
    );
  });

  it("keeps the handler's time budgets inside the Lambda timeout", () => {
    expect(rejection({ timeoutSeconds: 10, fetchTimeoutMs: 4000, endpointTimeoutMs: 6000 })).toContain(
      "InferenceFunction fn: args.endpointTimeoutMs plus args.fetchTimeoutMs must be shorter than args.timeoutSeconds, so the handler answers 504 before Lambda stops it (got 4000 + 6000 ms >= 10 s)",
    );
  });

  it("stays within the ranges the handler accepts", () => {
    expect(rejection({ topK: 101 })).toContain(
      "InferenceFunction fn: args.topK must be a whole number between 1 and 100 (got 101)",
    );
    expect(rejection({ reservedConcurrency: 0 })).toContain(
      "InferenceFunction fn: args.reservedConcurrency must be a whole number >= 1 (got 0)",
    );
    expect(rejection({ logRetentionDays: 10 })).toContain(
      "InferenceFunction fn: args.logRetentionDays must be one of 1, 3, 5, 7, 14, 30",
    );
  });

  it("defaults the image limit to the endpoint's request limit", () => {
    expect(resolveFunctionArgs("fn", base).maxImageBytes).toBe(4 * 1024 * 1024);
    const instance = endpointReference(context, "dogs", MAX_REQUEST_BYTES.instance);
    expect(resolveFunctionArgs("fn", { ...base, endpoint: instance }).maxImageBytes).toBe(6 * 1024 * 1024);
  });
});

describe("InferenceFunction imported into another program", () => {
  it("runs the shared bundle on Node.js 22 arm64, published, with reserved concurrency", async () => {
    const run = await declare({ reservedConcurrency: 7 });
    const fn = run.one("aws:lambda/function:Function");
    expect(fn.inputs).toMatchObject({
      name: "dogs-classify",
      runtime: "nodejs22.x",
      architectures: ["arm64"],
      handler: "index.handler",
      memorySize: 256,
      timeout: 30,
      reservedConcurrentExecutions: 7,
      publish: true,
      role: "arn:aws:iam::210987654321:role/dogs-classify",
      loggingConfig: {
        logFormat: "JSON",
        logGroup: "/aws/lambda/dogs-classify",
        applicationLogLevel: "INFO",
        systemLogLevel: "INFO",
      },
    });
    // The archive holds exactly the shared bundler's output as index.js.
    const bundle = bundleFunction(inferenceFunctionEntry);
    const code = fn.inputs.code as { assets: Record<string, { text: string }> };
    expect(Object.keys(code.assets)).toEqual(["index.js"]);
    expect(createHash("sha256").update(code.assets["index.js"].text).digest("hex")).toBe(bundle.sha256);
    expect(run.fn.codeSha256).toBe(bundle.sha256);
  });

  it("configures the handler through the environment it reads", async () => {
    const run = await declare({ topK: 3, fetchTimeoutMs: 2000, endpointTimeoutMs: 8000 });
    const env = (
      run.one("aws:lambda/function:Function").inputs.environment as { variables: Record<string, string> }
    ).variables;
    expect(env).toEqual({
      ENDPOINT_NAME: "dogs",
      MAX_IMAGE_BYTES: "4194304",
      FETCH_TIMEOUT_MS: "2000",
      ENDPOINT_TIMEOUT_MS: "8000",
      TOP_K: "3",
    });
    // The handler's own parser accepts it and reads back the same settings (no source maps shipped,
    // so no NODE_OPTIONS).
    expect(loadConfig(env)).toMatchObject({
      endpointName: "dogs",
      maxImageBytes: 4194304,
      fetchTimeoutMs: 2000,
      endpointTimeoutMs: 8000,
      topK: 3,
    });
  });

  it("lets its role invoke exactly the one endpoint and write its own log group, nothing else", async () => {
    const run = await declare({});
    const policy = JSON.parse(run.one("aws:iam/rolePolicy:RolePolicy").inputs.policy as string);
    expect(policy).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "InvokeEndpoint",
          Effect: "Allow",
          Action: ["sagemaker:InvokeEndpoint"],
          Resource: [ENDPOINT_ARN],
        },
        {
          Sid: "WriteOwnLogsStreams",
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: ["arn:aws:logs:eu-west-1:210987654321:log-group:/aws/lambda/dogs-classify:log-stream:*"],
        },
      ],
    });
    expect(run.ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")).toHaveLength(0);
    const trust = JSON.parse(run.one("aws:iam/role:Role").inputs.assumeRolePolicy as string);
    expect(trust.Statement).toEqual([
      {
        Sid: "TrustService",
        Effect: "Allow",
        Principal: { Service: "lambda.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": "210987654321" } },
      },
    ]);
    expect(run.one("aws:cloudwatch/logGroup:LogGroup").inputs).toMatchObject({
      name: "/aws/lambda/dogs-classify",
      retentionInDays: 30,
    });
  });

  it("publishes an alias and, by default, no provisioned concurrency and no URL", async () => {
    const run = await declare({});
    expect(run.one("aws:lambda/alias:Alias").inputs).toMatchObject({
      name: "live",
      functionName: "dogs-classify",
    });
    expect(run.ofType("aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig")).toHaveLength(
      0,
    );
    expect(run.ofType("aws:lambda/functionUrl:FunctionUrl")).toHaveLength(0);
    expect(await valueOf(run.fn.aliasArn)).toBe(
      "arn:aws:lambda:eu-west-1:210987654321:function:dogs-classify:live",
    );
    expect(await valueOf(run.fn.functionArn)).toBe(
      "arn:aws:lambda:eu-west-1:210987654321:function:dogs-classify",
    );
  });

  it("puts provisioned concurrency and the IAM-authenticated URL on the alias", async () => {
    const run = await declare({ reservedConcurrency: 10, provisionedConcurrency: 3, functionUrl: {} });
    const alias = run.one("aws:lambda/alias:Alias");
    const provisioned = run.one("aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig");
    expect(provisioned.inputs).toEqual({
      functionName: "dogs-classify",
      qualifier: "live",
      provisionedConcurrentExecutions: 3,
    });
    expect(provisioned.dependencies).toContain(alias.urn);
    const url = run.one("aws:lambda/functionUrl:FunctionUrl");
    expect(url.inputs).toEqual({
      functionName: "dogs-classify",
      qualifier: "live",
      authorizationType: "AWS_IAM",
    });
    expect(await valueOf(run.fn.invokeUrlPolicyStatement())).toEqual({
      Sid: "InvokeInferenceFunctionUrl",
      Effect: "Allow",
      Action: ["lambda:InvokeFunctionUrl"],
      Resource: ["arn:aws:lambda:eu-west-1:210987654321:function:dogs-classify:live"],
      Condition: { StringEquals: { "lambda:FunctionUrlAuthType": "AWS_IAM" } },
    });
  });
});
