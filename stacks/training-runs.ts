/**
 * Data as a checked prerequisite, and runs that stay finished (docs/deploy.md).
 *
 * Before it declares a training run, the program lists the artifact store with the S3 listing
 * invoke (`aws.s3.getObjects`, which a real `pulumi preview` and `pulumi up` run against the
 * account; the offline plan answers it, cli/invokes/s3-objects.ts):
 * - a run whose output is already there (the SageMaker job's model artifact at
 *   `models/<jobName>/output/model.tar.gz`, or the EC2 trainer's `run-status.json`, written on any
 *   exit) is finished: it is not declared again, and serving wires to the artifact;
 * - a run whose inputs are all there (the dataset's train/, valid/ and test/ folders, and the
 *   backbone weights when pretrained) starts;
 * - otherwise it waits: it is not declared, and the stack says what to upload, where, and how.
 * The names and paths are derived from the run's inputs (job-name hash, EC2 run id), so a change
 * of code, hyperparameters, dataset prefix or explicit run id is a new run.
 *
 * A bucket that does not exist yet (the first `pulumi up` creates it) means nothing is there; any
 * other listing error stops the program: guessing could delete a trained model's endpoint.
 */
import * as aws from "@pulumi/aws";

/** What one listing found. */
export interface S3Listing {
  bucketExists: boolean;
  keys: string[];
  commonPrefixes: string[];
}

/** A listing the program could not make: it names the bucket, the prefix and what S3 said. */
export class DataCheckError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DataCheckError";
  }
}

/** The provider reports a missing bucket with S3's NoSuchBucket code (HTTP 404). */
export const isNoSuchBucket = (message: string): boolean =>
  /NoSuchBucket|The specified bucket does not exist/.test(message);

export async function listObjects(
  bucket: string,
  prefix: string,
  options: { delimiter?: string; maxKeys?: number } = {},
): Promise<S3Listing> {
  try {
    const found = await aws.s3.getObjects({
      bucket,
      prefix,
      ...(options.delimiter ? { delimiter: options.delimiter } : {}),
      maxKeys: options.maxKeys ?? 1000,
    });
    return { bucketExists: true, keys: found.keys ?? [], commonPrefixes: found.commonPrefixes ?? [] };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (isNoSuchBucket(message)) return { bucketExists: false, keys: [], commonPrefixes: [] };
    throw new DataCheckError(
      `could not list s3://${bucket}/${prefix} to check the training data and finished runs: ${message.split("\n").join(" ")}. ` +
        "The deploying identity needs s3:ListBucket on the artifact bucket; nothing was changed.",
    );
  }
}

const trim = (p: string) => p.replace(/^\/+|\/+$/g, "");

/** Something a run needs that is not in the store yet. */
export interface MissingInput {
  what: string;
  uri: string;
  /** The command that uploads it (the bucket's default encryption applies). */
  command: string;
}

export interface InputCheck {
  bucketExists: boolean;
  missing: MissingInput[];
}

/** The dataset's splits and, when pretrained, the backbone weights. */
export async function checkTrainingInputs(
  bucket: string,
  datasetPrefix: string,
  splits: readonly string[],
  weightsKey: string | undefined,
): Promise<InputCheck> {
  const dataset = `${trim(datasetPrefix)}/`;
  const listing = await listObjects(bucket, dataset, { delimiter: "/" });
  if (!listing.bucketExists)
    return {
      bucketExists: false,
      missing: [
        datasetUpload(bucket, dataset, splits),
        ...(weightsKey ? [weightsUpload(bucket, trim(weightsKey))] : []),
      ],
    };
  const missing: MissingInput[] = [];
  const absent = splits.filter((s) => !listing.commonPrefixes.includes(`${dataset}${s}/`));
  if (absent.length > 0) missing.push(datasetUpload(bucket, dataset, splits, absent));
  if (weightsKey) {
    const key = trim(weightsKey);
    const weights = await listObjects(bucket, key, { maxKeys: 1 });
    if (!weights.keys.includes(key)) missing.push(weightsUpload(bucket, key));
  }
  return { bucketExists: true, missing };
}

function weightsUpload(bucket: string, key: string): MissingInput {
  const file = key.split("/").pop();
  return {
    what: "backbone weights (torchvision's ImageNet state dict; the jobs have no internet)",
    uri: `s3://${bucket}/${key}`,
    command: `aws s3 cp ./${file} s3://${bucket}/${key}`,
  };
}

/** The dataset upload; `absent` names the splits that are missing when some are there. */
function datasetUpload(
  bucket: string,
  dataset: string,
  splits: readonly string[],
  absent?: string[],
): MissingInput {
  const folders = (list: readonly string[]) => list.map((s) => `${s}/`).join(", ");
  return {
    what: absent
      ? `dataset (ImageFolder layout; missing: ${folders(absent)})`
      : `dataset (ImageFolder layout: ${folders(splits)})`,
    uri: `s3://${bucket}/${dataset}`,
    command: `aws s3 sync ./dogImages s3://${bucket}/${dataset}   # a folder with ${folders(splits)}`,
  };
}

/** True when the object is there. */
export async function objectExists(bucket: string, key: string): Promise<boolean> {
  const found = await listObjects(bucket, key, { maxKeys: 1 });
  return found.keys.includes(key);
}

/** `s3://bucket/key` split. */
export function splitS3Uri(uri: string): { bucket: string; key: string } {
  const m = /^s3:\/\/([^/]+)\/(.*)$/.exec(uri);
  if (!m) throw new Error(`not an s3:// URI: ${uri}`);
  return { bucket: m[1], key: m[2] };
}

/**
 * Where a run stands. `start`: declared, so `pulumi up` runs it; `finished`: its output exists, not declared again;
 * `waiting for data`: its inputs are missing, not declared; `parked`: it would start, but the stack
 * is parked (`ml-platform:parked`), so it is not declared until the stack is unparked.
 */
export type RunState = "finished" | "start" | "waiting for data" | "parked";

/** What the stack reports about its runs and its data (a stack output). */
export interface TrainingStatus {
  trainingJob?: RunState;
  tuningJob?: RunState;
  ec2Trainer?: RunState;
  /** Set while something is missing: what to upload, where, and the commands. */
  dataToUpload?: MissingInput[];
}

/** The warning the stack prints while data is missing: every URI and command, one per line. */
export function waitingForDataMessage(missing: MissingInput[], runs: string[]): string {
  return [
    `waiting for data: ${runs.join(", ")} ${runs.length === 1 ? "is" : "are"} not declared until ${missing.length === 1 ? "this is" : "these are"} in the artifact store:`,
    ...missing.flatMap((m) => [`  - ${m.what}: ${m.uri}`, `      ${m.command}`]),
    "then run `pulumi up` again: it trains, and serving follows from the trained model.",
  ].join("\n");
}
