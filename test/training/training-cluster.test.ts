import * as pulumi from "@pulumi/pulumi";
import { runUnderMocks } from "../support/mock-run";
import { buildSourceBundle } from "../../components/source-bundle";
import {
  fullFrameworkVersion,
  hasInstanceStorage,
  loadTrainingMetrics,
  parseTrainingMetrics,
  pytorchTrainingImageTag,
  TrainingCluster,
  tuningMaxRuntimeSeconds,
  validateTrainingArgs,
} from "../../components/training-cluster";
import { jsonInput, runStack, StackRun, UNKNOWN, unknownPaths } from "../harness";
import { valueOf } from "./outputs";

const BUCKET = (stack: string) => `ml-platform-${stack}-artifacts-123456789012-us-east-1`;
const KMS = (stack: string) => `arn:aws:kms:us-east-1:123456789012:alias/ml-platform-${stack}-data`;
const ROLE = (stack: string) => `arn:aws:iam::123456789012:role/ml-platform-${stack}-training`;
const BUNDLE_KEY = `code/${buildSourceBundle().sha256.slice(0, 16)}/sourcedir.tar.gz`;
const TRAINING_JOB = "aws:sagemaker/trainingJob:TrainingJob";
const TUNING_JOB = "aws:sagemaker/hyperParameterTuningJob:HyperParameterTuningJob";

const runs: Record<string, StackRun> = {};
beforeAll(async () => {
  runs.dev = await runStack("dev");
  runs.prod = await runStack("prod");
});

describe("training job (prod)", () => {
  const job = () => runs.prod.one(TRAINING_JOB).inputs as any;

  it("trains on 2 instances from config, one process per host with gloo on CPU", () => {
    expect(job().resourceConfig).toEqual({
      instanceType: "ml.m5.2xlarge",
      instanceCount: 2,
      volumeSizeInGb: 30,
      volumeKmsKeyId: UNKNOWN,
    });
    expect(job().hyperParameters).toEqual({
      sagemaker_program: '"train.py"',
      sagemaker_submit_directory: '"/opt/ml/input/data/code/sourcedir.tar.gz"',
      sagemaker_container_log_level: "20",
      sagemaker_region: '"us-east-1"',
      sagemaker_distributed_dataparallel_enabled: "false",
      arch: '"resnet50"',
      lr: "0.001",
      "batch-size": "64",
      epochs: "10",
      pretrained: "true",
      backend: '"gloo"',
      "weights-file": '"/opt/ml/input/data/weights/resnet50-11ad3fa6.pth"',
    });
  });

  it("runs the PyTorch training image for the configured versions on CPU", () => {
    expect(job().algorithmSpecification.trainingImage).toBe(
      "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.1.0-cpu-py310",
    );
    expect(job().algorithmSpecification.metricDefinitions).toEqual(
      loadTrainingMetrics().definitions.map((d) => ({ name: d.name, regex: d.regex })),
    );
  });

  it("feeds the dataset, the code bundle and the pretrained weights as channels", () => {
    expect(job().inputDataConfigs.map((c: any) => [c.channelName, c.dataSource.s3DataSource.s3Uri])).toEqual([
      ["training", `s3://${BUCKET("prod")}/datasets/dog-images/`],
      ["code", `s3://${BUCKET("prod")}/${BUNDLE_KEY}`],
      ["weights", `s3://${BUCKET("prod")}/weights/resnet50-11ad3fa6.pth`],
    ]);
  });

  it("isolates the container, encrypts traffic between instances and the output with the key", () => {
    expect(job().enableNetworkIsolation).toBe(true);
    expect(job().enableInterContainerTrafficEncryption).toBe(true);
    expect(job().outputDataConfig).toEqual({
      s3OutputPath: `s3://${BUCKET("prod")}/models/`,
      kmsKeyId: KMS("prod"),
      compressionType: "GZIP",
    });
    expect(job().roleArn).toBe(ROLE("prod"));
    expect(job().vpcConfig.securityGroupIds).toHaveLength(1);
  });

  it("uses managed spot with checkpoints under its own name and waits for the job to finish", () => {
    expect(job().enableManagedSpotTraining).toBe(true);
    expect(job().stoppingCondition).toEqual({
      maxRuntimeInSeconds: 6 * 3600,
      maxWaitTimeInSeconds: 12 * 3600,
    });
    expect(job().checkpointConfig).toEqual({
      s3Uri: `s3://${BUCKET("prod")}/checkpoints/${job().trainingJobName}/`,
      localPath: "/opt/ml/checkpoints",
    });
    // `pulumi up` waits 50 minutes (training.waitMinutes), below the one-hour default of AWS role
    // and IAM Identity Center sessions, not the job's 12-hour spot wait: a longer job goes on.
    expect(job().timeouts).toEqual({ create: "50m", delete: "45m" });
  });

  it("names the job <prefix>-train-<hash> within 63 characters", () => {
    expect(job().trainingJobName).toMatch(/^ml-platform-prod-train-[0-9a-f]{12}$/);
  });

  it("exposes the job name and its model artifact URL as stack outputs, known at preview", async () => {
    const name = await valueOf(runs.prod.outputs!.trainingJobName as pulumi.Output<string>);
    expect(name).toBe(job().trainingJobName);
    expect(await valueOf(runs.prod.outputs!.modelDataUrl as pulumi.Output<string>)).toBe(
      `s3://${BUCKET("prod")}/models/${name}/output/model.tar.gz`,
    );
  });

  it("uses model.url instead when the model does not come from a training job", async () => {
    const url = `s3://${BUCKET("prod")}/models/imported/model.tar.gz`;
    const run = await runStack("prod", { "ml-platform:model": { source: "url", url } });
    expect(await valueOf(run.outputs!.modelDataUrl as pulumi.Input<string>)).toBe(url);
  });
});

