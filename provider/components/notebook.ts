/** NotebookInstance for Pulumi programs in any language (see components/notebook). */
import * as pulumi from "@pulumi/pulumi";
import * as ts from "../../components/notebook";
import type { AwsContext } from "../../components/shared/aws-context";
import type { Tags } from "../../components/shared/tags";
import { adapt, ArtifactStoreRef, awsContext, Expect, SameArgNames, storeOf, token } from "./adapter";

export interface NotebookInstanceArgs {
  /** Notebook instance name (also names its role and lifecycle config). Required, deterministic. */
  notebookName: string;
  /** Execution role name. Default `<notebookName>-notebook` (64 chars max). */
  roleName?: string;
  /** The partition, region and account. Default: looked up with the AWS provider (getPartition, getRegion, getCallerIdentity). */
  context?: pulumi.Input<AwsContext>;
  /** The artifact store, by bucket name (and dataset prefix). Required. */
  storage: ArtifactStoreRef;
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
  /**
   * Copy the home folder (the ML storage volume) to `<notebooks prefix>/<notebookName>/home/` in
   * the store this often, in minutes (5, 6, 10, 12, 15, 20, 30 or 60), and before every idle stop;
   * a new volume gets it back. Default 15.
   */
  homeBackupMinutes?: number;
  /**
   * Parked: keep the role and the lifecycle configuration, leave out the instance (and with it its
   * volume: the home folder is in the store, see `homeBackupMinutes`). Default false.
   */
  parked?: boolean;
  tags?: Tags;
}
export type NotebookInstanceArgsMatch = Expect<SameArgNames<ts.NotebookInstanceArgs, NotebookInstanceArgs>>;

/** Arguments passed through as Inputs (the rest are made plain first; see adapt). */
export const inputs: readonly string[] = [
  "context",
  "kmsKeyArn",
  "kmsAliasArn",
  "subnetId",
  "securityGroupIds",
  "trainingRoleArn",
];

/** A SageMaker notebook instance: own least-privilege role, no root, no direct internet, KMS, idle stop. */
export class NotebookInstance extends pulumi.ComponentResource {
  readonly notebookName: pulumi.Output<string>;
  /** The notebook's role, known at preview. */
  readonly roleArn: pulumi.Output<string>;
  /** The instance's URL; none when parked. */
  readonly url: pulumi.Output<string | undefined>;
  /** `s3://<bucket>/<notebooks>/<notebookName>/home/`: where the home folder is backed up. */
  readonly homeBackupUri: pulumi.Output<string>;

  constructor(name: string, args: NotebookInstanceArgs, opts?: pulumi.ComponentResourceOptions) {
    super(token("NotebookInstance"), name, {}, opts);
    const out = adapt(this, `NotebookInstance ${name}`, args, inputs, (a, opts) => {
      const notebook = new ts.NotebookInstance(
        name,
        { ...a, context: awsContext(a.context, this), storage: storeOf(a.storage) },
        opts,
      );
      return {
        notebookName: notebook.notebookName,
        roleArn: notebook.roleArn,
        url: notebook.url,
        homeBackupUri: notebook.homeBackupUri,
      };
    });
    this.notebookName = out.notebookName;
    this.roleArn = out.roleArn;
    this.url = out.url;
    this.homeBackupUri = out.homeBackupUri;
    this.registerOutputs({ notebookName: this.notebookName, roleArn: this.roleArn, url: this.url });
  }
}
