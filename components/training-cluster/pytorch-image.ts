/**
 * Which SageMaker PyTorch training image a job runs, from the framework and Python versions and
 * the instance type. Tags follow the deep-learning-container convention the SageMaker Python SDK
 * uses: `<full version>-<cpu|gpu>-<py version>`, e.g. `2.1.0-cpu-py310`.
 */

/** Short versions the SDK aliases to a released patch (the others are `<major.minor>.0`). */
const PATCH_RELEASES: Record<string, string> = {
  "2.0": "2.0.1",
  "2.5": "2.5.1",
};

export const PYTORCH_TRAINING_REPOSITORY = "pytorch-training";

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
export function processorOf(instanceType: string): "cpu" | "gpu" {
  const family = instanceFamily(instanceType);
  if (/^(trn|inf)/.test(family))
    throw new Error(
      `instanceType ${instanceType} is a Trainium/Inferentia type, which needs the Neuron images; use a CPU (ml.m5) or GPU (ml.g4dn, ml.p3) type`,
    );
  return /^(p|g)\d/.test(family) ? "gpu" : "cpu";
}

/** Families with local NVMe storage, whose volumes SageMaker encrypts itself (no VolumeKmsKeyId allowed). */
const LOCAL_STORAGE_FAMILIES = new Set(["g5", "g6", "g6e", "p5", "p5e", "p5en"]);

/** True when the instance type has instance storage, so a volume KMS key must not be requested. */
export function hasInstanceStorage(instanceType: string): boolean {
  const family = instanceFamily(instanceType);
  // m5d, c5d, r5d, g4dn, p3dn, p4d, p4de: a "d" after the generation number means local NVMe.
  return /^[a-z]+\d+[a-z]*d[a-z]*$/.test(family) || LOCAL_STORAGE_FAMILIES.has(family);
}

/** `2.1.0-cpu-py310`. */
export function pytorchTrainingImageTag(
  frameworkVersion: string,
  pythonVersion: string,
  instanceType: string,
): string {
  if (!/^py3\d+$/.test(pythonVersion))
    throw new Error(`pythonVersion must look like py310 (got "${pythonVersion}")`);
  return `${fullFrameworkVersion(frameworkVersion)}-${processorOf(instanceType)}-${pythonVersion}`;
}
