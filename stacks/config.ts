/**
 * Typed stack configuration for the `ml-platform` namespace.
 *
 * Every value a user chooses lives under one of the keys below; `validateConfig` checks the
 * whole namespace before any resource is declared and reports every problem at once, each
 * naming its key, what is allowed and the value it got. Defaults live in `DEFAULTS` (one
 * visible place); docs/config.md is generated from this file by `npm run docs:config`.
 */
import { z } from "zod";
import { MAX_REQUEST_BYTES } from "../components/inference-endpoint/limits";
import { isIpv4Cidr, NARROWEST_ADMIN_PREFIX } from "../components/shared/cidr";
import { LOG_RETENTION_DAYS } from "../components/shared/logs";

export const NAMESPACE = "ml-platform";

/** Defaults for every optional setting. Stacks override them in Pulumi.<stack>.yaml. */
export const DEFAULTS = {
  tags: {} as Record<string, string>,
  kms: { mode: "create", deletionWindowDays: 30 },
  network: {
    mode: "create",
    cidr: "10.40.0.0/16",
    availabilityZoneCount: 2,
    interfaceEndpoints: true,
    interfaceEndpointAzCount: 2,
  },
  artifactStore: {
    datasetPrefix: "datasets/dog-images",
    noncurrentVersionExpirationDays: 30,
    forceDestroy: false,
  },
  notebook: {
    enabled: true,
    instanceType: "ml.t3.medium",
    volumeSizeGb: 5,
    idleStopMinutes: 60,
    directInternetAccess: false,
    rootAccess: false,
    platformIdentifier: "notebook-al2-v3",
  },
  hyperparameters: { arch: "resnet50", lr: 0.001, batchSize: 32, epochs: 5, pretrained: true },
  training: {
    enabled: true,
    instanceType: "ml.m5.xlarge",
    instanceCount: 1,
    volumeSizeGb: 30,
    maxRuntimeHours: 4,
    spot: false,
    frameworkVersion: "2.1",
    pythonVersion: "py310",
  },
  tuning: {
    enabled: false,
    instanceType: "ml.m5.xlarge",
    maxJobs: 4,
    maxParallelJobs: 2,
    earlyStopping: "Auto",
    maxRuntimeHours: 2,
    ranges: {
      lr: { min: 0.0001, max: 0.1 },
      batchSize: [32, 64, 128],
      epochs: { min: 2, max: 5 },
    },
  },
  ec2Trainer: {
    enabled: false,
    mode: "cpu",
    volumeSizeGb: 100,
    maxRuntimeHours: 4,
  },
  /** Instance type of the EC2 trainer when `ec2Trainer.instanceType` is not set. */
  ec2TrainerInstanceTypes: { gpu: "g4dn.xlarge", cpu: "m5.xlarge" },
  model: { source: "training-job" },
  endpoint: {
    enabled: true,
    mode: "serverless",
    variantName: "AllTraffic",
    instanceType: "ml.m5.large",
    initialInstanceCount: 1,
    serverless: { memorySizeMb: 2048, maxConcurrency: 5 },
    autoscaling: {
      enabled: false,
      minCapacity: 1,
      maxCapacity: 3,
      safetyFactor: 0.5,
      scaleInCooldownSeconds: 30,
      scaleOutCooldownSeconds: 30,
    },
    dataCapture: { enabled: false, samplingPercentage: 20 },
  },
  inferenceFunction: {
    enabled: true,
    memorySizeMb: 256,
    timeoutSeconds: 30,
    reservedConcurrency: 5,
    provisionedConcurrency: 0,
    functionUrl: false,
    logRetentionDays: 30,
    fetchTimeoutMs: 5000,
    endpointTimeoutMs: 10_000,
    topK: 5,
  },
} as const;

/** CloudWatch Logs accepts only these retention periods (days). */
export { LOG_RETENTION_DAYS };

// ---- small schema builders that carry their own "what is allowed" message ----

