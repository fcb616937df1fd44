/**
 * AWS Deep Learning Container images for SageMaker (`pytorch-training`, `pytorch-inference`) and
 * the instance-family facts that go with them, in one place for the training and serving
 * components. Images are looked up with the `aws.sagemaker.getPrebuiltEcrImage` invoke, so the
 * registry account of the region is right and the repository ARN a role may pull from is known
 * at preview. Tags follow the convention the SageMaker Python SDK uses:
 * `<full version>-<cpu|gpu>-<py version>`, e.g. `2.1.0-cpu-py310`.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { GPU_FAMILY, hasLocalNvme, NEURON_FAMILY } from "./aws-facts";
import { AwsContext, ecrRepositoryArn } from "./aws-context";

export type Processor = "cpu" | "gpu";

/** Short versions the SDK aliases to a released patch (the others are `<major.minor>.0`). */
const PATCH_RELEASES: Record<string, string> = {
  "2.0": "2.0.1",
  "2.5": "2.5.1",
};

/** `2.1` -> `2.1.0`; `2.5` -> `2.5.1`; a full `x.y.z` is kept. */
export function fullFrameworkVersion(frameworkVersion: string): string {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?$/.exec(frameworkVersion);
  if (!m) throw new Error(`frameworkVersion must look like 2.1 or 2.1.0 (got "${frameworkVersion}")`);
  if (m[3] !== undefined) return frameworkVersion;
  const short = `${m[1]}.${m[2]}`;
  return PATCH_RELEASES[short] ?? `${short}.0`;
}

/** The instance family of `ml.<family>.<size>`, e.g. `g4dn`. */
export function instanceFamily(instanceType: string): string {
  const m = /^ml\.([a-z0-9-]+)\.[a-z0-9]+$/.exec(instanceType);
  if (!m)
    throw new Error(
      `instanceType must be a SageMaker instance type such as ml.m5.xlarge (got "${instanceType}")`,
    );
  return m[1];
}

/** `gpu` for the P and G families, `cpu` for the general-purpose, compute and memory families. */
export function processorOf(instanceType: string): Processor {
  const family = instanceFamily(instanceType);
  if (NEURON_FAMILY.test(family))
    throw new Error(
      `instanceType ${instanceType} is a Trainium/Inferentia type, which needs the Neuron images; use a CPU (ml.m5) or GPU (ml.g4dn, ml.p3) type`,
    );
  return GPU_FAMILY.test(family) ? "gpu" : "cpu";
}

/**
 * True when the instance type has local NVMe storage, so a volume KMS key must not be requested
 * (the family list and its source are in aws-facts.ts, shared with the policy pack).
 */
export function hasInstanceStorage(instanceType: string): boolean {
  instanceFamily(instanceType); // throws on a malformed type
  return hasLocalNvme(instanceType);
}

export interface DlcVersion {
  /** Framework version, e.g. `2.1` (the SDK's alias of `2.1.0`). */
  frameworkVersion: string;
  /** Python version, e.g. `py310`. */
  pythonVersion: string;
}

/** `2.1.0-cpu-py310`. */
export function pytorchImageTag(version: DlcVersion, processor: Processor): string {
  if (!/^py3\d+$/.test(version.pythonVersion))
    throw new Error(`pythonVersion must look like py310 (got "${version.pythonVersion}")`);
  return `${fullFrameworkVersion(version.frameworkVersion)}-${processor}-${version.pythonVersion}`;
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
