import { PlannedResource, WIRE } from "../plan/resources";
import { estimateCost } from "./estimate";
import { scheduledShutdownMinutes } from "./estimators/ec2";
import { PRICES } from "./prices";

let n = 0;
function res(
  type: string,
  properties: Record<string, unknown>,
  extra: Partial<PlannedResource> = {},
): PlannedResource {
  const name = `r${n++}`;
  return {
    urn: `urn:pulumi:dev::p::${type}::${name}`,
    type,
    name,
    custom: true,
    dependencies: [],
    propertyDependencies: {},
    properties,
    options: {
      protect: false,
      ignoreChanges: [],
      additionalSecretOutputs: [],
      aliases: [],
      customTimeouts: { create: "", update: "", delete: "" },
    },
    ...extra,
  };
}

const only = (resources: PlannedResource[], type?: string) => {
  const items = estimateCost(resources, "us-east-1").items.filter((i) => !type || i.type === type);
  expect(items).toHaveLength(1);
  return items[0];
};

const T = {
  notebook: "aws:sagemaker/notebookInstance:NotebookInstance",
  lifecycle: "aws:sagemaker/notebookInstanceLifecycleConfiguration:NotebookInstanceLifecycleConfiguration",
  endpoint: "aws:sagemaker/endpoint:Endpoint",
  endpointConfig: "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
  target: "aws:appautoscaling/target:Target",
  fn: "aws:lambda/function:Function",
  pc: "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig",
};

describe("notebook", () => {
  const script = (body: string) => Buffer.from(body).toString("base64");

  test("with an idle-stop lifecycle script: working hours, plus its ML storage", () => {
    const lifecycle = res(T.lifecycle, {
      name: "nb-idle",
      onStart: script(
        "readonly IDLE_MINUTES=30\naws sagemaker stop-notebook-instance --notebook-instance-name x",
      ),
    });
    const nb = res(T.notebook, {
      instanceType: "ml.t3.medium",
      lifecycleConfigName: "nb-idle",
      volumeSize: 10,
    });
    const item = only([lifecycle, nb]);
    expect(item.monthlyUsd).toBeCloseTo(0.05 * 176 + 10 * 0.14, 2);
    expect(item.description).toContain("idle stop after 30 min");
  });

  test("without one, it runs (and bills) all month; a lifecycle script that does not stop it is not idle stop", () => {
    const lifecycle = res(T.lifecycle, { name: "conda", onStart: script("conda install -y numpy") });
    const nb = res(T.notebook, { instanceType: "ml.t3.medium", lifecycleConfigName: "conda" });
    expect(only([lifecycle, nb]).monthlyUsd).toBeCloseTo(0.05 * 730 + 5 * 0.14, 2);
  });

  test("an instance type missing from the price list has no price", () => {
    const item = only([res(T.notebook, { instanceType: "ml.r7i.48xlarge" })]);
    expect(item.monthlyUsd).toBeNull();
    expect(item.description).toContain("no price");
  });
});

describe("endpoint", () => {
  test("instances at the autoscaling target's min and max, linked through unknown names by dependency", () => {
    const config = res(T.endpointConfig, {
      name: WIRE.unknown,
      productionVariants: [
        { variantName: "AllTraffic", instanceType: "ml.m5.large", initialInstanceCount: 1 },
      ],
    });
    const endpoint = res(
      T.endpoint,
      { name: "ep", endpointConfigName: WIRE.unknown },
      {
        propertyDependencies: { endpointConfigName: [config.urn] },
      },
    );
    const target = res(T.target, {
      serviceNamespace: "sagemaker",
      resourceId: "endpoint/ep/variant/AllTraffic",
      scalableDimension: "sagemaker:variant:DesiredInstanceCount",
      minCapacity: 1,
      maxCapacity: 4,
    });
    const item = only([config, endpoint, target]);
    expect(item.urn).toBe(endpoint.urn);
    expect(item.monthlyUsd).toBeCloseTo(0.115 * 730, 2);
    expect(item.maxMonthlyUsd).toBeCloseTo(0.115 * 730 * 4, 2);
    expect(item.description).toContain("1-4 (autoscaling min-max)");
  });

  test("a serverless variant bills per request: $0 a month, with the per-second price", () => {
    const config = res(T.endpointConfig, {
      name: "cfg",
      productionVariants: [
        { variantName: "AllTraffic", serverlessConfig: { memorySizeInMb: 3072, maxConcurrency: 5 } },
      ],
    });
    const item = only([config, res(T.endpoint, { name: "ep", endpointConfigName: "cfg" })]);
    expect(item.monthlyUsd).toBe(0);
    expect(item.description).toContain("per request ($0.00006 per second of inference)");
  });
});

