/**
 * sagemaker-endpoint-multi-instance (AWS Security Hub control SageMaker.4) through the analyzer
 * server, and our prod stack against it: compliant as shipped, non-compliant with the old 1-instance
 * capacity.
 */
import * as fs from "fs";
import * as path from "path";
import { T } from "../lib/resource-types";
import { allPolicies } from "../policies";
import { runStack } from "../../test/harness";
import { PACK_DIR, PackClient, TestResource, UNKNOWN, startInProcessAnalyzer, violationsOf } from "./util";

const POLICY = "sagemaker-endpoint-multi-instance";

let client: PackClient;
let stop: () => void;
beforeAll(async () => {
  ({ client, stop } = await startInProcessAnalyzer(allPolicies()));
});
afterAll(() => stop());
beforeEach(() => client.configure());

const config = (variants: unknown[]): TestResource => ({
  type: T.sagemakerEndpointConfiguration,
  name: "endpoint-config",
  props: { productionVariants: variants },
});
const variant = (initialInstanceCount: unknown, name = "AllTraffic") => ({
  variantName: name,
  modelName: "m",
  instanceType: "ml.m5.large",
  initialInstanceCount,
});
const target = (
  minCapacity: unknown,
  scalableDimension = "sagemaker:variant:DesiredInstanceCount",
): TestResource => ({
  type: T.appautoscalingTarget,
  name: "endpoint-scaling",
  props: {
    serviceNamespace: scalableDimension.split(":")[0],
    scalableDimension,
    resourceId: "endpoint/ml-platform-prod-endpoint/variant/AllTraffic",
    minCapacity,
    maxCapacity: 4,
  },
});

async function messages(r: TestResource): Promise<string[]> {
  return violationsOf(await client.analyze(r), POLICY).map((d) => d.message.split("\n").pop() ?? "");
}

describe("endpoint configurations", () => {
  test("one instance in a production variant: the control's NON_COMPLIANT case, with the fix", async () => {
    expect(await messages(config([variant(1)]))).toEqual([
      'productionVariants[0] ("AllTraffic") starts with initialInstanceCount 1: one instance has no Availability Zone redundancy ' +
        "(AWS Security Hub control SageMaker.4 asks for more than 1). Fix: set initialInstanceCount to at least 2 " +
        "(and an autoscaling minCapacity of at least 2), or use a serverless variant.",
    ]);
  });

  test("two or more instances: clean; each variant is judged on its own", async () => {
    expect(await messages(config([variant(2), variant(4, "B")]))).toEqual([]);
    const mixed = await messages(config([variant(3), variant(1, "Canary")]));
    expect(mixed).toHaveLength(1);
    expect(mixed[0]).toMatch(/^productionVariants\[1\] \("Canary"\) starts with initialInstanceCount 1/);
  });

  test("serverless variants have no instance count to judge; a variant without a count is not judged", async () => {
    const serverless = {
      variantName: "AllTraffic",
      modelName: "m",
      serverlessConfig: { maxConcurrency: 5, memorySizeInMb: 3072 },
    };
    expect(await messages(config([serverless]))).toEqual([]);
    expect(
      await messages(config([{ variantName: "AllTraffic", modelName: "m", instanceType: "ml.m5.large" }])),
    ).toEqual([]);
  });

  test("minInstanceCount raises the bar", async () => {
    await client.configure({ [POLICY]: { minInstanceCount: 3 } });
    expect(await messages(config([variant(2)]))).toHaveLength(1);
    expect(await messages(config([variant(3)]))).toEqual([]);
  });

  test("an instance count unknown at preview gets the analyzer's own advisory", async () => {
    const d = violationsOf(await client.analyze(config([variant(UNKNOWN)])), POLICY);
    expect(d).toHaveLength(1);
    expect(d[0].message).toMatch(/can't run policy .* during preview/);
  });
});

describe("autoscaling targets on a variant's instance count", () => {
  test("minCapacity 1 scales the variant in to one instance: reported", async () => {
    expect(await messages(target(1))).toEqual([
      "minCapacity is 1 for endpoint/ml-platform-prod-endpoint/variant/AllTraffic: autoscaling scales the variant in to a single instance, " +
        "with no Availability Zone redundancy (AWS Security Hub control SageMaker.4). Fix: set minCapacity to at least 2 (and initialInstanceCount to match).",
    ]);
    expect(await messages(target(2))).toEqual([]);
  });

  test("other scalable dimensions, and checkAutoscalingTargets false, are not applicable", async () => {
    const other = await client.analyze({
      ...target(1, "dynamodb:table:ReadCapacityUnits"),
      name: "table-scaling",
    });
    // Not applicable (the wire does not carry the reason to the plan's client): no finding.
    expect(violationsOf(other, POLICY)).toEqual([]);
    await client.configure({ [POLICY]: { checkAutoscalingTargets: false } });
    expect(await messages(target(1))).toEqual([]);
  });
});

describe("enforcement and config", () => {
  test("advisory by default and in dev, mandatory in prod", async () => {
    const level = async () =>
      violationsOf(await client.analyze(config([variant(1)])), POLICY)[0].enforcementLevel;
    expect(await level()).toBe("advisory");
    await client.configure(file("dev"));
    expect(await level()).toBe("advisory");
    await client.configure(file("prod"));
    expect(await level()).toBe("mandatory");
  });

  test("a config of the wrong type (which the CLI's schema check would refuse) is an error naming it", async () => {
    await client.configure({ [POLICY]: { minInstanceCount: "two" } });
    await expect(client.analyze(config([variant(1)]))).rejects.toThrow(
      `policy config ${POLICY}.minInstanceCount must be a whole number >= 2 (got "two")`,
    );
  });
});

describe("our prod stack", () => {
  async function findings(overrides: Record<string, unknown> = {}) {
    const run = await runStack("prod", overrides);
    const out: string[] = [];
    for (const r of run.resources.filter((x) => x.custom)) {
      for (const d of violationsOf(
        await client.analyze({ type: r.type, name: r.name, props: r.wireInputs }),
        POLICY,
      )) {
        out.push(`${r.name}: ${d.message.split("\n").pop()?.split(":")[0]}`);
      }
    }
    return out;
  }

  test("starts and stays at 2 instances: no finding", async () => {
    await client.configure(file("prod"));
    expect(await findings()).toEqual([]);
  }, 60_000);

  test("with the former capacity of 1 instance, both the configuration and the target are reported", async () => {
    await client.configure(file("prod"));
    expect(
      await findings({
        "ml-platform:endpoint": { initialInstanceCount: 1, autoscaling: { minCapacity: 1 } },
      }),
    ).toEqual([
      'endpoint-config: productionVariants[0] ("AllTraffic") starts with initialInstanceCount 1',
      "endpoint-scaling: minCapacity is 1 for endpoint/ml-platform-prod-endpoint/variant/AllTraffic",
    ]);
  }, 60_000);
});

function file(stack: string) {
  return JSON.parse(fs.readFileSync(path.join(PACK_DIR, "config", `${stack}.json`), "utf8"));
}
