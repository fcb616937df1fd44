/**
 * Training and tuning jobs in the VPC need no interface endpoint. SageMaker pulls the training
 * image from ECR itself, not through the job's subnets ("You don't need to specify the subnet for
 * the container of the training job. Amazon SageMaker AI automatically pulls the training
 * container image from Amazon ECR"), and what the page asks of a private VPC is an S3 endpoint
 * for the input channels and the output (https://docs.aws.amazon.com/sagemaker/latest/dg/train-vpc.html):
 * the network's free gateway endpoint. The containers run network-isolated, so they make no
 * calls of their own; SageMaker ships their logs and metrics.
 */
import { InterfaceEndpointNeed } from "../shared/interface-endpoints";

export function trainingInterfaceEndpointNeeds(): InterfaceEndpointNeed[] {
  return [];
}
