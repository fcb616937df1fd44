/**
 * The interface endpoints a notebook instance calls from inside the VPC. With direct internet
 * access on, SageMaker gives the instance its own way out and it needs none of them. Without it,
 * every call leaves through our VPC: "the notebook instance can't train or host models unless
 * your VPC has an interface endpoint (AWS PrivateLink) or a NAT gateway"
 * (https://docs.aws.amazon.com/sagemaker/latest/dg/appendix-notebook-and-internet-access.html).
 *
 * Not needed: `sagemaker.runtime` (the role grants no sagemaker:InvokeEndpoint: call the endpoint
 * through the inference function), ECR (nothing on the instance pulls images), KMS (S3 calls KMS
 * for SSE-KMS objects itself). S3, for the store and the home-folder backup, uses the gateway.
 */
import { InterfaceEndpointNeed } from "../shared/interface-endpoints";

const NOTEBOOK_INTERNET =
  "https://docs.aws.amazon.com/sagemaker/latest/dg/appendix-notebook-and-internet-access.html";

export function notebookInterfaceEndpointNeeds(a: {
  directInternetAccess?: boolean;
}): InterfaceEndpointNeed[] {
  if (a.directInternetAccess) return [];
  return [
    {
      service: "sagemaker.api",
      neededBy: "notebook (idle stop, SageMaker SDK)",
      breaksWithout:
        "the idle-stop script cannot call StopNotebookInstance (the notebook bills until stopped by hand) " +
        "and the SageMaker SDK cannot create or watch training jobs",
      source: NOTEBOOK_INTERNET,
    },
    {
      service: "sts",
      neededBy: "notebook (SageMaker SDK)",
      // sagemaker.Session.account_id() and default_bucket() call sts GetCallerIdentity on the
      // regional endpoint (aws/sagemaker-python-sdk, src/sagemaker/session.py).
      breaksWithout: "sagemaker.Session().account_id() and default_bucket() (sts GetCallerIdentity) time out",
      source: "https://github.com/aws/sagemaker-python-sdk/blob/master/src/sagemaker/session.py",
    },
    {
      service: "logs",
      neededBy: "notebook (CloudWatch Logs)",
      // Lifecycle scripts and Jupyter log to /aws/sagemaker/NotebookInstances from the instance
      // (CreateNotebookInstanceLifecycleConfig), over the VPC when direct internet access is off.
      breaksWithout:
        "the lifecycle-script and Jupyter logs never reach /aws/sagemaker/NotebookInstances (they stay on the instance)",
      source:
        "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateNotebookInstanceLifecycleConfig.html",
    },
  ];
}