const int = (min: number, max: number) =>
  z
    .number({ error: `must be a whole number between ${min} and ${max}` })
    .int({ error: `must be a whole number between ${min} and ${max}` })
    .min(min, { error: `must be a whole number between ${min} and ${max}` })
    .max(max, { error: `must be a whole number between ${min} and ${max}` });

const num = (min: number, max: number, exclusiveMin = false) => {
  const allowed = `must be a number ${exclusiveMin ? ">" : ">="} ${min} and <= ${max}`;
  const base = z.number({ error: allowed });
  return (exclusiveMin ? base.gt(min, { error: allowed }) : base.min(min, { error: allowed })).max(max, {
    error: allowed,
  });
};

const bool = () => z.boolean({ error: "must be true or false" });

const text = (what = "a non-empty string") =>
  z.string({ error: `must be ${what}` }).min(1, { error: `must be ${what}` });

const oneOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `must be one of ${values.map((v) => JSON.stringify(v)).join(", ")}` });

const SAGEMAKER_INSTANCE = /^ml\.[a-z0-9-]+\.[a-z0-9]+$/;
const sagemakerInstanceType = () =>
  z
    .string({ error: "must be a SageMaker instance type such as ml.m5.large" })
    .regex(SAGEMAKER_INSTANCE, { error: "must be a SageMaker instance type such as ml.m5.large" });

const EC2_INSTANCE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;
const ec2InstanceType = () =>
  z
    .string({ error: "must be an EC2 instance type such as m5.xlarge" })
    .regex(EC2_INSTANCE, { error: "must be an EC2 instance type such as m5.xlarge" });

export { isIpv4Cidr };

const cidr = (what = "an IPv4 CIDR such as 10.40.0.0/16") =>
  z.string({ error: `must be ${what}` }).refine(isIpv4Cidr, { error: `must be ${what}` });

const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key\/[0-9a-f-]{36}|alias\/[A-Za-z0-9/_-]+)$/;
const S3_URL = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/.+\.tar\.gz$/;
const S3_PREFIX = /^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*$/;

// ---- sections ----

const tagsSchema = z.record(
  z.string().regex(/^[\w.:/=+@ -]{1,128}$/, { error: "tag keys must be 1-128 characters" }),
  z.string({ error: "tag values must be strings" }).max(256, { error: "must be at most 256 characters" }),
  { error: "must be a map of tag names to string values" },
);

const kmsSchema = z
  .strictObject({
    mode: oneOf(["create", "existing"]).default(DEFAULTS.kms.mode),
    keyArn: z
      .string({ error: "must be a KMS key or alias ARN" })
      .regex(KMS_KEY_ARN, { error: "must be a KMS key ARN (…:key/<id>) or alias ARN (…:alias/<name>)" })
      .optional(),
    deletionWindowDays: int(7, 30).default(DEFAULTS.kms.deletionWindowDays),
  })
  .superRefine((kms, ctx) => {
    if (kms.mode === "existing" && !kms.keyArn)
      ctx.addIssue({ code: "custom", path: ["keyArn"], message: 'is required when kms.mode is "existing"' });
    if (kms.mode === "create" && kms.keyArn)
      ctx.addIssue({
        code: "custom",
        path: ["keyArn"],
        message: 'must not be set when kms.mode is "create" (set kms.mode to "existing" to use your key)',
      });
  });

