/**
 * The inference endpoint needs no interface endpoint: its Model has no VpcConfig, so SageMaker
 * attaches no network interface in our VPC (only a Model with VpcConfig gets one,
 * https://docs.aws.amazon.com/sagemaker/latest/dg/host-vpc.html), and instance endpoints run
 * network-isolated besides. SageMaker pulls the serving image and the artifact itself.
 */
import { InterfaceEndpointNeed } from "../shared/interface-endpoints";

export function inferenceEndpointInterfaceEndpointNeeds(): InterfaceEndpointNeed[] {
  return [];
}
