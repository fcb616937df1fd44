import * as pulumi from "@pulumi/pulumi";
import { CapturedResource, runUnderMocks } from "../../test/support/mock-run";
import { AwsContext } from "../shared/aws-context";
import {
  endpointReference,
  InferenceEndpoint,
  InferenceEndpointArgs,
  invocationsTarget,
  resolveEndpointArgs,
} from "./index";

const context: AwsContext = {
  partition: "aws",
  region: "eu-west-1",
  accountId: "210987654321",
  dnsSuffix: "amazonaws.com",
};
const KEY = "arn:aws:kms:eu-west-1:210987654321:alias/team-data";
const MODEL = "s3://team-models/resnet/model.tar.gz";
const base: InferenceEndpointArgs = { endpointName: "dogs", context, modelDataUrl: MODEL, kmsKeyArn: KEY };

/** The error message of resolving these arguments (they must be rejected). */
function rejection(args: Partial<InferenceEndpointArgs>): string {
  try {
    resolveEndpointArgs("ep", { ...base, ...args });
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("expected the arguments to be rejected");
}

/** Declares one endpoint as another team's program would, and returns what it registered. */
async function declare(args: Partial<InferenceEndpointArgs>) {
  const run = await runUnderMocks(
    () => {
      const endpoint = new InferenceEndpoint("ep", { ...base, ...args });
      return { endpoint };
    },
    { project: "team", stack: "test", config: { "aws:region": "eu-west-1" }, strictInvokes: true },
  );
  const one = (type: string): CapturedResource => {
    const found = run.resources.filter((r) => r.type === type);
    if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
    return found[0];
  };
  return { ...run, one, endpoint: run.result.endpoint };
}

const valueOf = <T>(output: pulumi.Output<T>): Promise<T> => new Promise((resolve) => output.apply(resolve));

describe("invocationsTarget: the target from a stated intent", () => {
  it("is peak rps × 60 × safety factor, because the metric counts per minute", () => {
    expect(invocationsTarget({ peakRequestsPerSecondPerInstance: 0.5, safetyFactor: 0.5 })).toBe(15);
    expect(invocationsTarget({ peakRequestsPerSecondPerInstance: 2, safetyFactor: 1 })).toBe(120);
  });

  it("defaults the safety factor to 0.5 and rounds to whole invocations", () => {
    expect(invocationsTarget({ peakRequestsPerSecondPerInstance: 2 })).toBe(60);
    expect(invocationsTarget({ peakRequestsPerSecondPerInstance: 0.33, safetyFactor: 0.5 })).toBe(10);
  });

  it("rejects intents that give no usable target", () => {
    expect(() => invocationsTarget({ peakRequestsPerSecondPerInstance: 0 })).toThrow(
      "peakRequestsPerSecondPerInstance must be a number > 0 (got 0)",
    );
    expect(() => invocationsTarget({ peakRequestsPerSecondPerInstance: 1, safetyFactor: 1.5 })).toThrow(
      "safetyFactor must be > 0 and <= 1 (got 1.5)",
    );
    expect(() => invocationsTarget({ peakRequestsPerSecondPerInstance: 0.01, safetyFactor: 0.5 })).toThrow(
      "rounds to 0 invocations per minute",
    );
  });
});

describe("InferenceEndpoint argument validation", () => {
  const scaling = { minCapacity: 1, maxCapacity: 3, targetInvocationsPerInstance: 20 };

  it("rejects maxCapacity below minCapacity", () => {
    expect(
      rejection({ autoscaling: { ...scaling, minCapacity: 3, maxCapacity: 2 }, initialInstanceCount: 3 }),
    ).toContain(
      "InferenceEndpoint ep: args.autoscaling.maxCapacity must be >= args.autoscaling.minCapacity (got 2 < 3)",
    );
  });

  it("rejects an initial instance count outside min..max", () => {
    expect(rejection({ autoscaling: scaling, initialInstanceCount: 5 })).toContain(
      "InferenceEndpoint ep: args.initialInstanceCount must be between args.autoscaling.minCapacity and args.autoscaling.maxCapacity (got 5, allowed 1..3)",
    );
    expect(rejection({ autoscaling: { ...scaling, minCapacity: 2 }, initialInstanceCount: 1 })).toContain(
      "(got 1, allowed 2..3)",
    );
  });

  it("rejects burstable ml.t* instances for an autoscaled variant", () => {
    expect(rejection({ instanceType: "ml.t2.medium", autoscaling: scaling })).toContain(
      'InferenceEndpoint ep: args.instanceType "ml.t2.medium" is a burstable ml.t* type, which Application Auto Scaling cannot scale; use e.g. ml.m5.large or ml.c5.large, or remove args.autoscaling (got "ml.t2.medium")',
    );
    // Without autoscaling a burstable instance is allowed (a cheap dev endpoint).
    expect(resolveEndpointArgs("ep", { ...base, instanceType: "ml.t2.medium" }).variant).toMatchObject({
      instanceType: "ml.t2.medium",
    });
  });

  it("rejects autoscaling and data capture on a serverless endpoint, naming both arguments", () => {
    expect(rejection({ mode: "serverless", autoscaling: scaling })).toContain(
      'InferenceEndpoint ep: args.autoscaling conflicts with args.mode "serverless": serverless endpoints scale by args.serverless.maxConcurrency; remove it or set args.mode "instance"',
    );
    expect(rejection({ mode: "serverless", dataCapture: { bucketName: "b" } })).toContain(
      'InferenceEndpoint ep: args.dataCapture conflicts with args.mode "serverless": SageMaker does not capture data from serverless endpoints',
    );
    expect(rejection({ mode: "serverless", networkIsolation: true })).toContain(
      'InferenceEndpoint ep: args.networkIsolation conflicts with args.mode "serverless": serverless endpoints do not support network isolation; remove it or set args.mode "instance" (got true)',
    );
    expect(rejection({ mode: "serverless", instanceType: "ml.m5.large" })).toContain(
      'InferenceEndpoint ep: args.instanceType conflicts with args.mode "serverless" (serverless variants have no instances); remove it or set args.mode "instance" (got "ml.m5.large")',
    );
  });

  it("needs exactly one of the target and the intent", () => {
    expect(
      rejection({
        autoscaling: {
          minCapacity: 1,
          maxCapacity: 2,
          targetInvocationsPerInstance: 10,
          peakRequestsPerSecondPerInstance: 1,
        },
      }),
    ).toContain(
      "InferenceEndpoint ep: args.autoscaling.targetInvocationsPerInstance conflicts with args.autoscaling.peakRequestsPerSecondPerInstance; set exactly one of them (got 10)",
    );
    expect(rejection({ autoscaling: { minCapacity: 1, maxCapacity: 2 } })).toContain(
      "InferenceEndpoint ep: args.autoscaling needs args.autoscaling.targetInvocationsPerInstance or args.autoscaling.peakRequestsPerSecondPerInstance (to derive the target)",
    );
  });

  it("rejects serverless sizes SageMaker does not offer", () => {
    expect(
      rejection({ mode: "serverless", serverless: { memorySizeMb: 1500, maxConcurrency: 500 } }),
    ).toMatch(
      /InferenceEndpoint ep: args.serverless.memorySizeMb must be one of 1024, 2048, 3072, 4096, 5120, 6144 \(got 1500\)\nInferenceEndpoint ep: args.serverless.maxConcurrency must be a whole number between 1 and 200 \(got 500\)/,
    );
  });

  it("refuses instance families the PyTorch images do not serve", () => {
    expect(rejection({ instanceType: "ml.inf2.xlarge" })).toContain(
      'InferenceEndpoint ep: args.instanceType is a Trainium/Inferentia type, which needs the Neuron images; use a CPU (ml.m5) or GPU (ml.g4dn, ml.p3) type, or set args.image.uri to an image of your own (got "ml.inf2.xlarge")',
    );
    // An image of your own may target them.
    expect(
      resolveEndpointArgs("ep", {
        ...base,
        instanceType: "ml.inf2.xlarge",
        image: { uri: "210987654321.dkr.ecr.eu-west-1.amazonaws.com/neuron-serving:1" },
      }).image,
    ).toEqual({ uri: "210987654321.dkr.ecr.eu-west-1.amazonaws.com/neuron-serving:1" });
  });

  it("reports every problem at once, under the component's name", () => {
    const message = rejection({
      endpointName: "bad_name",
      instanceType: "ml.t2.large",
      initialInstanceCount: 9,
      autoscaling: { ...scaling, minCapacity: 4, maxCapacity: 2 },
    });
    expect(message.split("\n")).toEqual([
      'InferenceEndpoint ep: args.endpointName must be 1-63 letters, digits and hyphens, starting with a letter or digit (got "bad_name")',
      "InferenceEndpoint ep: args.autoscaling.maxCapacity must be >= args.autoscaling.minCapacity (got 2 < 4)",
      'InferenceEndpoint ep: args.instanceType "ml.t2.large" is a burstable ml.t* type, which Application Auto Scaling cannot scale; use e.g. ml.m5.large or ml.c5.large, or remove args.autoscaling (got "ml.t2.large")',
    ]);
  });

  it("starts at the autoscaling minimum when no initial count is given", () => {
    const resolved = resolveEndpointArgs("ep", { ...base, autoscaling: { ...scaling, minCapacity: 2 } });
    expect(resolved.variant).toMatchObject({
      initialInstanceCount: 2,
      autoscaling: { minCapacity: 2, targetValue: 20 },
    });
  });

  it("throws before registering anything", async () => {
    const run = await runUnderMocks(
      () => {
        try {
          new InferenceEndpoint("ep", { ...base, mode: "serverless", autoscaling: scaling });
        } catch {
          return "rejected";
        }
        return "accepted";
      },
      { project: "team", stack: "test", strictInvokes: true },
    );
    expect(run.result).toBe("rejected");
    expect(run.resources.filter((r) => r.type !== "pulumi:pulumi:Stack")).toEqual([]);
  });
});

describe("InferenceEndpoint imported into another program", () => {
  it("defaults to one ml.m5.large instance, isolated, KMS-encrypted, without autoscaling", async () => {
    const run = await declare({});
    const model = run.one("aws:sagemaker/model:Model");
    expect(model.inputs).toMatchObject({
      enableNetworkIsolation: true,
      executionRoleArn: "arn:aws:iam::210987654321:role/dogs-model",
      primaryContainer: {
        image: "763104351884.dkr.ecr.eu-west-1.amazonaws.com/pytorch-inference:2.1.0-cpu-py310",
        modelDataUrl: MODEL,
        mode: "SingleModel",
        environment: {
          SAGEMAKER_PROGRAM: "inference.py",
          SAGEMAKER_SUBMIT_DIRECTORY: "/opt/ml/model/code",
          SAGEMAKER_CONTAINER_LOG_LEVEL: "20",
          MAX_IMAGE_BYTES: String(6 * 1024 * 1024),
        },
      },
    });
    const config = run.one("aws:sagemaker/endpointConfiguration:EndpointConfiguration");
    expect(config.inputs.name).toBeUndefined();
    expect(config.inputs.kmsKeyArn).toBe(KEY);
    expect(config.inputs.dataCaptureConfig).toBeUndefined();
    expect(config.inputs.productionVariants).toEqual([
      {
        variantName: "AllTraffic",
        modelName: "[unknown]",
        instanceType: "ml.m5.large",
        initialInstanceCount: 1,
        initialVariantWeight: 1,
      },
    ]);
    expect(run.one("aws:sagemaker/endpoint:Endpoint").inputs.name).toBe("dogs");
    expect(run.resources.filter((r) => r.type.startsWith("aws:appautoscaling/"))).toHaveLength(0);
    expect(await valueOf(run.endpoint.endpointArn)).toBe(
      "arn:aws:sagemaker:eu-west-1:210987654321:endpoint/dogs",
    );
  });

  it("serves GPU instances with the GPU image and leaves their local NVMe volume to hardware encryption", async () => {
    const run = await declare({
      instanceType: "ml.g4dn.xlarge",
      image: { frameworkVersion: "2.3", pythonVersion: "py311" },
    });
    expect((run.one("aws:sagemaker/model:Model").inputs.primaryContainer as any).image).toBe(
      "763104351884.dkr.ecr.eu-west-1.amazonaws.com/pytorch-inference:2.3.0-gpu-py311",
    );
    expect(
      run.one("aws:sagemaker/endpointConfiguration:EndpointConfiguration").inputs.kmsKeyArn,
    ).toBeUndefined();
  });

  it("pulls an image of your own, granting its repository only", async () => {
    const run = await declare({
      image: { uri: "210987654321.dkr.ecr.eu-west-1.amazonaws.com/serving/resnet:1.4" },
    });
    const policy = JSON.parse(run.one("aws:iam/rolePolicy:RolePolicy").inputs.policy as string);
    const pull = policy.Statement.find((s: any) => s.Sid === "PullServingImageLayers");
    expect(pull.Resource).toEqual(["arn:aws:ecr:eu-west-1:210987654321:repository/serving/resnet"]);
  });

  it("scopes the execution role to its artifact, key, image, logs and capture prefix", async () => {
    const run = await declare({
      autoscaling: { minCapacity: 1, maxCapacity: 2, peakRequestsPerSecondPerInstance: 1 },
      dataCapture: { bucketName: "team-capture", samplingPercentage: 5 },
    });
    const policy = JSON.parse(run.one("aws:iam/rolePolicy:RolePolicy").inputs.policy as string);
    const bySid = Object.fromEntries(policy.Statement.map((s: any) => [s.Sid, s]));
    expect(Object.keys(bySid)).toEqual([
      "ReadModelArtifact",
      "DecryptModelArtifact",
      "PullServingImageToken",
      "PullServingImageLayers",
      "WriteEndpointLogsGroups",
      "WriteEndpointLogsStreams",
      "PublishEndpointMetrics",
      "CaptureDataWrite",
      "EncryptCapturedData",
    ]);
    expect(bySid.ReadModelArtifact).toMatchObject({
      Action: ["s3:GetObject"],
      Resource: ["arn:aws:s3:::team-models/resnet/model.tar.gz"],
    });
    expect(bySid.DecryptModelArtifact).toMatchObject({
      Action: ["kms:Decrypt", "kms:DescribeKey"],
      Condition: { "ForAnyValue:StringEquals": { "kms:ResourceAliases": "alias/team-data" } },
    });
    expect(bySid.CaptureDataWrite.Resource).toEqual(["arn:aws:s3:::team-capture/data-capture/dogs/*"]);
    expect(bySid.PublishEndpointMetrics.Condition).toEqual({
      StringEquals: { "cloudwatch:namespace": "/aws/sagemaker/Endpoints" },
    });
    // Only the token call takes "*" (AWS allows no narrower resource), and no SageMaker action at all.
    const wildcard = policy.Statement.filter((s: any) => s.Resource.includes("*"))
      .map((s: any) => s.Action)
      .flat();
    expect(wildcard).toEqual(["ecr:GetAuthorizationToken", "cloudwatch:PutMetricData"]);
    expect(
      policy.Statement.flatMap((s: any) => s.Action).some((a: string) => a.startsWith("sagemaker:")),
    ).toBe(false);

    const config = run.one("aws:sagemaker/endpointConfiguration:EndpointConfiguration");
    expect(config.inputs.dataCaptureConfig).toEqual({
      enableCapture: true,
      initialSamplingPercentage: 5,
      destinationS3Uri: "s3://team-capture/data-capture",
      kmsKeyId: KEY,
      captureOptions: [{ captureMode: "Input" }, { captureMode: "Output" }],
      captureContentTypeHeader: { jsonContentTypes: ["application/json"] },
    });
    expect(
      run.one("aws:appautoscaling/policy:Policy").inputs.targetTrackingScalingPolicyConfiguration,
    ).toEqual({
      predefinedMetricSpecification: { predefinedMetricType: "SageMakerVariantInvocationsPerInstance" },
      targetValue: 30,
      scaleInCooldown: 300,
      scaleOutCooldown: 60,
    });
  });

  it("grants invocation of exactly this endpoint", async () => {
    const run = await declare({ endpointName: "Dogs-Prod" });
    expect(await valueOf(run.endpoint.invokePolicyStatement())).toEqual({
      Sid: "InvokeEndpoint",
      Effect: "Allow",
      Action: ["sagemaker:InvokeEndpoint"],
      // SageMaker lower-cases names inside ARNs.
      Resource: ["arn:aws:sagemaker:eu-west-1:210987654321:endpoint/dogs-prod"],
    });
  });

  it("references an endpoint created elsewhere by name", async () => {
    const ref = endpointReference(context, "shared-endpoint", 4 * 1024 * 1024);
    expect(await valueOf(ref.invokePolicyStatement())).toMatchObject({
      Resource: ["arn:aws:sagemaker:eu-west-1:210987654321:endpoint/shared-endpoint"],
    });
  });
});