const networkSchema = z
  .strictObject({
    mode: oneOf(["create", "existing"]).default(DEFAULTS.network.mode),
    cidr: cidr()
      .refine((c) => {
        const prefix = Number(c.split("/")[1]);
        return prefix >= 16 && prefix <= 24;
      }, "must be a /16 to /24 range")
      .default(DEFAULTS.network.cidr),
    availabilityZoneCount: int(2, 3).default(DEFAULTS.network.availabilityZoneCount),
    vpcId: z
      .string({ error: "must be a VPC id such as vpc-0abc1234" })
      .regex(/^vpc-[0-9a-f]{8,17}$/, { error: "must be a VPC id such as vpc-0abc1234" })
      .optional(),
    subnetIds: z
      .array(
        z
          .string({ error: "must be a subnet id such as subnet-0abc1234" })
          .regex(/^subnet-[0-9a-f]{8,17}$/, { error: "must be a subnet id such as subnet-0abc1234" }),
        { error: "must be a list of subnet ids" },
      )
      .optional(),
    /** The CIDR of an existing VPC: security groups of the VPC endpoints open only to it. */
    vpcCidr: cidr().optional(),
    interfaceEndpoints: bool().default(DEFAULTS.network.interfaceEndpoints),
    interfaceEndpointAzCount: int(1, 3).default(DEFAULTS.network.interfaceEndpointAzCount),
  })
  .superRefine((n, ctx) => {
    if (n.mode === "existing") {
      if (!n.vpcId)
        ctx.addIssue({
          code: "custom",
          path: ["vpcId"],
          message: 'is required when network.mode is "existing"',
        });
      if (!n.subnetIds || n.subnetIds.length < 1)
        ctx.addIssue({
          code: "custom",
          path: ["subnetIds"],
          message: 'must list at least one private subnet id when network.mode is "existing"',
        });
      if (!n.vpcCidr)
        ctx.addIssue({
          code: "custom",
          path: ["vpcCidr"],
          message:
            'is required when network.mode is "existing" (the VPC endpoints accept traffic only from it)',
        });
    } else {
      for (const key of ["vpcId", "subnetIds", "vpcCidr"] as const)
        if (n[key] !== undefined)
          ctx.addIssue({
            code: "custom",
            path: [key],
            message: 'is only used when network.mode is "existing"; remove it or set network.mode',
          });
      if (n.interfaceEndpointAzCount > n.availabilityZoneCount)
        ctx.addIssue({
          code: "custom",
          path: ["interfaceEndpointAzCount"],
          message: `must be <= network.availabilityZoneCount (got ${n.interfaceEndpointAzCount} > ${n.availabilityZoneCount})`,
        });
    }
  });

const artifactStoreSchema = z.strictObject({
  datasetPrefix: z
    .string({ error: "must be an S3 key prefix such as datasets/dog-images" })
    .regex(S3_PREFIX, {
      error: "must be an S3 key prefix such as datasets/dog-images (no leading or trailing slash)",
    })
    .default(DEFAULTS.artifactStore.datasetPrefix),
  noncurrentVersionExpirationDays: int(1, 3650).default(
    DEFAULTS.artifactStore.noncurrentVersionExpirationDays,
  ),
  forceDestroy: bool().default(DEFAULTS.artifactStore.forceDestroy),
});

const notebookSchema = z.strictObject({
  enabled: bool().default(DEFAULTS.notebook.enabled),
  instanceType: sagemakerInstanceType().default(DEFAULTS.notebook.instanceType),
  volumeSizeGb: int(5, 16384).default(DEFAULTS.notebook.volumeSizeGb),
  idleStopMinutes: int(5, 1440).default(DEFAULTS.notebook.idleStopMinutes),
  directInternetAccess: bool().default(DEFAULTS.notebook.directInternetAccess),
  rootAccess: bool().default(DEFAULTS.notebook.rootAccess),
  platformIdentifier: text().default(DEFAULTS.notebook.platformIdentifier),
});

const hyperparametersSchema = z.strictObject({
  arch: oneOf(["resnet18", "resnet34", "resnet50", "resnet101"]).default(DEFAULTS.hyperparameters.arch),
  lr: num(0, 1, true).default(DEFAULTS.hyperparameters.lr),
  batchSize: int(1, 4096).default(DEFAULTS.hyperparameters.batchSize),
  epochs: int(1, 1000).default(DEFAULTS.hyperparameters.epochs),
  /** Start from ImageNet weights (transfer learning). Jobs have no internet: see training.pretrainedWeightsKey. */
  pretrained: bool().default(DEFAULTS.hyperparameters.pretrained),
});