describe("training job (dev)", () => {
  it("runs one instance on demand without checkpoints", () => {
    const job = runs.dev.one(TRAINING_JOB).inputs as any;
    expect(job.resourceConfig.instanceCount).toBe(1);
    expect(job.enableManagedSpotTraining).toBe(false);
    expect(job.checkpointConfig).toBeUndefined();
    expect(job.stoppingCondition).toEqual({ maxRuntimeInSeconds: 2 * 3600 });
    expect(job.timeouts.create).toBe("50m");
  });

  it("declares no tuning job when tuning is off", () => {
    expect(runs.dev.ofType(TUNING_JOB)).toHaveLength(0);
  });
});

describe("job names follow their inputs", () => {
  it("changes the job name when a hyperparameter changes and keeps it otherwise", async () => {
    const again = await runStack("prod");
    const lr = await runStack("prod", { "ml-platform:training": { hyperparameters: { lr: 0.002 } } });
    const name = (r: StackRun) => r.one(TRAINING_JOB).inputs.trainingJobName;
    expect(name(again)).toBe(name(runs.prod));
    expect(name(lr)).not.toBe(name(runs.prod));
    expect(name(lr)).toMatch(/^ml-platform-prod-train-[0-9a-f]{12}$/);
    // The tuner searches lr itself, so the tuning job's inputs, and name, stay the same.
    expect(lr.one(TUNING_JOB).inputs.name).toBe(runs.prod.one(TUNING_JOB).inputs.name);
  });

  it("renames the tuning job when its search space changes", async () => {
    const wider = await runStack("prod", { "ml-platform:tuning": { maxJobs: 12 } });
    expect(wider.one(TUNING_JOB).inputs.name).not.toBe(runs.prod.one(TUNING_JOB).inputs.name);
  });
});

describe("tuning job (prod)", () => {
  const tuning = () => runs.prod.one(TUNING_JOB).inputs as any;

  it("searches lr (log scale), batch size and epochs from config with early stopping", () => {
    expect(tuning().config).toEqual({
      strategy: "Bayesian",
      objective: { metricName: "valid:accuracy", type: "Maximize" },
      trainingJobEarlyStoppingType: "Auto",
      resourceLimits: {
        maxNumberOfTrainingJobs: 8,
        maxParallelTrainingJobs: 2,
        maxRuntimeInSeconds: 4 * 2 * 3600,
      },
      parameterRanges: {
        continuousParameterRanges: [
          { name: "lr", minValue: "0.0001", maxValue: "0.1", scalingType: "Logarithmic" },
        ],
        categoricalParameterRanges: [{ name: "batch-size", values: ["32", "64", "128"] }],
        integerParameterRanges: [{ name: "epochs", minValue: "2", maxValue: "10", scalingType: "Auto" }],
      },
    });
  });

  it("reads its objective from training/metrics.json", () => {
    const metrics = loadTrainingMetrics();
    expect(tuning().config.objective).toEqual(metrics.objective);
    expect(tuning().trainingJobDefinition.algorithmSpecification.metricDefinitions).toHaveLength(
      metrics.definitions.length,
    );
  });

  it("fixes the other hyperparameters and runs trials like the training job, one instance each", () => {
    const def = tuning().trainingJobDefinition;
    expect(def.staticHyperParameters).not.toHaveProperty("lr");
    expect(def.staticHyperParameters).not.toHaveProperty("batch-size");
    expect(def.staticHyperParameters).not.toHaveProperty("epochs");
    expect(def.staticHyperParameters.arch).toBe('"resnet50"');
    expect(def.resourceConfig).toEqual({
      instanceType: "ml.m5.xlarge",
      instanceCount: 1,
      volumeSizeInGb: 30,
      volumeKmsKeyId: UNKNOWN,
    });
    expect(def.roleArn).toBe(ROLE("prod"));
    expect(def.enableNetworkIsolation).toBe(true);
    expect(def.outputDataConfig.kmsKeyId).toBe(KMS("prod"));
    expect(tuning().name).toMatch(/^ml-platform-prod-hpo-[0-9a-f]{8}$/);
    expect(tuning().name.length).toBeLessThanOrEqual(32);
  });
});

