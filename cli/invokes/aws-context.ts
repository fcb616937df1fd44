/**
 * Invokes about where a stack deploys (identity, region, partition, zones, public AWS parameters,
 * prebuilt images), answered with realistic values as design contract 2 asks: the plan's fixed
 * account `123456789012`, the stack's `aws:region` and that region's partition.
 */
import { partitionOf } from "../aws-partitions";
import { InvokeContext, InvokeOutcome } from "./types";

/** The fixed identity that mocked invokes report. */
export const MOCK_ACCOUNT_ID = "123456789012";

/** Account that publishes the PyTorch deep-learning containers in most commercial regions. */
const DLC_ACCOUNT = "763104351884";

/** Public parameters AWS publishes (AMI ids and the like); anything else belongs to an account. */
const PUBLIC_PARAMETER = /^\/aws\/service\//;

export const AWS_CONTEXT_TOKENS = [
  "aws:index/getCallerIdentity:getCallerIdentity",
  "aws:index/getRegion:getRegion",
  "aws:index/getPartition:getPartition",
  "aws:index/getAvailabilityZones:getAvailabilityZones",
  "aws:ssm/getParameter:getParameter",
  "aws:sagemaker/getPrebuiltEcrImage:getPrebuiltEcrImage",
] as const;

export function answerAwsContext(
  token: string,
  args: Record<string, unknown>,
  ctx: InvokeContext,
): InvokeOutcome | undefined {
  const region = (args.region as string | undefined) ?? ctx.region;
  const { partition, dnsSuffix } = partitionOf(region) ?? { partition: "aws", dnsSuffix: "amazonaws.com" };
  switch (token) {
    case "aws:index/getCallerIdentity:getCallerIdentity":
      return {
        answer: {
          accountId: MOCK_ACCOUNT_ID,
          arn: `arn:${partition}:sts::${MOCK_ACCOUNT_ID}:assumed-role/platform-deployer/preview`,
          userId: "AROAEXAMPLEPREVIEW:preview",
          id: MOCK_ACCOUNT_ID,
        },
      };
    case "aws:index/getRegion:getRegion":
      return {
        answer: {
          region,
          name: region,
          id: region,
          endpoint: `ec2.${region}.${dnsSuffix}`,
          description: region,
        },
      };
    case "aws:index/getPartition:getPartition":
      return {
        answer: {
          partition,
          dnsSuffix,
          reverseDnsPrefix: dnsSuffix.split(".").reverse().join("."),
          id: partition,
        },
      };
    case "aws:index/getAvailabilityZones:getAvailabilityZones": {
      const letters = ["a", "b", "c"];
      return {
        answer: {
          names: letters.map((l) => `${region}${l}`),
          zoneIds: letters.map((_, i) => `use1-az${i + 1}`),
          groupNames: [region],
          id: region,
        },
      };
    }
    case "aws:ssm/getParameter:getParameter": {
      const name = String(args.name ?? "");
      if (!PUBLIC_PARAMETER.test(name))
        return {
          unknown:
            `SSM parameter ${name || "(no name)"} belongs to the account; its value cannot be known offline ` +
            "(only AWS's public /aws/service/ parameters are answered)",
        };
      // Public parameters of AMIs (DLAMI, AL2023) resolve to an image id of the right shape.
      const value = /ami|image/i.test(name) ? "ami-0a1b2c3d4e5f60718" : "mock-parameter-value";
      return {
        answer: {
          name,
          type: "String",
          value,
          insecureValue: value,
          version: 1,
          arn: `arn:${partition}:ssm:${region}::parameter${name}`,
          id: name,
          withDecryption: true,
        },
      };
    }
    case "aws:sagemaker/getPrebuiltEcrImage:getPrebuiltEcrImage": {
      const repositoryName = String(args.repositoryName);
      const tag = String(args.imageTag ?? "latest");
      return {
        answer: {
          registryId: DLC_ACCOUNT,
          registryPath: `${DLC_ACCOUNT}.dkr.ecr.${region}.${dnsSuffix}/${repositoryName}:${tag}`,
          repositoryName,
          imageTag: tag,
          id: DLC_ACCOUNT,
        },
      };
    }
    default:
      return undefined;
  }
}