const trainingSchema = z
  .strictObject({
    enabled: bool().default(DEFAULTS.training.enabled),
    instanceType: sagemakerInstanceType().default(DEFAULTS.training.instanceType),
    instanceCount: int(1, 64).default(DEFAULTS.training.instanceCount),
    volumeSizeGb: int(1, 16384).default(DEFAULTS.training.volumeSizeGb),
    maxRuntimeHours: num(0, 28 * 24, true).default(DEFAULTS.training.maxRuntimeHours),
    spot: bool().default(DEFAULTS.training.spot),
    maxWaitHours: num(0, 28 * 24, true).optional(),
    hyperparameters: hyperparametersSchema.prefault({}),
    frameworkVersion: text().default(DEFAULTS.training.frameworkVersion),
    pythonVersion: text().default(DEFAULTS.training.pythonVersion),
    /**
     * Key in the artifact store of the backbone's ImageNet state dict (torchvision's file, e.g.
     * weights/resnet50-11ad3fa6.pth). Training jobs and the EC2 trainer have no internet access,
     * so they load pretrained weights from here instead of downloading them.
     */
    pretrainedWeightsKey: z
      .string({ error: "must be an S3 object key such as weights/resnet50-11ad3fa6.pth" })
      .regex(S3_PREFIX, {
        error:
          "must be an S3 object key such as weights/resnet50-11ad3fa6.pth (no leading or trailing slash)",
      })
      .optional(),
  })
  .superRefine((t, ctx) => {
    if (t.maxWaitHours !== undefined && !t.spot)
      ctx.addIssue({
        code: "custom",
        path: ["maxWaitHours"],
        message: "is only used with managed spot training; set training.spot to true or remove it",
      });
    if (t.spot && t.maxWaitHours !== undefined && t.maxWaitHours < t.maxRuntimeHours)
      ctx.addIssue({
        code: "custom",
        path: ["maxWaitHours"],
        message: `must be >= training.maxRuntimeHours (got ${t.maxWaitHours} < ${t.maxRuntimeHours})`,
      });
  });

const range = (min: number, max: number, integer: boolean) =>
  z
    .strictObject({
      min: integer ? int(min, max) : num(min, max, true),
      max: integer ? int(min, max) : num(min, max, true),
    })
    .superRefine((r, ctx) => {
      if (r.min >= r.max)
        ctx.addIssue({ code: "custom", path: ["max"], message: `must be > min (got ${r.max} <= ${r.min})` });
    });

const tuningSchema = z
  .strictObject({
    enabled: bool().default(DEFAULTS.tuning.enabled),
    instanceType: sagemakerInstanceType().default(DEFAULTS.tuning.instanceType),
    maxJobs: int(1, 500).default(DEFAULTS.tuning.maxJobs),
    maxParallelJobs: int(1, 100).default(DEFAULTS.tuning.maxParallelJobs),
    earlyStopping: oneOf(["Auto", "Off"]).default(DEFAULTS.tuning.earlyStopping),
    maxRuntimeHours: num(0, 5 * 24, true).default(DEFAULTS.tuning.maxRuntimeHours),
    ranges: z
      .strictObject({
        lr: range(0, 1, false).default(DEFAULTS.tuning.ranges.lr),
        batchSize: z
          .array(int(1, 4096), { error: "must be a list of batch sizes such as [32, 64]" })
          .min(1, { error: "must list at least one batch size" })
          .default([...DEFAULTS.tuning.ranges.batchSize]),
        epochs: range(1, 1000, true).default(DEFAULTS.tuning.ranges.epochs),
      })
      .prefault({}),
  })
  .superRefine((t, ctx) => {
    if (t.maxParallelJobs > t.maxJobs)
      ctx.addIssue({
        code: "custom",
        path: ["maxParallelJobs"],
        message: `must be <= tuning.maxJobs (got ${t.maxParallelJobs} > ${t.maxJobs})`,
      });
  });

