/** The arguments of `PlatformKey`, their defaults (one place) and their schema. */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { awsContextArg, int, pattern, resolveArgs, tagsSchema } from "../shared/arg-schema";
import { KMS_DELETION_WINDOW_DAYS, NAME_PATTERNS } from "../shared/aws-facts";
import { AwsContext } from "../shared/aws-context";
import { Tags } from "../shared/tags";

export interface PlatformKeyArgs {
  /** Alias name without `alias/`, e.g. `ml-platform-dev`. Required: the alias ARN is what other components use. */
  aliasName: string;
  /** The partition, region and account (see `lookupAwsContext`). Required. */
  context: pulumi.Input<AwsContext>;
  /** Days before a scheduled deletion takes effect, 7-30 (KMS's limits). Default 30. */
  deletionWindowDays?: number;
  tags?: Tags;
}

export const PLATFORM_KEY_DEFAULTS = {
  /** AWS's own default for ScheduleKeyDeletion, and its maximum: the longest time to notice a mistake. */
  deletionWindowDays: 30,
} as const;

/** The settings a stack can choose (each with its default); the stack config composes these. */
export const platformKeyFields = {
  // KMS ScheduleKeyDeletion: "PendingWindowInDays ... must be between 7 and 30, inclusive"
  // (https://docs.aws.amazon.com/kms/latest/APIReference/API_ScheduleKeyDeletion.html).
  deletionWindowDays: int(KMS_DELETION_WINDOW_DAYS.min, KMS_DELETION_WINDOW_DAYS.max).default(
    PLATFORM_KEY_DEFAULTS.deletionWindowDays,
  ),
};

export const platformKeyArgsSchema = z.strictObject({
  aliasName: pattern(
    NAME_PATTERNS.kmsAlias,
    "an alias name without alias/: letters, digits, /, _ and -, not starting with aws/",
  ),
  context: awsContextArg(),
  ...platformKeyFields,
  tags: tagsSchema.optional(),
});

export type ResolvedPlatformKeyArgs = z.output<typeof platformKeyArgsSchema>;

/** Applies the defaults and checks every argument; throws a ComponentArgsError naming each problem. */
export function resolvePlatformKeyArgs(name: string, args: PlatformKeyArgs): ResolvedPlatformKeyArgs {
  return resolveArgs("PlatformKey", name, platformKeyArgsSchema, args);
}
