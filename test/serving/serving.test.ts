/**
 * The serving block of our own stacks (endpoint + inference function), run through the harness
 * with first-preview semantics. Most tests serve a model named by `model.url`; the stack files
 * themselves serve the training job's artifact (see "model artifact").
 */
import * as pulumi from "@pulumi/pulumi";
import { jsonInput, runStack, StackRun, unknownPaths } from "../harness";

const ACCOUNT = "123456789012";
const BUCKET = (stack: string) => `ml-platform-${stack}-artifacts-${ACCOUNT}-us-east-1`;
const MODEL_URL = (stack: string) => `s3://${BUCKET(stack)}/models/reviewed/model.tar.gz`;
const KMS_ALIAS = (stack: string) => `arn:aws:kms:us-east-1:${ACCOUNT}:alias/ml-platform-${stack}-data`;
const ENDPOINT = (stack: string) => `ml-platform-${stack}-endpoint`;
const ENDPOINT_ARN = (stack: string) => `arn:aws:sagemaker:us-east-1:${ACCOUNT}:endpoint/${ENDPOINT(stack)}`;
const FUNCTION = (stack: string) => `ml-platform-${stack}-inference`;

const T = {
  model: "aws:sagemaker/model:Model",
  endpointConfig: "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
  endpoint: "aws:sagemaker/endpoint:Endpoint",
  target: "aws:appautoscaling/target:Target",
  policy: "aws:appautoscaling/policy:Policy",
  fn: "aws:lambda/function:Function",
  alias: "aws:lambda/alias:Alias",
  provisioned: "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig",
  url: "aws:lambda/functionUrl:FunctionUrl",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
};

/** A stack that serves a model given by URL (the override every serving test uses). */
const serving = (stack: string, overrides: Record<string, unknown> = {}) =>
  runStack(stack, { "ml-platform:model": { source: "url", url: MODEL_URL(stack) }, ...overrides });

const valueOf = <T>(output: pulumi.Output<T>): Promise<T> => new Promise((resolve) => output.apply(resolve));

const runs: Record<string, StackRun> = {};
beforeAll(async () => {
  runs.dev = await serving("dev");
  runs.prod = await serving("prod");
});

describe("prod endpoint: instances that autoscale on invocations per instance", () => {
  it("registers the variant as a scalable target 2..4, after the endpoint exists", () => {
    const target = runs.prod.one(T.target);
    expect(target.inputs).toMatchObject({
      serviceNamespace: "sagemaker",
      scalableDimension: "sagemaker:variant:DesiredInstanceCount",
      resourceId: "endpoint/ml-platform-prod-endpoint/variant/AllTraffic",
      minCapacity: 2,
      maxCapacity: 4,
    });
    expect(target.dependencies).toContain(runs.prod.one(T.endpoint).urn);
  });

  it("tracks 83 invocations per instance per minute (measured 2.75 rps × 60 × 0.5) with 30 s cooldowns", () => {
    const policy = runs.prod.one(T.policy);
    expect(policy.inputs).toMatchObject({
      policyType: "TargetTrackingScaling",
      serviceNamespace: "sagemaker",
      scalableDimension: "sagemaker:variant:DesiredInstanceCount",
      resourceId: "endpoint/ml-platform-prod-endpoint/variant/AllTraffic",
    });
    expect(policy.inputs.targetTrackingScalingPolicyConfiguration).toEqual({
      predefinedMetricSpecification: { predefinedMetricType: "SageMakerVariantInvocationsPerInstance" },
      targetValue: 83,
      scaleInCooldown: 30,
      scaleOutCooldown: 30,
    });
    expect(policy.dependencies).toContain(runs.prod.one(T.target).urn);
  });

  it("uses a config-stated target as is", async () => {
    const run = await serving("prod", {
      "ml-platform:endpoint": {
        autoscaling: {
          capacityFile: undefined,
          safetyFactor: undefined,
          targetInvocationsPerInstance: 12,
        },
      },
    });
    expect((run.one(T.policy).inputs.targetTrackingScalingPolicyConfiguration as any).targetValue).toBe(12);
  });

  it("runs an isolated model from the artifact on two ml.m5.large, KMS-encrypted, capturing 10%", () => {
    expect(runs.prod.one(T.model).inputs).toMatchObject({
      enableNetworkIsolation: true,
      executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/ml-platform-prod-endpoint`,
      primaryContainer: {
        image: "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.1.0-cpu-py310",
        modelDataUrl: MODEL_URL("prod"),
        environment: { SAGEMAKER_PROGRAM: "inference.py", SAGEMAKER_SUBMIT_DIRECTORY: "/opt/ml/model/code" },
      },
    });
    const config = runs.prod.one(T.endpointConfig);
    expect(config.inputs.name).toBeUndefined();
    expect(config.inputs.kmsKeyArn).toBe(KMS_ALIAS("prod"));
    expect(config.inputs.productionVariants).toEqual([
      expect.objectContaining({
        variantName: "AllTraffic",
        instanceType: "ml.m5.large",
        initialInstanceCount: 2,
      }),
    ]);
    expect(config.inputs.dataCaptureConfig).toMatchObject({
      enableCapture: true,
      initialSamplingPercentage: 10,
      destinationS3Uri: `s3://${BUCKET("prod")}/data-capture`,
      kmsKeyId: KMS_ALIAS("prod"),
    });
    expect(runs.prod.one(T.endpoint).inputs.name).toBe(ENDPOINT("prod"));
  });
});