const ec2TrainerSchema = z
  .strictObject({
    enabled: bool().default(DEFAULTS.ec2Trainer.enabled),
    mode: oneOf(["gpu", "cpu"]).default(DEFAULTS.ec2Trainer.mode),
    instanceType: ec2InstanceType().optional(),
    volumeSizeGb: int(30, 16384).default(DEFAULTS.ec2Trainer.volumeSizeGb),
    maxRuntimeHours: num(0, 7 * 24, true).default(DEFAULTS.ec2Trainer.maxRuntimeHours),
    sshCidr: cidr("an IPv4 CIDR of your own address, such as 203.0.113.7/32").optional(),
  })
  .superRefine((e, ctx) => {
    if (e.sshCidr && Number(e.sshCidr.split("/")[1]) < NARROWEST_ADMIN_PREFIX)
      ctx.addIssue({
        code: "custom",
        path: ["sshCidr"],
        message: `must be a /16 or narrower range, ideally your own /32; SSH is never opened to the internet (got "${e.sshCidr}")`,
      });
  });

const modelSchema = z
  .strictObject({
    source: oneOf(["training-job", "url"]).default(DEFAULTS.model.source),
    url: z
      .string({ error: "must be an s3:// URL of a model.tar.gz" })
      .regex(S3_URL, {
        error: "must be an s3:// URL of a model.tar.gz, such as s3://bucket/models/model.tar.gz",
      })
      .optional(),
  })
  .superRefine((m, ctx) => {
    if (m.source === "url" && !m.url)
      ctx.addIssue({ code: "custom", path: ["url"], message: 'is required when model.source is "url"' });
    if (m.source === "training-job" && m.url)
      ctx.addIssue({
        code: "custom",
        path: ["url"],
        message: 'is only used when model.source is "url"; remove it or set model.source to "url"',
      });
  });

const autoscalingSchema = z
  .strictObject({
    enabled: bool().default(DEFAULTS.endpoint.autoscaling.enabled),
    minCapacity: int(1, 100).default(DEFAULTS.endpoint.autoscaling.minCapacity),
    maxCapacity: int(1, 100).default(DEFAULTS.endpoint.autoscaling.maxCapacity),
    /** Target SageMakerVariantInvocationsPerInstance (invocations per instance per minute). */
    targetInvocationsPerInstance: num(0, 1_000_000, true).optional(),
    /** Intent: requests per second one instance sustains at peak; target = rps * 60 * safetyFactor. */
    peakRequestsPerSecondPerInstance: num(0, 100_000, true).optional(),
    safetyFactor: num(0, 1, true).default(DEFAULTS.endpoint.autoscaling.safetyFactor),
    scaleInCooldownSeconds: int(0, 3600).default(DEFAULTS.endpoint.autoscaling.scaleInCooldownSeconds),
    scaleOutCooldownSeconds: int(0, 3600).default(DEFAULTS.endpoint.autoscaling.scaleOutCooldownSeconds),
  })
  .superRefine((a, ctx) => {
    if (a.maxCapacity < a.minCapacity)
      ctx.addIssue({
        code: "custom",
        path: ["maxCapacity"],
        message: `must be >= endpoint.autoscaling.minCapacity (got ${a.maxCapacity} < ${a.minCapacity})`,
      });
    if (a.enabled) {
      const given = [a.targetInvocationsPerInstance, a.peakRequestsPerSecondPerInstance].filter(
        (v) => v !== undefined,
      ).length;
      if (given !== 1)
        ctx.addIssue({
          code: "custom",
          path: ["targetInvocationsPerInstance"],
          message:
            given === 0
              ? "is required when autoscaling is enabled (or set peakRequestsPerSecondPerInstance to derive it)"
              : "conflicts with endpoint.autoscaling.peakRequestsPerSecondPerInstance; set exactly one of them",
        });
    }
  });

