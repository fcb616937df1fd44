/**
 * Pure builders for the inputs of SageMaker training and tuning jobs, from resolved values. The
 * component hashes what these return to name the jobs, so everything that shapes a job is here.
 */
import { TrainingMetrics } from "./metrics";
import { hasInstanceStorage, processorOf } from "./pytorch-image";

/** Where SageMaker puts channels inside the container: `/opt/ml/input/data/<channel>/`. */
export const CHANNEL_ROOT = "/opt/ml/input/data";
export const CHANNELS = { training: "training", code: "code", weights: "weights" } as const;
export const CHECKPOINT_LOCAL_PATH = "/opt/ml/checkpoints";
/** The tuned hyperparameters, named as train.py's flags. */
export const TUNED = { lr: "lr", batchSize: "batch-size", epochs: "epochs" } as const;

export interface Hyperparameters {
  arch: string;
  lr: number;
  batchSize: number;
  epochs: number;
  pretrained: boolean;
}

/**
 * `hosts`: the container runs train.py once per instance and the script forms the process group
 * from SM_HOSTS/SM_CURRENT_HOST (gloo on CPU, nccl on GPU), as the PyTorch estimator does with no
 * `distribution`. `torchrun`: the toolkit launches one process per GPU with torchrun, as
 * `distribution={"torch_distributed": {"enabled": True}}` does (multi-GPU instances).
 */
export type DistributionMode = "hosts" | "torchrun";

export interface JobSettings {
  region: string;
  bucketName: string;
  datasetPrefix: string;
  modelsPrefix: string;
  checkpointsPrefix: string;
  bundleKey: string;
  bundleSha256: string;
  imageUri: string;
  roleArn: string;
  kmsKeyArn: string;
  volumeKmsKeyArn: string;
  instanceType: string;
  instanceCount: number;
  volumeSizeGb: number;
  maxRuntimeHours: number;
  spot: boolean;
  maxWaitHours?: number;
  hyperparameters: Hyperparameters;
  pretrainedWeightsKey?: string;
  distribution: DistributionMode;
  metrics: TrainingMetrics;
}

const trim = (p: string) => p.replace(/^\/+|\/+$/g, "");
const hours = (h: number) => Math.round(h * 3600);
/** SageMaker's framework containers JSON-decode hyperparameters, as the Python SDK encodes them. */
const encode = (v: string | number | boolean) => JSON.stringify(v);
const basename = (key: string) => key.split("/").pop()!;

/** The flags train.py receives (`--lr 0.001 --batch-size 32 ...`), static part. */
export function scriptHyperparameters(s: JobSettings, without: string[] = []): Record<string, string> {
  const hp = s.hyperparameters;
  const out: Record<string, string> = {
    arch: encode(hp.arch),
    [TUNED.lr]: encode(hp.lr),
    [TUNED.batchSize]: encode(hp.batchSize),
    [TUNED.epochs]: encode(hp.epochs),
    pretrained: encode(hp.pretrained),
    backend: encode(processorOf(s.instanceType) === "gpu" ? "nccl" : "gloo"),
  };
  if (hp.pretrained && s.pretrainedWeightsKey)
    out["weights-file"] = encode(`${CHANNEL_ROOT}/${CHANNELS.weights}/${basename(s.pretrainedWeightsKey)}`);
  for (const key of without) delete out[key];
  return out;
}

/** The `sagemaker_*` hyperparameters the PyTorch container's toolkit reads (what the SDK's estimator sets). */
export function frameworkHyperparameters(s: JobSettings): Record<string, string> {
  const out: Record<string, string> = {
    sagemaker_program: encode("train.py"),
    // Network isolation: the bundle arrives as the "code" channel, not from S3 inside the container.
    sagemaker_submit_directory: encode(`${CHANNEL_ROOT}/${CHANNELS.code}/sourcedir.tar.gz`),
    sagemaker_container_log_level: encode(20),
    sagemaker_region: encode(s.region),
    // SageMaker's own data-parallel library is for specific GPU types; torch.distributed is used instead.
    sagemaker_distributed_dataparallel_enabled: encode(false),
  };
  if (s.distribution === "torchrun") {
    out.sagemaker_torch_distributed_enabled = encode(true);
    out.sagemaker_instance_type = encode(s.instanceType);
  }
  return out;
}

type Channel = {
  channelName: string;
  inputMode: string;
  compressionType: string;
  dataSource: { s3DataSource: { s3DataType: string; s3Uri: string; s3DataDistributionType: string } };
};

const s3Channel = (channelName: string, s3Uri: string): Channel => ({
  channelName,
  inputMode: "File",
  compressionType: "None",
  // Every host gets the whole dataset; train.py shards it per rank with a DistributedSampler.
  dataSource: { s3DataSource: { s3DataType: "S3Prefix", s3Uri, s3DataDistributionType: "FullyReplicated" } },
});

/** Dataset (train/, valid/, test/ below it), the code bundle and, if used, the pretrained weights. */
export function inputChannels(s: JobSettings): Channel[] {
  const channels = [
    s3Channel(CHANNELS.training, `s3://${s.bucketName}/${trim(s.datasetPrefix)}/`),
    s3Channel(CHANNELS.code, `s3://${s.bucketName}/${s.bundleKey}`),
  ];
  if (s.hyperparameters.pretrained && s.pretrainedWeightsKey)
    channels.push(s3Channel(CHANNELS.weights, `s3://${s.bucketName}/${trim(s.pretrainedWeightsKey)}`));
  return channels;
}

/** `s3://<bucket>/models/`: SageMaker writes `<this><jobName>/output/model.tar.gz`. */
export const outputPath = (s: Pick<JobSettings, "bucketName" | "modelsPrefix">) =>
  `s3://${s.bucketName}/${trim(s.modelsPrefix)}/`;

