/**
 * The stack config and each component agree on every default: a stack that sets nothing gets
 * what a program that uses the component directly and passes nothing gets. Each section's keys
 * are listed once here, and a key the section gains without a check fails the coverage test.
 */
import { resolveArtifactStoreArgs } from "../../components/artifact-store";
import { resolveEc2TrainerArgs } from "../../components/ec2-trainer";
import { endpointReference, resolveEndpointArgs } from "../../components/inference-endpoint";
import { resolveFunctionArgs } from "../../components/inference-function";
import { resolveNetworkArgs } from "../../components/network";
import { resolveNotebookArgs } from "../../components/notebook";
import { resolvePlatformKeyArgs } from "../../components/platform-key";
import { resolveTrainingArgs } from "../../components/training-cluster";
import { objectShape } from "../../components/shared/arg-schema";
import { DEFAULTS, PlatformConfig, platformConfigSchema, validateConfig } from "../../stacks/config";

const context = {
  partition: "aws",
  region: "us-east-1",
  accountId: "123456789012",
  dnsSuffix: "amazonaws.com",
};
const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const storage = {
  bucketName: "team-data",
  datasetPrefix: "d",
  prefixes: { code: "code", models: "models", checkpoints: "checkpoints", notebooks: "notebooks" },
};
const bundle = { bucketName: "team-data", key: "code/x/sourcedir.tar.gz", sha256: "00" };
const training = { context, storage, sourceBundle: bundle, kmsKeyArn: KEY, jobNamePrefix: "team" };
const endpointArgs = {
  endpointName: "dogs",
  context,
  modelDataUrl: "s3://team-data/m.tar.gz",
  kmsKeyArn: KEY,
};

const config: PlatformConfig = validateConfig({ owner: "team", costCenter: "cc" });

/** Keys of each section that only a stack has (no component default to agree with). */
const STACK_ONLY: Record<string, string[]> = {
  kms: ["mode", "keyArn"],
  // The stack's changes to what its components need (stacks/interface-endpoints.ts).
  network: ["interfaceEndpoints"],
  notebook: ["enabled"],
  training: ["enabled"],
  tuning: ["enabled"],
  ec2Trainer: ["enabled"],
  endpoint: ["enabled"],
  inferenceFunction: ["enabled", "functionUrl"],
};

