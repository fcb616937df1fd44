/**
 * Which SageMaker PyTorch training image a job runs, from the framework and Python versions and
 * the instance type. The tag convention and the instance-family facts are shared with the
 * inference endpoint (components/shared/dlc-image.ts).
 */
import { processorOf, pytorchImageTag } from "../shared/dlc-image";

export { fullFrameworkVersion, hasInstanceStorage, instanceFamily, processorOf } from "../shared/dlc-image";

export const PYTORCH_TRAINING_REPOSITORY = "pytorch-training";

/** `2.1.0-cpu-py310`. */
export function pytorchTrainingImageTag(
  frameworkVersion: string,
  pythonVersion: string,
  instanceType: string,
): string {
  return pytorchImageTag({ frameworkVersion, pythonVersion }, processorOf(instanceType));
}
