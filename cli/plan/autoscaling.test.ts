import { autoscalingSection, autoscalingTargets, summaryOf } from "./autoscaling";
import type { ReportedResource } from "./report";

const M = "SageMakerVariantInvocationsPerInstance";
const capacity = {
  requestsPerSecondPerInstance: 2.75,
  vCpus: 2,
  latencyBoundMs: 1000,
  latencyPercentile: 99,
  source: "bench/capacity/resnet50-224-2vcpu.json",
  measuredAt: "2026-12-01T10:32:57.454Z",
};

const resource = (urn: string, type: string, properties: Record<string, unknown>, parent?: string) =>
  ({
    urn,
    type,
    name: urn.split("::").pop()!,
    custom: type.startsWith("aws:"),
    parent,
    dependencies: [],
    propertyDependencies: {},
    properties,
    options: {},
  }) as unknown as ReportedResource;

describe("where an autoscaling target came from", () => {
  it("says the figure, its bound, vCPUs, date and the safety factor for a measured capacity", () => {
    expect(
      summaryOf(83, M, {
        from: "capacity",
        targetValue: 83,
        requestsPerSecondPerInstance: 2.75,
        safetyFactor: 0.5,
        capacity,
        instanceType: "ml.m5.large",
        instanceVCpus: 2,
      }),
    ).toBe(
      "target 83 invocations/instance/min from bench/capacity/resnet50-224-2vcpu.json " +
        "(2.75 req/s at p99 <= 1000 ms on 2 vCPUs, measured 2026-12-01T10:32:57.454Z) x safety 0.5",
    );
  });

  it("says when the vCPU fit could not be checked", () => {
    expect(
      summaryOf(83, M, {
        from: "capacity",
        safetyFactor: 0.5,
        capacity: { ...capacity, measuredAt: undefined },
        instanceType: "ml.m6i.large",
        instanceVCpus: null,
      }),
    ).toBe(
      "target 83 invocations/instance/min from bench/capacity/resnet50-224-2vcpu.json (2.75 req/s at p99 <= 1000 ms on 2 vCPUs) " +
        "x safety 0.5; vCPU fit not checked: no vCPU count known for ml.m6i.large",
    );
  });

  it("tells a stated peak rate or target from a measured one, and a target with no record", () => {
    expect(
      summaryOf(15, M, {
        from: "peakRequestsPerSecondPerInstance",
        requestsPerSecondPerInstance: 0.5,
        safetyFactor: 0.5,
      }),
    ).toBe(
      "target 15 invocations/instance/min from peakRequestsPerSecondPerInstance 0.5 req/s (stated, not measured) x safety 0.5",
    );
    expect(summaryOf(20, M, { from: "targetInvocationsPerInstance", targetValue: 20 })).toBe(
      "target 20 invocations/instance/min, stated as is (targetInvocationsPerInstance)",
    );
    expect(summaryOf(70, "ASGAverageCPUUtilization", null)).toBe(
      "target 70 (ASGAverageCPUUtilization) (no derivation recorded by the program)",
    );
  });

  it("finds each policy's target and its nearest component's record", () => {
    const component = "urn:pulumi:prod::p::ml-platform:serving:InferenceEndpoint::endpoint";
    const resources = [
      resource(component, "ml-platform:serving:InferenceEndpoint", {
        autoscalingTarget: { from: "targetInvocationsPerInstance", targetValue: 20 },
      }),
      resource(
        `${component}$aws:appautoscaling/policy:Policy::endpoint-invocations`,
        "aws:appautoscaling/policy:Policy",
        {
          policyType: "TargetTrackingScaling",
          targetTrackingScalingPolicyConfiguration: {
            predefinedMetricSpecification: { predefinedMetricType: M },
            targetValue: 20,
          },
        },
        component,
      ),
      // A step-scaling policy has no target to explain.
      resource(
        "urn:pulumi:prod::p::aws:appautoscaling/policy:Policy::steps",
        "aws:appautoscaling/policy:Policy",
        {
          policyType: "StepScaling",
        },
      ),
    ];
    const targets = autoscalingTargets({ resources });
    expect(targets).toEqual([
      {
        urn: `${component}$aws:appautoscaling/policy:Policy::endpoint-invocations`,
        name: "endpoint-invocations",
        metric: M,
        targetValue: 20,
        derivation: { from: "targetInvocationsPerInstance", targetValue: 20 },
        summary: "target 20 invocations/instance/min, stated as is (targetInvocationsPerInstance)",
      },
    ]);
    expect(autoscalingSection({ resources })).toEqual([
      "Autoscaling targets (1)",
      "  endpoint-invocations: target 20 invocations/instance/min, stated as is (targetInvocationsPerInstance)",
      "",
    ]);
    expect(autoscalingSection({ resources: [] })).toEqual([]);
  });
});
