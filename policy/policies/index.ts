/** Every policy of the pack, in the order they are reported. `index.ts` only hands this list to PolicyPack. */
import { Policies } from "@pulumi/policy";
import { costAutoscalingMaxCapacity, costInstanceTypeAllowlist } from "./cost-guardrails";
import { ec2EbsEncrypted, ec2Imdsv2Required } from "./ec2-guardrails";
import { makeIamNoStaleRoles } from "./iam-no-stale-roles";
import { makeIamRequireMfa } from "./iam-require-mfa";
import {
  lambdaFunctionUrlAuth,
  lambdaPermissionNotPublic,
  lambdaReservedConcurrency,
} from "./lambda-guardrails";
import { ec2SecurityGroupNoPublicIngress } from "./network-guardrails";
import { resourceReferencesHaveDependencies } from "./resource-references";
import { s3BucketEncryption, s3BucketPublicAccessBlock, s3BucketTlsOnly } from "./s3-guardrails";
import {
  sagemakerEndpointConfigKms,
  sagemakerModelNetworkIsolation,
  sagemakerNotebookKms,
  sagemakerNotebookNoDirectInternet,
  sagemakerNotebookRootAccessDisabled,
} from "./sagemaker-guardrails";
import { sagemakerEndpointMultiInstance } from "./sagemaker-endpoint-multi-instance";
import { sagemakerNoWildcardPermissions } from "./sagemaker-no-wildcard-permissions";

export interface PackOptions {
  /** The clock used to judge role staleness (tests pin it). */
  now?: () => Date;
}

export const PACK_NAME = "ml-platform-guardrails";

export function allPolicies(options: PackOptions = {}): Policies {
  return [
    sagemakerNoWildcardPermissions,
    makeIamNoStaleRoles(options.now),
    makeIamRequireMfa(),
    sagemakerNotebookRootAccessDisabled,
    sagemakerNotebookNoDirectInternet,
    sagemakerNotebookKms,
    sagemakerEndpointConfigKms,
    sagemakerModelNetworkIsolation,
    lambdaReservedConcurrency,
    lambdaFunctionUrlAuth,
    lambdaPermissionNotPublic,
    ec2SecurityGroupNoPublicIngress,
    ec2Imdsv2Required,
    ec2EbsEncrypted,
    s3BucketPublicAccessBlock,
    s3BucketEncryption,
    s3BucketTlsOnly,
    costInstanceTypeAllowlist,
    costAutoscalingMaxCapacity,
    sagemakerEndpointMultiInstance,
    resourceReferencesHaveDependencies,
  ];
}
