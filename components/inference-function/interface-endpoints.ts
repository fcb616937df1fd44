/**
 * The inference function needs no interface endpoint: it has no vpcConfig, and a function not
 * connected to a VPC runs in Lambda's own network "with access to AWS services and the internet"
 * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html, as quoted in
 * awsdocs/aws-lambda-developer-guide#133), which is how it reaches the SageMaker runtime and
 * fetches image URLs.
 */
import { InterfaceEndpointNeed } from "../shared/interface-endpoints";

export function inferenceFunctionInterfaceEndpointNeeds(): InterfaceEndpointNeed[] {
  return [];
}