/** `s3://<bucket>/models/<jobName>/output/model.tar.gz`. */
export const modelArtifactUrl = (s: Pick<JobSettings, "bucketName" | "modelsPrefix">, jobName: string) =>
  `${outputPath(s)}${jobName}/output/model.tar.gz`;

export const checkpointUri = (s: Pick<JobSettings, "bucketName" | "checkpointsPrefix">, jobName: string) =>
  `s3://${s.bucketName}/${trim(s.checkpointsPrefix)}/${jobName}/`;

function resourceConfig(s: JobSettings, instanceCount: number, instanceType: string) {
  return {
    instanceType,
    instanceCount,
    volumeSizeInGb: s.volumeSizeGb,
    // Instance types with local NVMe encrypt it in hardware; SageMaker rejects a volume key for them.
    ...(hasInstanceStorage(instanceType) ? {} : { volumeKmsKeyId: s.volumeKmsKeyArn }),
  };
}

/** Seconds SageMaker may wait for spot capacity plus run time (>= maxRuntime). Default 2x the run time. */
export const maxWaitSeconds = (s: Pick<JobSettings, "maxRuntimeHours" | "maxWaitHours">) =>
  hours(s.maxWaitHours ?? s.maxRuntimeHours * 2);

/** Every input of the training job except its name, checkpoint location, VPC, tags and timeouts. */
export function trainingJobInputs(s: JobSettings) {
  return {
    roleArn: s.roleArn,
    algorithmSpecification: {
      trainingImage: s.imageUri,
      trainingInputMode: "File",
      metricDefinitions: s.metrics.definitions.map((d) => ({ name: d.name, regex: d.regex })),
    },
    hyperParameters: { ...frameworkHyperparameters(s), ...scriptHyperparameters(s) },
    inputDataConfigs: inputChannels(s),
    outputDataConfig: { s3OutputPath: outputPath(s), kmsKeyId: s.kmsKeyArn, compressionType: "GZIP" },
    resourceConfig: resourceConfig(s, s.instanceCount, s.instanceType),
    stoppingCondition: {
      maxRuntimeInSeconds: hours(s.maxRuntimeHours),
      ...(s.spot ? { maxWaitTimeInSeconds: maxWaitSeconds(s) } : {}),
    },
    enableManagedSpotTraining: s.spot,
    // The container reaches nothing but its peers; SageMaker moves data in and out with the role.
    enableNetworkIsolation: true,
    enableInterContainerTrafficEncryption: true,
  };
}

export interface TuningSettings {
  instanceType: string;
  maxJobs: number;
  maxParallelJobs: number;
  earlyStopping: "Auto" | "Off";
  /** Limit for each training job the tuner starts. */
  maxRuntimeHours: number;
  ranges: { lr: { min: number; max: number }; batchSize: number[]; epochs: { min: number; max: number } };
}

/** The whole tuning job may run as long as its jobs in sequence of parallel batches would. */
export function tuningMaxRuntimeSeconds(t: TuningSettings): number {
  const waves = Math.ceil(t.maxJobs / t.maxParallelJobs);
  return Math.min(Math.max(hours(t.maxRuntimeHours) * waves, 120), 15_768_000);
}

/** The tuning job's config and training job definition (single instance per trial, on demand). */
export function tuningJobInputs(s: JobSettings, t: TuningSettings) {
  const trial: JobSettings = {
    ...s,
    instanceType: t.instanceType,
    instanceCount: 1,
    spot: false,
    distribution: "hosts",
  };
  return {
    config: {
      strategy: "Bayesian",
      objective: { metricName: s.metrics.objective.metricName, type: s.metrics.objective.type },
      trainingJobEarlyStoppingType: t.earlyStopping,
      resourceLimits: {
        maxNumberOfTrainingJobs: t.maxJobs,
        maxParallelTrainingJobs: t.maxParallelJobs,
        maxRuntimeInSeconds: tuningMaxRuntimeSeconds(t),
      },
      parameterRanges: {
        continuousParameterRanges: [
          {
            name: TUNED.lr,
            minValue: String(t.ranges.lr.min),
            maxValue: String(t.ranges.lr.max),
            scalingType: "Logarithmic",
          },
        ],
        categoricalParameterRanges: [{ name: TUNED.batchSize, values: t.ranges.batchSize.map(String) }],
        integerParameterRanges: [
          {
            name: TUNED.epochs,
            minValue: String(t.ranges.epochs.min),
            maxValue: String(t.ranges.epochs.max),
            scalingType: "Auto",
          },
        ],
      },
    },
    trainingJobDefinition: {
      roleArn: s.roleArn,
      algorithmSpecification: {
        trainingImage: s.imageUri,
        trainingInputMode: "File",
        metricDefinitions: s.metrics.definitions.map((d) => ({ name: d.name, regex: d.regex })),
      },
      staticHyperParameters: {
        ...frameworkHyperparameters(trial),
        ...scriptHyperparameters(trial, [TUNED.lr, TUNED.batchSize, TUNED.epochs]),
      },
      inputDataConfigs: inputChannels(trial),
      outputDataConfig: { s3OutputPath: outputPath(trial), kmsKeyId: s.kmsKeyArn, compressionType: "GZIP" },
      resourceConfig: resourceConfig(trial, 1, t.instanceType),
      stoppingCondition: { maxRuntimeInSeconds: hours(t.maxRuntimeHours) },
      enableManagedSpotTraining: false,
      enableNetworkIsolation: true,
      enableInterContainerTrafficEncryption: true,
    },
  };
}
