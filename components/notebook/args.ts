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
  tags?: Tags;
}

export const NOTEBOOK_DEFAULTS = {
  instanceType: "ml.t3.medium",
  volumeSizeGb: 5,
  idleStopMinutes: 60,
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

export type ResolvedNotebookArgs = z.output<typeof notebookArgsSchema>;

/** Applies the defaults and checks every argument; throws a ComponentArgsError naming each problem. */
export function resolveNotebookArgs(name: string, args: NotebookInstanceArgs): ResolvedNotebookArgs {
  return resolveArgs("NotebookInstance", name, notebookArgsSchema, args);
}
