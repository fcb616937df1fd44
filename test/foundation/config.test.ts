import { ConfigError, DEFAULTS, configFromPulumi, validateConfig } from "../../stacks/config";
import { runStack, stackConfig } from "../harness";

const base = { owner: "ml-team", costCenter: "cc-1" };

/** The problems reported for a raw config, one line each. */
function problems(raw: Record<string, unknown>): string[] {
  try {
    validateConfig(raw);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error("expected the config to be rejected");
}

describe("stack config validation", () => {
  it("fills every default from DEFAULTS when only the required keys are set", () => {
    const config = validateConfig(base);
    expect(config.notebook).toEqual({ ...DEFAULTS.notebook });
    // The component's default: real-time instances (network isolation, autoscaling); dev opts in to serverless.
    expect(config.endpoint.mode).toBe("instance");
    expect(config.endpoint.autoscaling).toMatchObject({
      scaleInCooldownSeconds: 300,
      scaleOutCooldownSeconds: 60,
    });
    expect(config.inferenceFunction.reservedConcurrency).toBe(DEFAULTS.inferenceFunction.reservedConcurrency);
    expect(config.training.hyperparameters).toEqual({ ...DEFAULTS.hyperparameters });
    expect(config.tuning.ranges.batchSize).toEqual([32, 64, 128]);
  });

  it("accepts our dev and prod stack files", () => {
    for (const stack of ["dev", "prod"]) expect(() => configFromPulumi(stackConfig(stack))).not.toThrow();
  });

  // Each case: a bad config, and the exact line that names its key, value and what is allowed.
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ["missing owner", { costCenter: "cc" }, "ml-platform:owner is required"],
    [
      "autoscaling max below min",
      {
        endpoint: {
          mode: "instance",
          autoscaling: { enabled: true, minCapacity: 2, maxCapacity: 1, targetInvocationsPerInstance: 10 },
          initialInstanceCount: 2,
        },
      },
      "ml-platform:endpoint.autoscaling.maxCapacity must be >= endpoint.autoscaling.minCapacity (got 1 < 2)",
    ],
    [
      "initial count outside the autoscaling range",
      {
        endpoint: {
          mode: "instance",
          initialInstanceCount: 5,
          autoscaling: { enabled: true, minCapacity: 1, maxCapacity: 3, targetInvocationsPerInstance: 10 },
        },
      },
      "ml-platform:endpoint.initialInstanceCount must be between endpoint.autoscaling.minCapacity and endpoint.autoscaling.maxCapacity (got 5, allowed 1..3)",
    ],
    [
      "burstable instance with autoscaling",
      {
        endpoint: {
          mode: "instance",
          instanceType: "ml.t2.medium",
          autoscaling: { enabled: true, targetInvocationsPerInstance: 10 },
        },
      },
      'ml-platform:endpoint.instanceType "ml.t2.medium" is a burstable ml.t* type, which Application Auto Scaling cannot scale; use e.g. ml.m5.large or ml.c5.large, or remove endpoint.autoscaling (got "ml.t2.medium")',
    ],
    [
      "both target and intent",
      {
        endpoint: {
          mode: "instance",
          autoscaling: {
            enabled: true,
            targetInvocationsPerInstance: 10,
            peakRequestsPerSecondPerInstance: 1,
          },
        },
      },
      "ml-platform:endpoint.autoscaling.targetInvocationsPerInstance conflicts with endpoint.autoscaling.peakRequestsPerSecondPerInstance; set exactly one of them (got 10)",
    ],
    [
      "idle stop too short",
      { notebook: { idleStopMinutes: 2 } },
      "ml-platform:notebook.idleStopMinutes must be a whole number between 5 and 1440 (got 2)",
    ],
    [
      "unknown key in a section",
      { notebook: { idleMinutes: 30 } },
      "ml-platform:notebook.idleMinutes is not a known setting (known: enabled, instanceType, volumeSizeGb, idleStopMinutes, homeBackupMinutes, directInternetAccess, rootAccess, platformIdentifier)",
    ],
    [
      "unknown top-level key",
      { endpoints: {} },
      "ml-platform:endpoints is not a known setting (known: owner, costCenter, parked, tags, kms, network, artifactStore, notebook, training, tuning, ec2Trainer, model, endpoint, inferenceFunction)",
    ],
    [
      "provisioned above reserved concurrency",
      { inferenceFunction: { reservedConcurrency: 2, provisionedConcurrency: 5 } },
      "ml-platform:inferenceFunction.provisionedConcurrency must be <= inferenceFunction.reservedConcurrency (got 5 > 2): provisioned environments are part of the function's reserved concurrency",
    ],
    [
      "tuning parallel jobs above max jobs",
      { tuning: { enabled: true, maxJobs: 2, maxParallelJobs: 3 } },
      "ml-platform:tuning.maxParallelJobs must be <= tuning.maxJobs (got 3 > 2)",
    ],
    [
      "SSH open to the internet",
      { ec2Trainer: { enabled: true, sshCidr: "0.0.0.0/0" } },
      'ml-platform:ec2Trainer.sshCidr must be a /16 or narrower range, ideally your own /32; SSH is never opened to the internet (got "0.0.0.0/0")',
    ],
    [
      "malformed CIDR",
      { network: { cidr: "10.0.0.0/33" } },
      'ml-platform:network.cidr must be an IPv4 CIDR such as 10.40.0.0/16 (got "10.0.0.0/33")',
    ],
    [
      "existing KMS mode without a key",
      { kms: { mode: "existing" } },
      'ml-platform:kms.keyArn is required when kms.mode is "existing"',
    ],
    [
      "existing network without ids",
      { network: { mode: "existing" } },
      'ml-platform:network.vpcId is required when network.mode is "existing"',
    ],
    [
      "wrong type",
      { training: { instanceCount: "2" } },
      'ml-platform:training.instanceCount must be a whole number >= 1 (got "2")',
    ],
    [
      "bad enum",
      { endpoint: { mode: "dedicated" } },
      'ml-platform:endpoint.mode must be one of "instance", "serverless" (got "dedicated")',
    ],
    [
      "model from a job while training is off",
      { training: { enabled: false } },
      'ml-platform:model.source is "training-job" but training.enabled is false; enable training or set model.source to "url" with model.url',
    ],
    [
      "function without an endpoint",
      { endpoint: { enabled: false } },
      "ml-platform:inferenceFunction.enabled requires endpoint.enabled (the function calls the endpoint); disable the function or enable the endpoint",
    ],
    [
      "invalid log retention",
      { inferenceFunction: { logRetentionDays: 10 } },
      "ml-platform:inferenceFunction.logRetentionDays must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (got 10)",
    ],
    [
      "model URL that is not an s3 tarball",
      { model: { source: "url", url: "https://example.com/model.pth" } },
      'ml-platform:model.url must be an s3:// URL of a model.tar.gz, such as s3://bucket/models/model.tar.gz (got "https://example.com/model.pth")',
    ],
    [
      "serverless memory not a supported size",
      { endpoint: { serverless: { memorySizeMb: 1500 } } },
      "ml-platform:endpoint.serverless.memorySizeMb must be one of 1024, 2048, 3072, 4096, 5120, 6144 (got 1500)",
    ],
  ];

  it.each(cases)("rejects %s, naming the key", (_name, raw, expected) => {
    const withBase = "owner" in raw || "costCenter" in raw ? raw : { ...base, ...raw };
    expect(problems(withBase)).toContain(expected);
  });

  it("reports every problem at once", () => {
    const found = problems({ notebook: { idleStopMinutes: 0, rootAccess: "yes" }, bogus: true });
    expect(found).toEqual(
      expect.arrayContaining([
        "ml-platform:owner is required",
        "ml-platform:costCenter is required",
        "ml-platform:notebook.idleStopMinutes must be a whole number between 5 and 1440 (got 0)",
        'ml-platform:notebook.rootAccess must be true or false (got "yes")',
        expect.stringMatching(/^ml-platform:bogus is not a known setting/),
      ]),
    );
    expect(found).toHaveLength(5);
  });

  it("reports a section that is not valid JSON", () => {
    expect(() =>
      configFromPulumi({
        "ml-platform:owner": "a",
        "ml-platform:costCenter": "b",
        "ml-platform:notebook": "{oops",
      }),
    ).toThrow('ml-platform:notebook is not valid JSON (got "{oops")');
  });

  it("ignores other namespaces such as aws: and pulumi:", () => {
    const config = configFromPulumi({
      "aws:region": "eu-west-1",
      "ml-platform:owner": "a",
      "ml-platform:costCenter": "b",
    });
    expect(config.owner).toBe("a");
  });

  it("stops the program before any resource when config is bad", async () => {
    await expect(runStack("dev", { "ml-platform:notebook": { idleStopMinutes: 1 } })).rejects.toThrow(
      "ml-platform:notebook.idleStopMinutes must be a whole number between 5 and 1440 (got 1)",
    );
  });
});

