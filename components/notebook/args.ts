/** The arguments of `NotebookInstance`, their defaults (one place) and their schema. */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import {
  bool,
  int,
  optionalInput,
  pattern,
  problem,
  ref,
  resolveArgs,
  tagsSchema,
  text,
  withDefaults,
  artifactStoreArg,
  awsContextArg,
} from "../shared/arg-schema";
import { NAME_PATTERNS } from "../shared/aws-facts";
import { kmsAliasArnArg, kmsKeyArnArg } from "../shared/kms";
import { AwsContext } from "../shared/aws-context";
import { instanceTypeSchema } from "../shared/instance-types";
import { Tags } from "../shared/tags";
import { BACKUP_MINUTE_STEPS } from "./lifecycle-script";

/** Where the notebook reads and writes in the artifact store (an `ArtifactStore` fits). */
export interface NotebookStorage {
  bucketName: string;
  datasetPrefix: string;
  prefixes: { notebooks: string; models: string; code: string };
}

export interface NotebookInstanceArgs {
  /** Notebook instance name (also names its role and lifecycle config). Required, deterministic. */
  notebookName: string;
  /** Execution role name. Default `<notebookName>-notebook` (64 chars max). */
  roleName?: string;
  /** The partition, region and account (see `lookupAwsContext`). Required. */
  context: pulumi.Input<AwsContext>;
  /** The artifact store (or the same shape). Required. */
  storage: NotebookStorage;
  /**
   * The KMS key's ARN for the ML storage volume (an Output such as `key.arn` is fine). Not an alias:
   * CreateNotebookInstance documents only a key ARN for KmsKeyId. Required.
   */
  kmsKeyArn: pulumi.Input<string>;
  /** An alias ARN of the same key, known at preview: the role's KMS grant names it. Default: `kmsKeyArn`. */
  kmsAliasArn?: pulumi.Input<string>;
  /** Private subnet for the instance; required unless `directInternetAccess` is true. */
  subnetId?: pulumi.Input<string>;
  securityGroupIds?: pulumi.Input<string>[];
  /** A notebook instance type AWS offers. Default `ml.t3.medium`. */
  instanceType?: string;
  /** ML storage volume, GB (5-16384). Default 5. */
  volumeSizeGb?: number;
  /** Stop after this many idle minutes (5-1440). Default 60. */
  idleStopMinutes?: number;
  /**
   * Copy the home folder (the ML storage volume) to `<notebooks prefix>/<notebookName>/home/` in
   * the store this often, in minutes (5, 6, 10, 12, 15, 20, 30 or 60), and before every idle stop;
   * a new volume gets it back. Default 15.
   */
  homeBackupMinutes?: number;
  /** Default false: traffic goes through the VPC and its endpoints only. */
  directInternetAccess?: boolean;
  /** Default false: users cannot become root on the instance. */
  rootAccess?: boolean;
  /** Default `notebook-al2-v3`. */
  platformIdentifier?: string;
  /** The training role the notebook may pass to SageMaker (and no other). Omit to allow none. */
  trainingRoleArn?: pulumi.Input<string>;
  /** Training and tuning jobs the notebook may start, describe and stop: names starting with this. */
  jobNamePrefix?: string;
  /**
   * Parked: keep the role and the lifecycle configuration, leave out the instance (and with it its
   * volume: the home folder is in the store, see `homeBackupMinutes`). Default false.
   */
  parked?: boolean;
  tags?: Tags;
}

export const NOTEBOOK_DEFAULTS = {
  instanceType: "ml.t3.medium",
  volumeSizeGb: 5,
  idleStopMinutes: 60,
  homeBackupMinutes: 15,
  directInternetAccess: false,
  rootAccess: false,
  platformIdentifier: "notebook-al2-v3",
} as const;

/** The settings a stack can choose; the stack config composes these (with NOTEBOOK_DEFAULTS). */
export const notebookFields = {
  instanceType: instanceTypeSchema("notebook"),
  // CreateNotebookInstance VolumeSizeInGB: 5-16384.
  volumeSizeGb: int(5, 16384),
  // The idle check runs from cron every five minutes; a day is the longest idle time we honour.
  idleStopMinutes: int(5, 1440),
  // A cron minute step that repeats evenly within the hour.
  homeBackupMinutes: int(5, 60).refine((m) => (BACKUP_MINUTE_STEPS as readonly number[]).includes(m), {
    error: `must be one of ${BACKUP_MINUTE_STEPS.join(", ")} (minutes; a cron step that repeats evenly each hour)`,
  }),
  directInternetAccess: bool(),
  rootAccess: bool(),
  platformIdentifier: text(),
};

export const notebookArgsSchema = z
  .strictObject({
    notebookName: pattern(
      NAME_PATTERNS.sagemaker,
      "1-63 letters, digits and hyphens, starting with a letter or digit",
    ),
    roleName: pattern(NAME_PATTERNS.iamRole, "an IAM role name: 1-64 letters, digits and +=,.@_-").optional(),
    context: awsContextArg(),
    storage: artifactStoreArg<NotebookStorage>(),
    kmsKeyArn: kmsKeyArnArg("the notebook instance volume (CreateNotebookInstance KmsKeyId)"),
    kmsAliasArn: kmsAliasArnArg(),
    subnetId: optionalInput<string>(),
    securityGroupIds: z
      .array(z.custom<pulumi.Input<string>>(), { error: "must be a list of security group ids" })
      .optional(),
    ...withDefaults(notebookFields, NOTEBOOK_DEFAULTS),
    trainingRoleArn: optionalInput<string>(),
    jobNamePrefix: pattern(/^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/, "letters, digits and inner hyphens").optional(),
    parked: bool().default(false),
    tags: tagsSchema.optional(),
  })
  .superRefine((a, ctx) => {
    if (!a.directInternetAccess && a.subnetId === undefined)
      problem(
        ctx,
        ["subnetId"],
        `is required when ${ref("directInternetAccess")} is false (the instance reaches AWS through the VPC)`,
      );
  })
  .transform((a) => ({ ...a, roleName: a.roleName ?? `${a.notebookName}-notebook`.slice(0, 64) }));

/** Where a notebook's home folder is backed up in the store: `<notebooks>/<notebookName>/home`. */
export function homeBackupPrefix(storage: Pick<NotebookStorage, "prefixes">, notebookName: string): string {
  return `${storage.prefixes.notebooks.replace(/^\/+|\/+$/g, "")}/${notebookName}/home`;
}

export type ResolvedNotebookArgs = z.output<typeof notebookArgsSchema>;

/** Applies the defaults and checks every argument; throws a ComponentArgsError naming each problem. */
export function resolveNotebookArgs(name: string, args: NotebookInstanceArgs): ResolvedNotebookArgs {
  return resolveArgs("NotebookInstance", name, notebookArgsSchema, args);
}