/** For each section: the component's resolved value of each key a stack that sets nothing gets. */
const componentValues: Record<string, () => Record<string, unknown>> = {
  kms: () => {
    const key = resolvePlatformKeyArgs("k", { aliasName: "team", context });
    return { deletionWindowDays: key.deletionWindowDays };
  },
  network: () => {
    const n = resolveNetworkArgs("n", { namePrefix: "team", region: "us-east-1" });
    return {
      mode: n.mode,
      cidr: n.cidr,
      availabilityZoneCount: n.availabilityZoneCount,
      interfaceEndpointAzCount: n.interfaceEndpointAzCount,
      vpcId: n.vpcId,
      subnetIds: n.subnetIds,
      vpcCidr: n.vpcCidr,
    };
  },
  artifactStore: () => {
    const s = resolveArtifactStoreArgs("s", { bucketName: "team-data", kmsKeyArn: KEY, context });
    return {
      datasetPrefix: s.datasetPrefix,
      noncurrentVersionExpirationDays: s.noncurrentVersionExpirationDays,
      forceDestroy: s.forceDestroy,
    };
  },
  notebook: () => {
    const nb = resolveNotebookArgs("nb", {
      notebookName: "nb",
      context,
      storage,
      kmsKeyArn: KEY,
      subnetId: "s",
    });
    return {
      instanceType: nb.instanceType,
      volumeSizeGb: nb.volumeSizeGb,
      idleStopMinutes: nb.idleStopMinutes,
      homeBackupMinutes: nb.homeBackupMinutes,
      directInternetAccess: nb.directInternetAccess,
      rootAccess: nb.rootAccess,
      platformIdentifier: nb.platformIdentifier,
    };
  },
  training: () => {
    const t = resolveTrainingArgs("t", training);
    return {
      instanceType: t.instanceType,
      instanceCount: t.instanceCount,
      volumeSizeGb: t.volumeSizeGb,
      maxRuntimeHours: t.maxRuntimeHours,
      spot: t.spot,
      maxWaitHours: t.maxWaitHours,
      hyperparameters: t.hyperparameters,
      frameworkVersion: t.frameworkVersion,
      pythonVersion: t.pythonVersion,
      pretrainedWeightsKey: t.pretrainedWeightsKey,
      runId: t.runId,
      waitMinutes: t.waitMinutes,
    };
  },
  tuning: () => {
    const { enabled: _e, ...rest } = config.tuning;
    const t = resolveTrainingArgs("t", { ...training, tuning: {} }).tuning!;
    return Object.fromEntries(Object.keys(rest).map((k) => [k, (t as Record<string, unknown>)[k]]));
  },
  ec2Trainer: () => {
    const e = resolveEc2TrainerArgs("e", {
      context,
      storage,
      sourceBundle: bundle,
      kmsKeyArn: KEY,
      namePrefix: "team",
      vpcId: "vpc-1",
      subnetId: "subnet-1",
    });
    return {
      mode: e.mode,
      // The stack leaves it unset and the component picks the mode's type: the same one.
      instanceType: undefined,
      volumeSizeGb: e.volumeSizeGb,
      maxRuntimeHours: e.maxRuntimeHours,
      sshCidr: e.sshCidr,
      sessionManager: e.sessionManager,
      runId: e.runId,
    };
  },
  endpoint: () => {
    const instance = resolveEndpointArgs("ep", endpointArgs);
    const serverless = resolveEndpointArgs("ep", { ...endpointArgs, mode: "serverless" });
    const scaled = resolveEndpointArgs("ep", {
      ...endpointArgs,
      autoscaling: { minCapacity: 1, maxCapacity: 3, targetInvocationsPerInstance: 10 },
      dataCapture: { bucketName: "team-data" },
    });
    if (instance.variant.mode !== "instance" || serverless.variant.mode !== "serverless")
      throw new Error("modes");
    if (scaled.variant.mode !== "instance" || !scaled.variant.autoscaling) throw new Error("autoscaling");
    return {
      mode: instance.variant.mode,
      variantName: instance.variantName,
      instanceType: instance.variant.instanceType,
      // Unset in the stack: the component starts at 1 (or autoscaling.minCapacity).
      initialInstanceCount: undefined,
      serverless: {
        memorySizeMb: serverless.variant.memorySizeMb,
        maxConcurrency: serverless.variant.maxConcurrency,
      },
      autoscaling: {
        enabled: false,
        // The component requires the range; the stack starts from 1..3.
        minCapacity: DEFAULTS.endpoint.autoscaling.minCapacity,
        maxCapacity: DEFAULTS.endpoint.autoscaling.maxCapacity,
        scaleInCooldownSeconds: scaled.variant.autoscaling.scaleInCooldownSeconds,
        scaleOutCooldownSeconds: scaled.variant.autoscaling.scaleOutCooldownSeconds,
      },
      dataCapture: { enabled: false, samplingPercentage: scaled.dataCapture!.samplingPercentage },
    };
  },
  inferenceFunction: () => {
    const f = resolveFunctionArgs("f", {
      functionName: "f",
      context,
      endpoint: endpointReference(context, "dogs"),
    });
    return {
      memorySizeMb: f.memorySizeMb,
      timeoutSeconds: f.timeoutSeconds,
      reservedConcurrency: f.reservedConcurrency,
      provisionedConcurrency: f.provisionedConcurrency,
      logRetentionDays: f.logRetentionDays,
      // Unset in the stack: the endpoint's request limit decides (what the component does).
      maxImageBytes: undefined,
      fetchTimeoutMs: f.fetchTimeoutMs,
      endpointTimeoutMs: f.endpointTimeoutMs,
      topK: f.topK,
    };
  },
};

describe("stack config and components agree on every default", () => {
  it.each(Object.keys(componentValues))("%s", (section) => {
    const fromConfig = (config as unknown as Record<string, Record<string, unknown>>)[section];
    const expected = componentValues[section]();
    for (const [key, value] of Object.entries(expected))
      expect([section, key, fromConfig[key]]).toEqual([section, key, value]);
  });

  it("covers every key of every component section", () => {
    for (const [section, values] of Object.entries(componentValues)) {
      // Every key the section's schema knows, set or not.
      const keys = Object.keys(objectShape(platformConfigSchema.shape[section as "kms"])!);
      const checked = new Set([...Object.keys(values()), ...(STACK_ONLY[section] ?? [])]);
      for (const key of keys) expect([section, key, checked.has(key)]).toEqual([section, key, true]);
    }
  });

  it("picks the EC2 trainer's instance type per mode as the stack documents it", () => {
    const base = {
      context,
      storage,
      sourceBundle: bundle,
      kmsKeyArn: KEY,
      namePrefix: "team",
      vpcId: "vpc-1",
      subnetId: "subnet-1",
    };
    expect(resolveEc2TrainerArgs("e", { ...base, mode: "gpu" }).instanceType).toBe(
      DEFAULTS.ec2TrainerInstanceTypes.gpu,
    );
    expect(resolveEc2TrainerArgs("e", { ...base, mode: "cpu" }).instanceType).toBe(
      DEFAULTS.ec2TrainerInstanceTypes.cpu,
    );
  });

  it("the drift named in issue 11 is gone: endpoint mode and cooldowns", () => {
    expect(config.endpoint.mode).toBe("instance");
    expect(config.endpoint.autoscaling.scaleInCooldownSeconds).toBe(300);
    expect(config.endpoint.autoscaling.scaleOutCooldownSeconds).toBe(60);
  });
});