const endpointSchema = z
  .strictObject({
    enabled: bool().default(DEFAULTS.endpoint.enabled),
    mode: oneOf(["serverless", "instance"]).default(DEFAULTS.endpoint.mode),
    variantName: z
      .string({ error: "must be a variant name such as AllTraffic" })
      .regex(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/, { error: "must be a variant name such as AllTraffic" })
      .default(DEFAULTS.endpoint.variantName),
    instanceType: sagemakerInstanceType().default(DEFAULTS.endpoint.instanceType),
    initialInstanceCount: int(1, 100).default(DEFAULTS.endpoint.initialInstanceCount),
    serverless: z
      .strictObject({
        memorySizeMb: z
          .number({ error: "must be one of 1024, 2048, 3072, 4096, 5120, 6144" })
          .refine((v) => [1024, 2048, 3072, 4096, 5120, 6144].includes(v), {
            error: "must be one of 1024, 2048, 3072, 4096, 5120, 6144",
          })
          .default(DEFAULTS.endpoint.serverless.memorySizeMb),
        maxConcurrency: int(1, 200).default(DEFAULTS.endpoint.serverless.maxConcurrency),
      })
      .prefault({}),
    autoscaling: autoscalingSchema.prefault({}),
    dataCapture: z
      .strictObject({
        enabled: bool().default(DEFAULTS.endpoint.dataCapture.enabled),
        samplingPercentage: int(1, 100).default(DEFAULTS.endpoint.dataCapture.samplingPercentage),
      })
      .prefault({}),
  })
  .superRefine((e, ctx) => {
    if (e.mode !== "instance") {
      if (e.autoscaling.enabled)
        ctx.addIssue({
          code: "custom",
          path: ["autoscaling", "enabled"],
          message: 'requires endpoint.mode "instance" (serverless endpoints scale by maxConcurrency)',
        });
      if (e.dataCapture.enabled)
        ctx.addIssue({
          code: "custom",
          path: ["dataCapture", "enabled"],
          message:
            'requires endpoint.mode "instance" (SageMaker does not capture data from serverless endpoints)',
        });
      return;
    }
    const a = e.autoscaling;
    if (!a.enabled) return;
    if (e.initialInstanceCount < a.minCapacity)
      ctx.addIssue({
        code: "custom",
        path: ["initialInstanceCount"],
        message: `must be >= endpoint.autoscaling.minCapacity (got ${e.initialInstanceCount} < ${a.minCapacity})`,
      });
    if (e.initialInstanceCount > a.maxCapacity)
      ctx.addIssue({
        code: "custom",
        path: ["initialInstanceCount"],
        message: `must be <= endpoint.autoscaling.maxCapacity (got ${e.initialInstanceCount} > ${a.maxCapacity})`,
      });
    if (/^ml\.t\d/.test(e.instanceType))
      ctx.addIssue({
        code: "custom",
        path: ["instanceType"],
        message: `cannot be a burstable ml.t* type when autoscaling is enabled (got "${e.instanceType}"); use e.g. ml.m5.large or ml.c5.large`,
      });
  });

