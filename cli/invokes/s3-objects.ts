/**
 * Offline answers to `aws.s3.getObjects` (token `aws:s3/getObjects:getObjects`), the S3 listing a
 * program uses to ask what is already in a bucket (ours: the data prerequisites and finished
 * training runs, stacks/training-runs.ts). The answer follows the provider's data source
 * (terraform-provider-aws internal/service/s3/objects_data_source.go, dataSourceObjectsRead):
 * ListObjectsV2 with `prefix`, `delimiter` and `maxKeys`, returning `keys` and `commonPrefixes`;
 * a bucket that does not exist makes the invoke fail with S3's `NoSuchBucket` error.
 *
 * Which bucket the plan pretends to list is the S3 world of the run (`InvokeContext.s3`):
 * - `present` (the default of `npm run plan`): a bucket that holds every input a program lists
 *   (a listing with a delimiter finds the ImageFolder splits `train/`, `valid/`, `test/`; a listing
 *   of a key finds that key) and no training output yet (nothing under a `.../output/` prefix,
 *   SageMaker's `<S3OutputPath>/<job>/output/` layout): the stack as it deploys once the data is
 *   uploaded, every resource declared, so reviewers see all of it;
 * - `missing-bucket` (`--empty-account`): the first `pulumi up` on an empty account;
 * - `objects`: a bucket holding exactly these keys (tests);
 * - `error`: every listing fails with the given message (tests).
 */
import { InvokeError } from "./errors";
import { InvokeOutcome } from "./types";

export const S3_OBJECTS_TOKEN = "aws:s3/getObjects:getObjects";

export type S3World =
  | { kind: "present" }
  | { kind: "missing-bucket" }
  | { kind: "objects"; keys: readonly string[] }
  /** Every listing fails with this provider message (e.g. AccessDenied): tests of "could not check". */
  | { kind: "error"; message: string };

/** The ImageFolder splits training/train.py reads (SPLITS there; a test pins them equal). */
export const DATASET_SPLITS = ["train", "valid", "test"] as const;

/** S3's error for a bucket that does not exist, as the provider's data source reports it. */
export const noSuchBucket = (bucket: string): string =>
  `listing S3 Bucket (${bucket}) Objects: operation error S3: ListObjectsV2, https response error ` +
  "StatusCode: 404, RequestID: OFFLINEPLAN, api error NoSuchBucket: The specified bucket does not exist";

/** ListObjectsV2 over a set of keys: prefix filter, delimiter grouping, at most `maxKeys` keys. */
export function listKeys(
  all: readonly string[],
  prefix: string,
  delimiter: string | undefined,
  maxKeys: number,
): { keys: string[]; commonPrefixes: string[] } {
  const keys: string[] = [];
  const prefixes = new Set<string>();
  for (const key of [...all].sort()) {
    if (!key.startsWith(prefix)) continue;
    const rest = key.slice(prefix.length);
    const cut = delimiter ? rest.indexOf(delimiter) : -1;
    if (cut >= 0) prefixes.add(prefix + rest.slice(0, cut + delimiter!.length));
    else if (keys.length < maxKeys) keys.push(key);
  }
  return { keys, commonPrefixes: [...prefixes] };
}

/** The "present" world: inputs are there, no training output is. */
function presentListing(
  prefix: string,
  delimiter: string | undefined,
): { keys: string[]; commonPrefixes: string[] } {
  if (/(^|\/)output\//.test(prefix)) return { keys: [], commonPrefixes: [] };
  if (delimiter === "/" && (prefix === "" || prefix.endsWith("/")))
    return { keys: [], commonPrefixes: DATASET_SPLITS.map((s) => `${prefix}${s}/`) };
  return { keys: prefix === "" ? [] : [prefix], commonPrefixes: [] };
}

/** The listing, or an InvokeError where S3 would answer with one (no bucket; the `error` world). */
export function answerS3Objects(
  args: Record<string, unknown>,
  world: S3World = { kind: "present" },
): InvokeOutcome {
  const bucket = String(args.bucket ?? "");
  const prefix = typeof args.prefix === "string" ? args.prefix : "";
  const delimiter = typeof args.delimiter === "string" && args.delimiter !== "" ? args.delimiter : undefined;
  const maxKeys = typeof args.maxKeys === "number" ? args.maxKeys : 1000;
  if (world.kind === "missing-bucket") throw new InvokeError(S3_OBJECTS_TOKEN, noSuchBucket(bucket));
  if (world.kind === "error") throw new InvokeError(S3_OBJECTS_TOKEN, world.message);
  const found =
    world.kind === "objects"
      ? listKeys(world.keys, prefix, delimiter, maxKeys)
      : presentListing(prefix, delimiter);
  return {
    answer: {
      bucket,
      prefix,
      delimiter: delimiter ?? "",
      maxKeys,
      keys: found.keys,
      commonPrefixes: found.commonPrefixes,
      owners: [],
      requestCharged: "",
      id: bucket,
    },
  };
}