describe("training role", () => {
  it("is the role the notebook passes, trusted by SageMaker for this account only", () => {
    for (const stack of ["dev", "prod"]) {
      const role = runs[stack].one("aws:iam/role:Role", "training-role");
      expect(role.inputs.name).toBe(`ml-platform-${stack}-training`);
      expect(jsonInput(role, "assumeRolePolicy").Statement).toEqual([
        {
          Sid: "TrustService",
          Effect: "Allow",
          Principal: { Service: "sagemaker.amazonaws.com" },
          Action: "sts:AssumeRole",
          Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
        },
      ]);
      const notebook = jsonInput(
        runs[stack].one("aws:iam/rolePolicy:RolePolicy", "notebook-policy"),
        "policy",
      );
      expect(notebook.Statement.find((s: any) => s.Sid === "PassTrainingRoleOnly").Resource).toEqual([
        ROLE(stack),
      ]);
    }
  });

  it("names exact bucket prefixes, the image repository and its own logs", () => {
    const policy = jsonInput(runs.prod.one("aws:iam/rolePolicy:RolePolicy", "training-policy"), "policy");
    const bucket = `arn:aws:s3:::${BUCKET("prod")}`;
    const bySid = Object.fromEntries(policy.Statement.map((s: any) => [s.Sid, s]));
    expect(Object.keys(bySid)).toEqual([
      "DatasetList",
      "DatasetRead",
      "CodeList",
      "CodeRead",
      "PretrainedWeightsList",
      "PretrainedWeightsRead",
      "ModelsList",
      "ModelsWrite",
      "CheckpointsList",
      "CheckpointsReadWrite",
      "UseDataKey",
      "EcrToken",
      "PullTrainingImage",
      "JobLogsGroups",
      "JobLogsStreams",
      "JobMetrics",
      "VpcDescribe",
      "VpcNetworkInterfaces",
    ]);
    expect(bySid.DatasetRead.Resource).toEqual([`${bucket}/datasets/dog-images/*`]);
    expect(bySid.DatasetRead.Action).toEqual(["s3:GetObject", "s3:GetObjectVersion"]);
    expect(bySid.DatasetList.Condition).toEqual({
      StringLike: { "s3:prefix": ["datasets/dog-images/*", "datasets/dog-images"] },
    });
    expect(bySid.CodeRead.Resource).toEqual([`${bucket}/code/*`]);
    expect(bySid.PretrainedWeightsRead.Resource).toEqual([`${bucket}/weights/resnet50-11ad3fa6.pth`]);
    expect(bySid.ModelsWrite.Resource).toEqual([`${bucket}/models/ml-platform-prod-*`]);
    expect(bySid.ModelsWrite.Action).toEqual([
      "s3:PutObject",
      "s3:AbortMultipartUpload",
      "s3:ListMultipartUploadParts",
    ]);
    expect(bySid.CheckpointsReadWrite.Resource).toEqual([`${bucket}/checkpoints/ml-platform-prod-*`]);
    expect(bySid.PullTrainingImage.Resource).toEqual([
      "arn:aws:ecr:us-east-1:763104351884:repository/pytorch-training",
    ]);
    expect(bySid.EcrToken).toMatchObject({ Action: ["ecr:GetAuthorizationToken"], Resource: ["*"] });
    expect(bySid.JobLogsStreams.Resource).toEqual([
      "arn:aws:logs:us-east-1:123456789012:log-group:/aws/sagemaker/TrainingJobs:log-stream:ml-platform-prod-*",
    ]);
    expect(bySid.JobMetrics.Condition).toEqual({
      StringEquals: { "cloudwatch:namespace": "/aws/sagemaker/TrainingJobs" },
    });
    expect(bySid.UseDataKey.Condition).toEqual({
      "ForAnyValue:StringEquals": { "kms:ResourceAliases": "alias/ml-platform-prod-data" },
    });
    expect(bySid.VpcNetworkInterfaces.Resource).toEqual([
      "arn:aws:ec2:us-east-1:123456789012:network-interface/*",
      "arn:aws:ec2:us-east-1:123456789012:subnet/*",
      "arn:aws:ec2:us-east-1:123456789012:security-group/*",
    ]);
    // Nothing else in the bucket: no bucket-wide object ARN, no delete outside checkpoints.
    const resources = policy.Statement.flatMap((s: any) => s.Resource);
    expect(resources).not.toContain(`${bucket}/*`);
    expect(
      policy.Statement.filter((s: any) => s.Action.some((a: string) => a.startsWith("sagemaker:"))),
    ).toEqual([]);
  });
});

