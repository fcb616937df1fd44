import { PlannedResource, WIRE } from "../plan/resources";
import { estimateCost, unconfirmedGroups } from "./estimate";
import { scheduledShutdownMinutes } from "./estimators/ec2";
import { PRICE_ENTRIES, PRICES } from "./prices";

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
    // Idle it is stopped: its volume only; at most it runs all month.
    expect(item.idleMonthlyUsd).toBeCloseTo(10 * 0.14, 2);
    expect(item.maxMonthlyUsd).toBeCloseTo(0.05 * 730 + 10 * 0.14, 2);
    expect(item.description).toContain("idle stop after 30 min");
  });

  test("without one, it runs (and bills) all month; a lifecycle script that does not stop it is not idle stop", () => {
    const lifecycle = res(T.lifecycle, { name: "conda", onStart: script("conda install -y numpy") });
    const nb = res(T.notebook, { instanceType: "ml.t3.medium", lifecycleConfigName: "conda" });
    const item = only([lifecycle, nb]);
    expect(item.monthlyUsd).toBeCloseTo(0.05 * 730 + 5 * 0.14, 2);
    expect(item.idleMonthlyUsd).toBe(item.monthlyUsd);
  });

  test("an instance type missing from the price list has no price", () => {
    const item = only([res(T.notebook, { instanceType: "ml.r7i.48xlarge" })]);
    expect(item).toMatchObject({ monthlyUsd: null, idleMonthlyUsd: null, maxMonthlyUsd: null });
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
    expect(item.idleMonthlyUsd).toBeCloseTo(0.115 * 730, 2);
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
    expect(item.idleMonthlyUsd).toBe(0);
    // At maximum, all 5 concurrent slots busy all month.
    expect(item.maxMonthlyUsd).toBeCloseTo(0.00006 * 5 * 730 * 3600, 2);
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
  expect(t.idleMonthlyUsd).toBe(0);
  expect(t.maxMonthlyUsd).toBe(t.monthlyUsd);
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
  expect(only([trainer]).idleMonthlyUsd).toBe(0);
  const server = res("aws:ec2/instance:Instance", { instanceType: "g4dn.xlarge", userData });
  expect(only([server]).monthlyUsd).toBeCloseTo(0.526 * 730, 2);
  expect(only([server]).idleMonthlyUsd).toBe(only([server]).monthlyUsd);
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
  expect(item.idleMonthlyUsd).toBe(item.monthlyUsd);
  expect(only([fn], T.fn)).toMatchObject({
    monthlyUsd: 0,
    idleMonthlyUsd: 0,
    maxMonthlyUsd: null,
    description: expect.stringContaining("no reserved concurrency: no ceiling"),
  });
  // With reserved concurrency, the ceiling is that many executions running all month.
  const reserved = res(T.fn, {
    name: "capped",
    memorySize: 256,
    architectures: ["arm64"],
    reservedConcurrentExecutions: 3,
  });
  expect(only([reserved], T.fn).maxMonthlyUsd).toBeCloseTo(0.25 * 3 * 730 * 3600 * 0.0000133334, 2);
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
  // They bill whether anyone works or not.
  expect(items.map((i) => i.idleMonthlyUsd)).toEqual([14.6, 1, 32.85]);
  expect(items.map((i) => i.maxMonthlyUsd)).toEqual([14.6, 1, 32.85]);
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

test("the price file states its region and date, and every unit price its source page, the day read and whether confirmed", () => {
  expect(PRICES.region).toBe("us-east-1");
  expect(PRICES.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  expect(PRICE_ENTRIES.length).toBeGreaterThan(40);
  for (const { path, entry } of PRICE_ENTRIES) {
    expect({ path, source: entry.source }).toEqual({
      path,
      source: expect.stringMatching(/^https:\/\/aws\.amazon\.com\/[a-z0-9]+\/pricing\/(on-demand\/)?$/),
    });
    expect({ path, read: entry.read }).toEqual({ path, read: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
    expect({ path, confirmed: typeof entry.confirmed }).toEqual({ path, confirmed: "boolean" });
    expect({ path, usd: entry.usd > 0 }).toEqual({ path, usd: true });
    // An unconfirmed price says what the reading showed.
    if (!entry.confirmed) expect({ path, note: typeof entry.note }).toEqual({ path, note: "string" });
  }
  // The estimators see plain numbers.
  expect(PRICES.sagemaker.notebookInstanceHourly["ml.t3.medium"]).toBe(0.05);
  expect(PRICES.kms.customerManagedKeyMonthly).toBe(1);
});

test("a plan's notes name the unit prices that are not confirmed", () => {
  const notes = estimateCost([res("aws:kms/key:Key", {})], "us-east-1").notes;
  const note = notes.find((n) => n.startsWith("Not confirmed against AWS's pages"));
  expect(note).toContain("sagemaker.notebookInstanceHourly (8)");
  expect(note).toContain("lambda.provisionedConcurrencyGbSecond (2)");
  expect(note).not.toContain("kms.");
  expect(unconfirmedGroups()).not.toContain("lambda.requestsPerMillion");
});