const inferenceFunctionSchema = z
  .strictObject({
    enabled: bool().default(DEFAULTS.inferenceFunction.enabled),
    memorySizeMb: int(128, 10240).default(DEFAULTS.inferenceFunction.memorySizeMb),
    timeoutSeconds: int(1, 900).default(DEFAULTS.inferenceFunction.timeoutSeconds),
    reservedConcurrency: int(1, 1000).default(DEFAULTS.inferenceFunction.reservedConcurrency),
    provisionedConcurrency: int(0, 1000).default(DEFAULTS.inferenceFunction.provisionedConcurrency),
    functionUrl: bool().default(DEFAULTS.inferenceFunction.functionUrl),
    logRetentionDays: z
      .number({ error: `must be one of ${LOG_RETENTION_DAYS.join(", ")}` })
      .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), {
        error: `must be one of ${LOG_RETENTION_DAYS.join(", ")}`,
      })
      .default(DEFAULTS.inferenceFunction.logRetentionDays),
    /** Largest image the function accepts; unset means the endpoint's request limit (4 MiB serverless, 6 MiB instance). */
    maxImageBytes: int(1024, MAX_REQUEST_BYTES.instance).optional(),
    fetchTimeoutMs: int(100, 60_000).default(DEFAULTS.inferenceFunction.fetchTimeoutMs),
    /** Budget of the InvokeEndpoint call, its one retry included (the handler's ENDPOINT_TIMEOUT_MS). */
    endpointTimeoutMs: int(100, 60_000).default(DEFAULTS.inferenceFunction.endpointTimeoutMs),
    /** The handler accepts 1-100 (TOP_K). */
    topK: int(1, 100).default(DEFAULTS.inferenceFunction.topK),
  })
  .superRefine((f, ctx) => {
    if (f.provisionedConcurrency > f.reservedConcurrency)
      ctx.addIssue({
        code: "custom",
        path: ["provisionedConcurrency"],
        message: `must be <= inferenceFunction.reservedConcurrency (got ${f.provisionedConcurrency} > ${f.reservedConcurrency})`,
      });
    if (f.fetchTimeoutMs >= f.timeoutSeconds * 1000)
      ctx.addIssue({
        code: "custom",
        path: ["fetchTimeoutMs"],
        message: `must be shorter than inferenceFunction.timeoutSeconds (got ${f.fetchTimeoutMs} ms >= ${f.timeoutSeconds} s)`,
      });
    else if (f.fetchTimeoutMs + f.endpointTimeoutMs >= f.timeoutSeconds * 1000)
      ctx.addIssue({
        code: "custom",
        path: ["endpointTimeoutMs"],
        message: `plus inferenceFunction.fetchTimeoutMs must be shorter than inferenceFunction.timeoutSeconds, so the handler answers 504 before Lambda stops it (got ${f.fetchTimeoutMs} + ${f.endpointTimeoutMs} ms >= ${f.timeoutSeconds} s)`,
      });
  });

/** The whole namespace. Unknown keys anywhere are errors. */
export const platformConfigSchema = z
  .strictObject({
    owner: text("the owning team, such as ml-team"),
    costCenter: text("a cost-center code, such as cc-1234"),
    tags: tagsSchema.default({}),
    kms: kmsSchema.prefault({}),
    network: networkSchema.prefault({}),
    artifactStore: artifactStoreSchema.prefault({}),
    notebook: notebookSchema.prefault({}),
    training: trainingSchema.prefault({}),
    tuning: tuningSchema.prefault({}),
    ec2Trainer: ec2TrainerSchema.prefault({}),
    model: modelSchema.prefault({}),
    endpoint: endpointSchema.prefault({}),
    inferenceFunction: inferenceFunctionSchema.prefault({}),
  })
  .superRefine((c, ctx) => {
    if (c.endpoint.enabled && c.model.source === "training-job" && !c.training.enabled)
      ctx.addIssue({
        code: "custom",
        path: ["model", "source"],
        message:
          'is "training-job" but training.enabled is false; enable training or set model.source to "url" with model.url',
      });
    const requestLimit = MAX_REQUEST_BYTES[c.endpoint.mode === "serverless" ? "serverless" : "instance"];
    if (c.inferenceFunction.maxImageBytes !== undefined && c.inferenceFunction.maxImageBytes > requestLimit)
      ctx.addIssue({
        code: "custom",
        path: ["inferenceFunction", "maxImageBytes"],
        message: `must be <= ${requestLimit}, the request limit of a ${c.endpoint.mode} endpoint (endpoint.mode) (got ${c.inferenceFunction.maxImageBytes})`,
      });
    if (c.inferenceFunction.enabled && !c.endpoint.enabled)
      ctx.addIssue({
        code: "custom",
        path: ["inferenceFunction", "enabled"],
        message:
          "requires endpoint.enabled (the function calls the endpoint); disable the function or enable the endpoint",
      });
    if (
      c.notebook.enabled &&
      c.notebook.directInternetAccess === false &&
      c.network.mode === "create" &&
      !c.network.interfaceEndpoints
    )
      ctx.addIssue({
        code: "custom",
        path: ["network", "interfaceEndpoints"],
        message:
          "must be true when the notebook has no direct internet access (it reaches SageMaker, STS and logs through them)",
      });
  });