describe("component rules name the config key", () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    [
      "a CPU type for the GPU trainer",
      { ec2Trainer: { enabled: true, mode: "gpu", instanceType: "m5.xlarge" } },
      'ml-platform:ec2Trainer.instanceType must be a GPU instance type such as g4dn.xlarge when ec2Trainer.mode is "gpu" (got "m5.xlarge")',
    ],
    [
      "an instance type AWS does not offer",
      { training: { instanceType: "ml.m5.huge" } },
      'ml-platform:training.instanceType must be a SageMaker training instance type AWS offers; close ones: ml.m5.large, ml.m5.xlarge, ml.m5.2xlarge, ml.m5.4xlarge (got "ml.m5.huge")',
    ],
    [
      "a notebook type that is not a notebook type",
      { notebook: { instanceType: "m5.large" } },
      'ml-platform:notebook.instanceType must be a SageMaker notebook instance type AWS offers; close ones: ml.m5.xlarge, ml.m5.2xlarge, ml.m5.4xlarge, ml.m5.12xlarge (got "m5.large")',
    ],
    [
      "a framework version the images do not have",
      { training: { frameworkVersion: "latest" } },
      'ml-platform:training.frameworkVersion must look like 2.1 or 2.1.0 (got "latest")',
    ],
    [
      "a KMS deletion window beyond AWS's 30 days",
      { kms: { deletionWindowDays: 365 } },
      "ml-platform:kms.deletionWindowDays must be a whole number between 7 and 30 (got 365)",
    ],
    [
      "a VPC range that is no CIDR",
      { network: { cidr: "not-a-cidr" } },
      'ml-platform:network.cidr must be an IPv4 CIDR such as 10.40.0.0/16 (got "not-a-cidr")',
    ],
    [
      "a backbone train.py does not build",
      { training: { hyperparameters: { arch: "vgg16" } } },
      'ml-platform:training.hyperparameters.arch must be one of "resnet18", "resnet34", "resnet50", "resnet101", "resnet152" (got "vgg16")',
    ],
  ];

  it.each(cases)("%s", (_name, raw, expected) => {
    expect(problems({ ...base, ...raw })).toEqual([expected]);
  });

  it("a problem only the component can judge, found while the program builds it, names the config key", async () => {
    await expect(
      runStack("prod", { "ml-platform:endpoint": { instanceType: "ml.inf2.xlarge" } }),
    ).rejects.toThrow(
      "invalid stack configuration (1 problem):\n" +
        '  - ml-platform:endpoint.instanceType is a Trainium/Inferentia type, which needs the Neuron images; use a CPU (ml.m5) or GPU (ml.g4dn, ml.p3) type, or set InferenceEndpoint argument image.uri to an image of your own (got "ml.inf2.xlarge")',
    );
  });
});

