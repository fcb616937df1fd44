/**
 * AWS Deep Learning Container images (e.g. `pytorch-inference`, `pytorch-training`), looked up
 * with the `aws.sagemaker.getPrebuiltEcrImage` invoke so the registry account of the region is
 * right, and the repository ARN the execution role may pull from is known at preview.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AwsContext, ecrRepositoryArn } from "./aws-context";

export type Accelerator = "cpu" | "gpu";

/** SageMaker instance families with NVIDIA GPUs (ml.g4dn, ml.g5, ml.p3, ...); the rest run CPU images. */
export function acceleratorOf(instanceType: string): Accelerator {
  return /^ml\.[gp]\d/.test(instanceType) ? "gpu" : "cpu";
}

export interface DlcVersion {
  /** Framework version, e.g. `2.1`. */
  frameworkVersion: string;
  /** Python version, e.g. `py310`. */
  pythonVersion: string;
}

/** The DLC tag convention `<framework>-<cpu|gpu>-<python>`, e.g. `2.1-cpu-py310`. */
export function dlcImageTag(version: DlcVersion, accelerator: Accelerator): string {
  return `${version.frameworkVersion}-${accelerator}-${version.pythonVersion}`;
}

export interface ContainerImage {
  /** Full image URI, `<registry>.dkr.ecr.<region>.<suffix>/<repository>:<tag>`. */
  uri: string;
  /** ARN of the repository, for a scoped `ecr:BatchGetImage` grant. */
  repositoryArn: string;
}

/** Looks up a prebuilt SageMaker image in the stack's region. */
export function prebuiltImage(
  context: pulumi.Input<AwsContext>,
  repositoryName: string,
  imageTag: string,
  opts?: pulumi.InvokeOutputOptions,
): pulumi.Output<ContainerImage> {
  const found = aws.sagemaker.getPrebuiltEcrImageOutput({ repositoryName, imageTag }, opts);
  return pulumi.all([pulumi.output(context), found]).apply(([ctx, image]) => ({
    uri: image.registryPath,
    repositoryArn: ecrRepositoryArn(ctx, image.registryId, image.repositoryName),
  }));
}

/** An image given by URI (an ECR image of your own); its repository ARN is read from the URI. */
export function imageFromUri(context: AwsContext, uri: string): ContainerImage {
  const m =
    /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.[a-z0-9.]+\/([a-z0-9._/-]+)(?::[\w.-]+|@sha256:[0-9a-f]{64})$/.exec(
      uri,
    );
  if (!m)
    throw new Error(
      `expected an ECR image URI such as 123456789012.dkr.ecr.us-east-1.amazonaws.com/repo:tag (got ${JSON.stringify(uri)})`,
    );
  return { uri, repositoryArn: ecrRepositoryArn(context, m[1], m[3], m[2]) };
}