describe("preview-known inputs of the training resources", () => {
  it.each(["dev", "prod"])("has no unknown IAM, role or encryption input (%s)", (stack) => {
    const fields: Record<string, string[]> = {
      "aws:iam/role:Role": ["assumeRolePolicy", "name"],
      "aws:iam/rolePolicy:RolePolicy": ["policy", "role"],
      [TRAINING_JOB]: [
        "trainingJobName",
        "roleArn",
        "outputDataConfig",
        "enableNetworkIsolation",
        "enableInterContainerTrafficEncryption",
        "algorithmSpecification",
        "hyperParameters",
        "inputDataConfigs",
      ],
      [TUNING_JOB]: ["name", "config"],
      "aws:s3/bucketObjectv2:BucketObjectv2": ["bucket", "key", "serverSideEncryption"],
    };
    const checked = runs[stack].resources.filter((r) => fields[r.type]);
    expect(checked.length).toBeGreaterThan(3);
    for (const r of checked)
      for (const field of fields[r.type])
        expect([r.name, field, unknownPaths(r.inputs[field])]).toEqual([r.name, field, []]);
    for (const r of runs[stack].ofType(TUNING_JOB)) {
      const def = r.inputs.trainingJobDefinition as Record<string, unknown>;
      // Only the VPC ids and the volume key (the key's ARN) of the trial definition are unknown at preview.
      expect(unknownPaths({ ...def, vpcConfig: undefined })).toEqual(["resourceConfig.volumeKmsKeyId"]);
    }
    // The key ARN is passed where AWS takes no alias (docs/kms.md): unknown at preview, which the
    // guardrails count as a customer-managed key.
    for (const r of runs[stack].ofType(TRAINING_JOB))
      expect(unknownPaths(r.inputs.resourceConfig)).toEqual(["volumeKmsKeyId"]);
  });

  it("uploads the bundle SSE-KMS at its content-addressed key", () => {
    const object = runs.prod.one("aws:s3/bucketObjectv2:BucketObjectv2").inputs;
    expect(object).toMatchObject({
      bucket: BUCKET("prod"),
      key: BUNDLE_KEY,
      serverSideEncryption: "aws:kms",
      // The key's ARN: S3 reports an object's key by its ARN, so an alias would diff on every up.
      kmsKeyId: UNKNOWN,
    });
    expect(Buffer.from(object.contentBase64 as string, "base64").equals(buildSourceBundle().archive)).toBe(
      true,
    );
  });
});