describe("settings that do nothing in the chosen mode are errors naming the key and why", () => {
  const cases: Array<[string, Record<string, unknown>, string[]]> = [
    [
      "serverless sizes on an instance endpoint",
      { endpoint: { mode: "instance", serverless: { memorySizeMb: 3072 } } },
      [
        'ml-platform:endpoint.serverless.memorySizeMb does nothing with endpoint.mode "instance" (it sizes serverless endpoints only); remove it or set endpoint.mode to "serverless"',
      ],
    ],
    [
      "instance settings on a serverless endpoint",
      { endpoint: { mode: "serverless", instanceType: "ml.m5.large", initialInstanceCount: 2 } },
      [
        'ml-platform:endpoint.instanceType does nothing with endpoint.mode "serverless" (serverless endpoints have no instances); remove it or set endpoint.mode to "instance"',
        'ml-platform:endpoint.initialInstanceCount does nothing with endpoint.mode "serverless" (serverless endpoints have no instances); remove it or set endpoint.mode to "instance"',
      ],
    ],
    [
      "autoscaling settings on a serverless endpoint",
      { endpoint: { mode: "serverless", autoscaling: { maxCapacity: 4 } } },
      [
        'ml-platform:endpoint.autoscaling.maxCapacity does nothing with endpoint.mode "serverless" (serverless endpoints scale by endpoint.serverless.maxConcurrency); remove it or set endpoint.mode to "instance"',
      ],
    ],
    [
      "autoscaling settings without autoscaling.enabled",
      { endpoint: { mode: "instance", autoscaling: { maxCapacity: 4, targetInvocationsPerInstance: 10 } } },
      [
        "ml-platform:endpoint.autoscaling.maxCapacity does nothing while endpoint.autoscaling.enabled is false; set it to true, or remove the autoscaling settings",
        "ml-platform:endpoint.autoscaling.targetInvocationsPerInstance does nothing while endpoint.autoscaling.enabled is false; set it to true, or remove the autoscaling settings",
      ],
    ],
    [
      "a sampling rate without data capture",
      { endpoint: { mode: "instance", dataCapture: { samplingPercentage: 50 } } },
      [
        "ml-platform:endpoint.dataCapture.samplingPercentage does nothing while endpoint.dataCapture.enabled is false; set it to true, or remove it",
      ],
    ],
    [
      "VPC shape settings with an existing VPC",
      {
        network: {
          mode: "existing",
          vpcId: "vpc-0abc1234",
          subnetIds: ["subnet-0abc1234"],
          vpcCidr: "10.9.0.0/16",
          cidr: "10.40.0.0/16",
          interfaceEndpointAzCount: 1,
        },
      },
      [
        'ml-platform:network.cidr does nothing with network.mode "existing" (it shapes a VPC this stack creates); remove it or set network.mode to "create"',
        'ml-platform:network.interfaceEndpointAzCount does nothing with network.mode "existing" (it shapes a VPC this stack creates); remove it or set network.mode to "create"',
      ],
    ],
    [
      "a deletion window for a key the stack does not own",
      {
        kms: {
          mode: "existing",
          keyArn: "arn:aws:kms:us-east-1:123456789012:alias/theirs",
          deletionWindowDays: 7,
        },
      },
      [
        'ml-platform:kms.deletionWindowDays does nothing with kms.mode "existing" (the stack does not own that key); remove it or set kms.mode to "create"',
      ],
    ],
    [
      "tuning settings while tuning is off",
      { tuning: { maxJobs: 8 } },
      ["ml-platform:tuning.maxJobs does nothing while tuning.enabled is false; set it to true, or remove it"],
    ],
    [
      "an SSH range for a trainer that is off",
      { ec2Trainer: { sshCidr: "203.0.113.7/32" } },
      [
        "ml-platform:ec2Trainer.sshCidr does nothing while ec2Trainer.enabled is false; set it to true, or remove it",
      ],
    ],
  ];

  it.each(cases)("%s", (_name, raw, expected) => {
    expect(problems({ ...base, ...raw })).toEqual(expected);
  });

  it("keeps the settings of a section switched off with an explicit enabled: false", () => {
    expect(() =>
      validateConfig({
        ...base,
        ec2Trainer: { enabled: false, mode: "gpu", sshCidr: "203.0.113.7/32" },
        tuning: { enabled: false, maxJobs: 8 },
        endpoint: {
          mode: "instance",
          autoscaling: { enabled: false, maxCapacity: 4 },
          dataCapture: { enabled: false, samplingPercentage: 50 },
        },
      }),
    ).not.toThrow();
  });

  it("stops the program before any resource, from the stack files too", async () => {
    await expect(
      runStack("prod", { "ml-platform:endpoint": { serverless: { maxConcurrency: 10 } } }),
    ).rejects.toThrow(
      'ml-platform:endpoint.serverless.maxConcurrency does nothing with endpoint.mode "instance" (it sizes serverless endpoints only); remove it or set endpoint.mode to "serverless"',
    );
  });
});