describe("dev endpoint: serverless", () => {
  it("has a serverless variant and no autoscaling, KMS volume key or data capture", () => {
    const config = runs.dev.one(T.endpointConfig);
    expect(config.inputs.name).toBeUndefined();
    expect(config.inputs.productionVariants).toEqual([
      {
        variantName: "AllTraffic",
        modelName: "[unknown]",
        serverlessConfig: { memorySizeInMb: 3072, maxConcurrency: 5 },
      },
    ]);
    expect(config.inputs.kmsKeyArn).toBeUndefined();
    expect(config.inputs.dataCaptureConfig).toBeUndefined();
    expect(runs.dev.ofType(T.target)).toHaveLength(0);
    expect(runs.dev.ofType(T.policy)).toHaveLength(0);
  });

  it("turns network isolation off (serverless cannot isolate) and runs one model worker, with the serverless 4 MiB request limit", () => {
    const model = runs.dev.one(T.model);
    expect(model.inputs.enableNetworkIsolation).toBe(false);
    expect((model.inputs.primaryContainer as any).environment).toMatchObject({
      SAGEMAKER_MODEL_SERVER_WORKERS: "1",
      MAX_IMAGE_BYTES: "4194304",
    });
  });
});

describe.each(["dev", "prod"])("endpoint execution role (%s)", (stack) => {
  it("reads only the one artifact, and invokes no SageMaker API", () => {
    const doc = jsonInput(runs[stack].one(T.rolePolicy, "endpoint-policy"), "policy");
    const s3 = doc.Statement.filter((s: any) => s.Action.some((a: string) => a.startsWith("s3:")));
    expect(s3[0]).toEqual({
      Sid: "ReadModelArtifact",
      Effect: "Allow",
      Action: ["s3:GetObject"],
      Resource: [`arn:aws:s3:::${BUCKET(stack)}/models/reviewed/model.tar.gz`],
    });
    const writes = s3.slice(1).flatMap((s: any) => s.Resource);
    expect(writes).toEqual(
      stack === "prod" ? [`arn:aws:s3:::${BUCKET(stack)}/data-capture/${ENDPOINT(stack)}/*`] : [],
    );
    expect(
      doc.Statement.flatMap((s: any) => s.Action).filter((a: string) => a.startsWith("sagemaker:")),
    ).toEqual([]);
  });

  it("writes the endpoint's log group, which the stack creates with a retention", () => {
    const group = runs[stack].one(T.logGroup, "endpoint-logs");
    expect(group.inputs).toMatchObject({
      name: `/aws/sagemaker/Endpoints/${ENDPOINT(stack)}`,
      retentionInDays: 30,
    });
    expect(runs[stack].one(T.endpoint).dependencies).toContain(group.urn);
  });
});