export type PlatformConfig = z.output<typeof platformConfigSchema>;
export type EndpointConfig = PlatformConfig["endpoint"];
export type InferenceFunctionConfig = PlatformConfig["inferenceFunction"];
export type TrainingConfig = PlatformConfig["training"];
export type TuningConfig = PlatformConfig["tuning"];
export type Ec2TrainerConfig = PlatformConfig["ec2Trainer"];
export type NotebookConfig = PlatformConfig["notebook"];
export type NetworkConfig = PlatformConfig["network"];
export type KmsConfig = PlatformConfig["kms"];
export type Hyperparameters = PlatformConfig["training"]["hyperparameters"];

/** Every problem found in the stack config; `message` lists them one per line. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `invalid stack configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
        problems.map((p) => `  - ${p}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const key of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

function show(value: unknown): string {
  if (value === undefined) return "nothing";
  const json = JSON.stringify(value);
  return json.length > 80 ? `${json.slice(0, 77)}...` : json;
}

function keyOf(path: readonly PropertyKey[]): string {
  return `${NAMESPACE}:${path.map(String).join(".")}`;
}

/**
 * Parses the raw values of the namespace (key without the `ml-platform:` prefix -> value,
 * objects already decoded) into a typed config, or throws a ConfigError naming every problem.
 */
export function validateConfig(raw: Record<string, unknown>): PlatformConfig {
  const result = platformConfigSchema.safeParse(raw);
  if (result.success) return result.data;
  const problems: string[] = [];
  for (const issue of result.error.issues) {
    if (issue.code === "unrecognized_keys") {
      const allowed = allowedKeysAt(issue.path);
      for (const k of issue.keys)
        problems.push(
          `${keyOf([...issue.path, k])} is not a known setting${allowed ? ` (known: ${allowed.join(", ")})` : ""}`,
        );
      continue;
    }
    const got = valueAt(raw, issue.path);
    let message = issue.message;
    if (issue.code === "invalid_type" && got === undefined) message = "is required";
    else if (issue.code === "invalid_type" && issue.expected === "object")
      message = `must be a map of settings (known: ${(allowedKeysAt(issue.path) ?? []).join(", ")})`;
    // Cross-field messages already quote the values they compare.
    const suffix = message.includes("(got ") || got === undefined ? "" : ` (got ${show(got)})`;
    problems.push(`${keyOf(issue.path)} ${message}${suffix}`);
  }
  throw new ConfigError(problems);
}

/** The keys a strict object at `path` accepts, for "did you mean" help. */
function allowedKeysAt(path: readonly PropertyKey[]): string[] | undefined {
  let schema: z.ZodType = platformConfigSchema;
  for (const key of path) {
    const shape = objectShape(schema);
    if (!shape || typeof key !== "string" || !(key in shape)) return undefined;
    schema = shape[key];
  }
  const shape = objectShape(schema);
  return shape ? Object.keys(shape) : undefined;
}

/** The shape of an object schema, looking through defaults, optionals and refinements. */
export function objectShape(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  let cur: z.ZodType = schema;
  for (let i = 0; i < 10; i++) {
    if (cur instanceof z.ZodObject) return cur.shape as Record<string, z.ZodType>;
    const def = (cur as unknown as { _zod: { def: { innerType?: z.ZodType; in?: z.ZodType } } })._zod.def;
    const inner = def.innerType ?? def.in;
    if (!inner) return undefined;
    cur = inner;
  }
  return undefined;
}

/**
 * Reads the namespace out of Pulumi's flat config map (`"ml-platform:notebook"` -> JSON text)
 * and validates it. Keys of other namespaces (aws:region, pulumi:tags) are left alone.
 */
export function configFromPulumi(all: Record<string, string>): PlatformConfig {
  const raw: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [fullKey, text] of Object.entries(all)) {
    if (!fullKey.startsWith(`${NAMESPACE}:`)) continue;
    const key = fullKey.slice(NAMESPACE.length + 1);
    try {
      raw[key] = /^\s*[[{]/.test(text) ? JSON.parse(text) : text;
    } catch {
      problems.push(`${fullKey} is not valid JSON (got ${show(text)})`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return validateConfig(raw);
}