describe("images, instance types and metrics", () => {
  it("picks the PyTorch training image tag by version and processor", () => {
    expect(pytorchTrainingImageTag("2.1", "py310", "ml.m5.xlarge")).toBe("2.1.0-cpu-py310");
    expect(pytorchTrainingImageTag("2.1", "py310", "ml.g4dn.xlarge")).toBe("2.1.0-gpu-py310");
    expect(pytorchTrainingImageTag("2.5", "py311", "ml.p3.2xlarge")).toBe("2.5.1-gpu-py311");
    expect(fullFrameworkVersion("2.3.1")).toBe("2.3.1");
    expect(() => pytorchTrainingImageTag("2.1", "py310", "ml.trn1.2xlarge")).toThrow(/Neuron/);
    expect(() => fullFrameworkVersion("latest")).toThrow(/frameworkVersion must look like 2.1/);
  });

  it("leaves the volume key off instance types with local NVMe storage", () => {
    expect(hasInstanceStorage("ml.m5.xlarge")).toBe(false);
    expect(hasInstanceStorage("ml.m5d.xlarge")).toBe(true);
    expect(hasInstanceStorage("ml.g4dn.xlarge")).toBe(true);
    expect(hasInstanceStorage("ml.g5.2xlarge")).toBe(true);
    expect(hasInstanceStorage("ml.p3.2xlarge")).toBe(false);
  });

  it("limits the whole tuning job to its waves of trials", () => {
    expect(
      tuningMaxRuntimeSeconds({
        instanceType: "ml.m5.xlarge",
        maxJobs: 5,
        maxParallelJobs: 2,
        earlyStopping: "Auto",
        maxRuntimeHours: 1,
        ranges: { lr: { min: 0.001, max: 0.1 }, batchSize: [32], epochs: { min: 1, max: 2 } },
      }),
    ).toBe(3 * 3600);
  });

  it("rejects metric files whose objective is not one of the definitions", () => {
    expect(() =>
      parseTrainingMetrics({
        MetricDefinitions: [{ Name: "valid:loss", Regex: "valid_loss=([0-9.]+)" }],
        Objective: { MetricName: "valid:accuracy", Type: "Maximize" },
      }),
    ).toThrow(/Objective.MetricName must name one of the metric definitions \(valid:loss\)/);
    expect(() => parseTrainingMetrics({ MetricDefinitions: [{ Name: "a", Regex: "(" }] })).toThrow(
      /not a valid regular expression/,
    );
  });
});

describe("component-level validation", () => {
  const base = {
    context: { partition: "aws", region: "us-east-1", accountId: "123456789012", dnsSuffix: "amazonaws.com" },
    storage: {
      bucketName: "b",
      datasetPrefix: "d",
      prefixes: { code: "code", models: "models", checkpoints: "checkpoints" },
    },
    sourceBundle: { bucketName: "b", key: "code/x/sourcedir.tar.gz", sha256: "00" },
    kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    jobNamePrefix: "team-x",
  };

  it("rejects fewer than one instance, with the component and value in the message", () => {
    expect(() => validateTrainingArgs("train", { ...base, instanceCount: 0 })).toThrow(
      "TrainingCluster train: args.instanceCount must be a whole number >= 1 (got 0)",
    );
    expect(() => validateTrainingArgs("train", { ...base, instanceCount: 1.5 })).toThrow(
      "TrainingCluster train: args.instanceCount must be a whole number >= 1 (got 1.5)",
    );
  });

  it("rejects spot settings, tuning limits and launchers that cannot work", () => {
    expect(() => validateTrainingArgs("t", { ...base, maxWaitHours: 3 })).toThrow(
      "TrainingCluster t: args.maxWaitHours is only used with managed spot training; set args.spot to true or remove it (got 3)",
    );
    expect(() =>
      validateTrainingArgs("t", { ...base, spot: true, maxRuntimeHours: 4, maxWaitHours: 2 }),
    ).toThrow("TrainingCluster t: args.maxWaitHours must be >= args.maxRuntimeHours (got 2 < 4)");
    expect(() => validateTrainingArgs("t", { ...base, tuning: { maxJobs: 2, maxParallelJobs: 3 } })).toThrow(
      "TrainingCluster t: args.tuning.maxParallelJobs must be <= args.tuning.maxJobs (got 3 > 2)",
    );
    expect(() => validateTrainingArgs("t", { ...base, distribution: "torchrun" })).toThrow(
      'TrainingCluster t: args.distribution "torchrun" launches one process per GPU; args.instanceType ml.m5.xlarge has none (use "hosts")',
    );
    expect(() =>
      validateTrainingArgs("t", { ...base, jobNamePrefix: "a-very-long-team-prefix-x", tuning: {} }),
    ).toThrow(
      "TrainingCluster t: args.jobNamePrefix must be at most 19 characters when tuning is on (tuning job names are limited to 32) (got 25 characters)",
    );
  });

  it("throws when constructed with bad args in another program", async () => {
    await expect(
      runUnderMocks(() => new TrainingCluster("train", { ...base, instanceCount: 0 }), {
        project: "other",
        stack: "test",
        config: { "aws:region": "us-east-1" },
      }),
    ).rejects.toThrow("TrainingCluster train: args.instanceCount must be a whole number >= 1 (got 0)");
  });
});
