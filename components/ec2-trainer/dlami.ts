/**
 * The AMI of the EC2 trainer: the AWS Deep Learning AMI with PyTorch on Amazon Linux 2023, looked
 * up from its public SSM parameter at deploy time, so the instance starts from the current patched
 * release without a hard-coded id. CPU mode boots the same image on a CPU instance type: PyTorch
 * runs on the CPU and the NVIDIA driver stays idle. (A plain AL2023 image would have to pip-install
 * PyTorch, and the trainer has no internet access.) The DLAMI's Python lives in /opt/pytorch.
 */

/** PyTorch line of the DLAMI (a release of "Deep Learning OSS Nvidia Driver AMI GPU PyTorch <v> (Amazon Linux 2023)"). */
export const DEFAULT_DLAMI_PYTORCH_VERSION = "2.13";

/** `/aws/service/deeplearning/ami/x86_64/oss-nvidia-driver-gpu-pytorch-<version>-amazon-linux-2023/latest/ami-id`. */
export function dlamiParameterName(pytorchVersion: string = DEFAULT_DLAMI_PYTORCH_VERSION): string {
  if (!/^\d+\.\d+$/.test(pytorchVersion))
    throw new Error(
      `dlamiPytorchVersion must be a PyTorch minor version such as 2.13 (got "${pytorchVersion}")`,
    );
  return `/aws/service/deeplearning/ami/x86_64/oss-nvidia-driver-gpu-pytorch-${pytorchVersion}-amazon-linux-2023/latest/ami-id`;
}

/** The DLAMI's PyTorch environment; user data falls back to python3 on other images. */
export const DLAMI_PYTHON = "/opt/pytorch/bin/python3";