describe.each(["dev", "prod"])("inference function (%s)", (stack) => {
  const reserved = stack === "dev" ? 3 : 50;

  it("runs the bundle on nodejs22.x arm64, published, with reserved concurrency", () => {
    expect(runs[stack].one(T.fn).inputs).toMatchObject({
      name: FUNCTION(stack),
      runtime: "nodejs22.x",
      architectures: ["arm64"],
      handler: "index.handler",
      publish: true,
      memorySize: stack === "dev" ? 256 : 512,
      reservedConcurrentExecutions: reserved,
      role: `arn:aws:iam::${ACCOUNT}:role/${FUNCTION(stack)}`,
      environment: {
        variables: {
          ENDPOINT_NAME: ENDPOINT(stack),
          MAX_IMAGE_BYTES: stack === "dev" ? "4194304" : "6291456",
          FETCH_TIMEOUT_MS: "5000",
          ENDPOINT_TIMEOUT_MS: "10000",
          TOP_K: "5",
        },
      },
    });
  });

  it("may invoke exactly the stack's endpoint and write its own log group, nothing else", () => {
    const doc = jsonInput(runs[stack].one(T.rolePolicy, "inference-policy"), "policy");
    expect(doc.Statement).toEqual([
      {
        Sid: "InvokeEndpoint",
        Effect: "Allow",
        Action: ["sagemaker:InvokeEndpoint"],
        Resource: [ENDPOINT_ARN(stack)],
      },
      {
        Sid: "WriteOwnLogsStreams",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: [`arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/${FUNCTION(stack)}:log-stream:*`],
      },
    ]);
    expect(runs[stack].ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")).toHaveLength(0);
    expect(runs[stack].one(T.logGroup, "inference-logs").inputs).toMatchObject({
      name: `/aws/lambda/${FUNCTION(stack)}`,
      retentionInDays: stack === "dev" ? 14 : 90,
    });
  });

  it("publishes the `live` alias", () => {
    expect(runs[stack].one(T.alias).inputs).toMatchObject({ name: "live", functionName: FUNCTION(stack) });
  });
});

describe("provisioned concurrency and the function URL", () => {
  it("prod: 2 provisioned environments on the alias, never on $LATEST, and an AWS_IAM URL on the alias", () => {
    const provisioned = runs.prod.one(T.provisioned);
    expect(provisioned.inputs).toEqual({
      functionName: FUNCTION("prod"),
      qualifier: "live",
      provisionedConcurrentExecutions: 2,
    });
    expect(provisioned.dependencies).toContain(runs.prod.one(T.alias).urn);
    expect(runs.prod.one(T.url).inputs).toEqual({
      functionName: FUNCTION("prod"),
      qualifier: "live",
      authorizationType: "AWS_IAM",
    });
  });

  it("dev: neither", () => {
    expect(runs.dev.ofType(T.provisioned)).toHaveLength(0);
    expect(runs.dev.ofType(T.url)).toHaveLength(0);
  });
});

describe("stack outputs", () => {
  it("name the endpoint and the function, and give the alias ARN as functionArn", async () => {
    const outputs = runs.prod.outputs as Record<string, any>;
    expect(outputs.endpointName).toBe(ENDPOINT("prod"));
    expect(outputs.functionName).toBe(FUNCTION("prod"));
    expect(await valueOf(outputs.functionArn)).toBe(
      `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${FUNCTION("prod")}:live`,
    );
    expect(outputs.functionUrl).toBeDefined();
    expect((runs.dev.outputs as Record<string, any>).functionUrl).toBeUndefined();
  });
});

describe("model artifact", () => {
  it.each(["dev", "prod"])(
    "%s: serves the training job's artifact, known at preview, and creates the model after the job",
    async (stack) => {
      const run = await runStack(stack);
      const job = run.one("aws:sagemaker/trainingJob:TrainingJob");
      const url = `s3://${BUCKET(stack)}/models/${job.inputs.trainingJobName}/output/model.tar.gz`;
      const model = run.one(T.model);
      expect((model.inputs.primaryContainer as any).modelDataUrl).toBe(url);
      expect(model.dependencies).toContain(job.urn);
      const doc = jsonInput(run.one(T.rolePolicy, "endpoint-policy"), "policy");
      expect(doc.Statement[0].Resource).toEqual([`arn:aws:s3:::${url.slice("s3://".length)}`]);
    },
  );

  it("refuses a training-job model while training is off, so an endpoint always has an artifact", async () => {
    const run = await runStack("dev", {
      "ml-platform:training": { enabled: false },
      "ml-platform:tuning": { enabled: false },
      "ml-platform:ec2Trainer": { enabled: true },
      "ml-platform:endpoint": { enabled: true },
    }).catch((err: Error) => err);
    // model.source "training-job" without training is a config error, so an artifact always exists.
    expect(run).toBeInstanceOf(Error);
    expect((run as Error).message).toContain(
      'ml-platform:model.source is "training-job" but training.enabled is false',
    );
  });
});

describe("switches", () => {
  it("endpoint.enabled false declares neither the endpoint nor the function", async () => {
    const run = await serving("dev", {
      "ml-platform:endpoint": { enabled: false },
      "ml-platform:inferenceFunction": { enabled: false },
    });
    expect(run.resources.filter((r) => /sagemaker\/(model|endpoint)|lambda\//.test(r.type))).toEqual([]);
    expect((run.outputs as Record<string, unknown>).endpointName).toBeUndefined();
  });

  it("inferenceFunction.enabled false keeps the endpoint only", async () => {
    const run = await serving("dev", { "ml-platform:inferenceFunction": { enabled: false } });
    expect(run.ofType(T.endpoint)).toHaveLength(1);
    expect(run.resources.filter((r) => r.type.startsWith("aws:lambda/"))).toEqual([]);
  });
});

describe.each(["dev", "prod"])("serving guardrail inputs are known at preview (%s)", (stack) => {
  it("IAM documents, role-taking properties, encryption and scaling ids", () => {
    const fields: Record<string, string[]> = {
      [T.role]: ["assumeRolePolicy", "name"],
      [T.rolePolicy]: ["policy", "role"],
      [T.model]: ["executionRoleArn", "enableNetworkIsolation", "primaryContainer"],
      [T.endpointConfig]: ["kmsKeyArn", "dataCaptureConfig"],
      [T.endpoint]: ["name"],
      [T.target]: ["resourceId", "scalableDimension", "serviceNamespace", "minCapacity", "maxCapacity"],
      [T.policy]: ["resourceId", "targetTrackingScalingPolicyConfiguration"],
      [T.fn]: ["role", "name", "reservedConcurrentExecutions", "environment", "loggingConfig"],
      [T.provisioned]: ["functionName", "qualifier"],
      [T.url]: ["authorizationType", "functionName", "qualifier"],
      [T.logGroup]: ["name", "retentionInDays"],
    };
    const checked = runs[stack].resources.filter((r) => fields[r.type]);
    expect(checked.length).toBeGreaterThan(10);
    for (const r of checked)
      for (const field of fields[r.type])
        expect([r.name, field, unknownPaths(r.inputs[field])]).toEqual([r.name, field, []]);
    // The variant's instance type (what the KMS guardrail reads) is known; only the model's
    // auto-generated name is not.
    expect(unknownPaths(runs[stack].one(T.endpointConfig).inputs.productionVariants)).toEqual([
      "[0].modelName",
    ]);
  });
});

describe("config errors name their key", () => {
  const rejects = (stack: string, overrides: Record<string, unknown>, message: string) =>
    expect(serving(stack, overrides)).rejects.toThrow(message);

  it("autoscaling maxCapacity below minCapacity", () =>
    rejects(
      "prod",
      {
        "ml-platform:endpoint": { autoscaling: { minCapacity: 3, maxCapacity: 2 }, initialInstanceCount: 3 },
      },
      "ml-platform:endpoint.autoscaling.maxCapacity must be >= endpoint.autoscaling.minCapacity (got 2 < 3)",
    ));

  it("initial instance count outside the autoscaling range", () =>
    rejects(
      "prod",
      { "ml-platform:endpoint": { initialInstanceCount: 5 } },
      "ml-platform:endpoint.initialInstanceCount must be between endpoint.autoscaling.minCapacity and endpoint.autoscaling.maxCapacity (got 5, allowed 2..4)",
    ));

  it("burstable instance with autoscaling", () =>
    rejects(
      "prod",
      { "ml-platform:endpoint": { instanceType: "ml.t2.medium" } },
      'ml-platform:endpoint.instanceType "ml.t2.medium" is a burstable ml.t* type, which Application Auto Scaling cannot scale; use e.g. ml.m5.large or ml.c5.large, or remove endpoint.autoscaling (got "ml.t2.medium")',
    ));

  it("autoscaling on a serverless endpoint", () =>
    rejects(
      "dev",
      { "ml-platform:endpoint": { autoscaling: { enabled: true, targetInvocationsPerInstance: 10 } } },
      'ml-platform:endpoint.autoscaling.enabled requires endpoint.mode "instance"',
    ));

  it("data capture on a serverless endpoint", () =>
    rejects(
      "dev",
      { "ml-platform:endpoint": { dataCapture: { enabled: true } } },
      'ml-platform:endpoint.dataCapture.enabled requires endpoint.mode "instance" (SageMaker does not capture data from serverless endpoints)',
    ));

  it("provisioned above reserved concurrency", () =>
    rejects(
      "prod",
      { "ml-platform:inferenceFunction": { provisionedConcurrency: 60 } },
      "ml-platform:inferenceFunction.provisionedConcurrency must be <= inferenceFunction.reservedConcurrency (got 60 > 50)",
    ));

  it("images larger than a serverless endpoint accepts", () =>
    rejects(
      "dev",
      { "ml-platform:inferenceFunction": { maxImageBytes: 5 * 1024 * 1024 } },
      "ml-platform:inferenceFunction.maxImageBytes must be <= 4194304, the request limit of a serverless endpoint (endpoint.mode) (got 5242880)",
    ));

  it("handler budgets longer than the function timeout", () =>
    rejects(
      "dev",
      { "ml-platform:inferenceFunction": { timeoutSeconds: 12, endpointTimeoutMs: 8000 } },
      "ml-platform:inferenceFunction.endpointTimeoutMs plus inferenceFunction.fetchTimeoutMs must be shorter than inferenceFunction.timeoutSeconds, so the handler answers 504 before Lambda stops it (got 5000 + 8000 ms >= 12 s)",
    ));

  it("more predictions than the handler returns", () =>
    rejects(
      "dev",
      { "ml-platform:inferenceFunction": { topK: 101 } },
      "ml-platform:inferenceFunction.topK must be a whole number between 1 and 100 (got 101)",
    ));
});