test("training job: one run of count x type x max runtime; tuning job: max jobs x per job, capped by its own limit", () => {
  const training = res("aws:sagemaker/trainingJob:TrainingJob", {
    resourceConfig: { instanceType: "ml.m5.2xlarge", instanceCount: 2 },
    stoppingCondition: { maxRuntimeInSeconds: 6 * 3600 },
    enableManagedSpotTraining: true,
  });
  const t = only([training]);
  expect(t.monthlyUsd).toBeCloseTo(0.461 * 2 * 6, 2);
  expect(t.description).toContain("managed spot bills less");

  const tuning = (limits: Record<string, number>) =>
    res("aws:sagemaker/hyperParameterTuningJob:HyperParameterTuningJob", {
      config: { resourceLimits: limits, strategy: "Bayesian" },
      trainingJobDefinition: {
        resourceConfig: { instanceType: "ml.m5.xlarge", instanceCount: 1 },
        stoppingCondition: { maxRuntimeInSeconds: 2 * 3600 },
      },
    });
  expect(only([tuning({ maxNumberOfTrainingJobs: 8, maxParallelTrainingJobs: 2 })]).monthlyUsd).toBeCloseTo(
    8 * 0.23 * 2,
    2,
  );
  expect(
    only([tuning({ maxNumberOfTrainingJobs: 8, maxParallelTrainingJobs: 2, maxRuntimeInSeconds: 3600 })])
      .monthlyUsd,
  ).toBeCloseTo(2 * 0.23 * 1, 2);
});

test("EC2 trainer that terminates on shutdown is one run bounded by its scheduled shutdown; others run all month", () => {
  const userData = 'readonly MAX_RUNTIME_MINUTES=240\nshutdown -h "+$MAX_RUNTIME_MINUTES" "limit"\n';
  const trainer = res("aws:ec2/instance:Instance", {
    instanceType: "m5.xlarge",
    instanceInitiatedShutdownBehavior: "terminate",
    userData,
    rootBlockDevice: { volumeSize: 100, volumeType: "gp3" },
  });
  expect(only([trainer]).monthlyUsd).toBeCloseTo(0.192 * 4 + 100 * 0.08 * (4 / 730), 2);
  const server = res("aws:ec2/instance:Instance", { instanceType: "g4dn.xlarge", userData });
  expect(only([server]).monthlyUsd).toBeCloseTo(0.526 * 730, 2);
  expect(only([res("aws:ec2/instance:Instance", { instanceType: "g3.xlarge" })]).monthlyUsd).toBeNull();
  expect(scheduledShutdownMinutes("shutdown -h +90")).toBe(90);
  expect(scheduledShutdownMinutes("shutdown -h now")).toBeUndefined();
});

test("provisioned concurrency: GB x count x 730 h at the function's architecture price, through its alias", () => {
  const fn = res(T.fn, { name: "infer", memorySize: 512, architectures: ["arm64"] });
  const alias = res("aws:lambda/alias:Alias", { name: "live", functionName: "infer" });
  const pc = res(T.pc, { functionName: "infer", qualifier: "live", provisionedConcurrentExecutions: 2 });
  const item = only([fn, alias, pc], T.pc);
  expect(item.monthlyUsd).toBeCloseTo(0.5 * 2 * 730 * 3600 * 0.0000033334, 2);
  expect(only([fn], T.fn)).toMatchObject({
    monthlyUsd: 0,
    description: expect.stringContaining("per request"),
  });
});

test("interface endpoints per AZ-hour, gateway endpoints free, KMS keys and NAT gateways monthly", () => {
  const items = estimateCost(
    [
      res("aws:ec2/vpcEndpoint:VpcEndpoint", {
        vpcEndpointType: "Interface",
        subnetIds: [WIRE.unknown, WIRE.unknown],
        serviceName: "com.amazonaws.us-east-1.sts",
      }),
      res("aws:ec2/vpcEndpoint:VpcEndpoint", {
        vpcEndpointType: "Gateway",
        serviceName: "com.amazonaws.us-east-1.s3",
      }),
      res("aws:kms/key:Key", {}),
      res("aws:ec2/natGateway:NatGateway", {}),
    ],
    "us-east-1",
  ).items;
  expect(items.map((i) => i.monthlyUsd)).toEqual([14.6, 1, 32.85]);
  expect(items[0].description).toContain("sts x 2 AZs");
});

test("totals add the priced items; other regions are flagged as indicative", () => {
  const estimate = estimateCost(
    [res("aws:kms/key:Key", {}), res(T.notebook, { instanceType: "ml.x.unknown" })],
    "eu-west-1",
  );
  expect(estimate.monthlyUsd).toBe(1);
  expect(estimate.notes[0]).toBe(
    "The stack deploys to eu-west-1; prices are us-east-1's, so figures are indicative.",
  );
  expect(estimate.notes).toContain(
    "1 item(s) have no price in the price list and are left out of the total.",
  );
});

test("the price file states its region, date and sources", () => {
  expect(PRICES.region).toBe("us-east-1");
  expect(PRICES.asOf).toMatch(/^\d{4}/);
  expect(Object.keys(PRICES.sources)).toEqual(
    expect.arrayContaining(["sagemaker", "ec2", "lambda", "kms", "privatelink"]),
  );
});
