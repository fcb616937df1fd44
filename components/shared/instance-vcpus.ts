/**
 * vCPU counts of instance types, written once: a capacity figure measured on N vCPUs fits an
 * endpoint only if its instance type has N vCPUs (components/inference-endpoint/args.ts).
 *
 * The SageMaker API model has no vCPU counts (CreateEndpointConfig takes only a name), so these
 * come from the "Hardware specifications" tables ("Default vCPUs") of the EC2 user guide:
 * https://docs.aws.amazon.com/AWSEC2/latest/WindowsGuide/general-purpose-instances.html (m4, m5,
 * m5d) and https://docs.aws.amazon.com/AWSEC2/latest/WindowsGuide/compute-optimized-instances.html
 * (c4, c5, c5d); the same figures are in the Linux user guide and in EC2 DescribeInstanceTypes
 * (`VCpuInfo.DefaultVCpus`). A SageMaker `ml.<type>` hosting instance is the EC2 `<type>`
 * (SageMaker's pricing page lists the same vCPUs and memory per `ml.` type; ml.m5.large: 2 vCPUs,
 * 8 GiB). Only these families are listed: every hosting type of them is covered (a test pins that).
 * Other types answer `undefined`: the fit is then reported as not checked, never assumed.
 */

/** EC2 instance type -> default vCPUs (the EC2 user guide's tables above). */
export const EC2_DEFAULT_VCPUS: Readonly<Record<string, number>> = {
  "m4.large": 2,
  "m4.xlarge": 4,
  "m4.2xlarge": 8,
  "m4.4xlarge": 16,
  "m4.10xlarge": 40,
  "m4.16xlarge": 64,
  "m5.large": 2,
  "m5.xlarge": 4,
  "m5.2xlarge": 8,
  "m5.4xlarge": 16,
  "m5.12xlarge": 48,
  "m5.24xlarge": 96,
  "m5d.large": 2,
  "m5d.xlarge": 4,
  "m5d.2xlarge": 8,
  "m5d.4xlarge": 16,
  "m5d.12xlarge": 48,
  "m5d.24xlarge": 96,
  "c4.large": 2,
  "c4.xlarge": 4,
  "c4.2xlarge": 8,
  "c4.4xlarge": 16,
  "c4.8xlarge": 36,
  "c5.large": 2,
  "c5.xlarge": 4,
  "c5.2xlarge": 8,
  "c5.4xlarge": 16,
  "c5.9xlarge": 36,
  "c5.12xlarge": 48,
  "c5.18xlarge": 72,
  "c5.24xlarge": 96,
  "c5d.large": 2,
  "c5d.xlarge": 4,
  "c5d.2xlarge": 8,
  "c5d.4xlarge": 16,
  "c5d.9xlarge": 36,
  "c5d.12xlarge": 48,
  "c5d.18xlarge": 72,
  "c5d.24xlarge": 96,
};

/** The families EC2_DEFAULT_VCPUS covers completely. */
export const VCPU_FAMILIES = ["m4", "m5", "m5d", "c4", "c5", "c5d"] as const;

/** vCPUs of an EC2 type or a SageMaker `ml.` type, or undefined when this table does not know it. */
export function vCpusOf(instanceType: string): number | undefined {
  const ec2 = instanceType.startsWith("ml.") ? instanceType.slice(3) : instanceType;
  return Object.prototype.hasOwnProperty.call(EC2_DEFAULT_VCPUS, ec2) ? EC2_DEFAULT_VCPUS[ec2] : undefined;
}
