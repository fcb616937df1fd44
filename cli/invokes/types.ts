/** What answering an invoke needs, and what it gives back. */
import type { S3World } from "./s3-objects";

/** An `aws iam get-account-authorization-details` export, read and checked before the plan starts. */
export interface AccountExport {
  file: string;
  /** The export's JSON as the AWS CLI writes it. */
  data: Record<string, unknown>;
}

export interface InvokeContext {
  /** The stack's `aws:region` (or the default). */
  region: string;
  inventory?: AccountExport;
  /** What S3 listings find (s3-objects.ts); default: the data is uploaded, nothing is trained. */
  s3?: S3World;
}

/**
 * `answer`: the provider's result (fields it cannot know offline hold the wire's unknown value and
 * are named in `unknownFields`); `unknown`: no faithful answer, the whole result is unknown, and
 * `unknown` says why and how to make it known.
 */
export type InvokeOutcome =
  { answer: Record<string, unknown>; unknownFields?: string[]; warnings?: string[] } | { unknown: string };
