/** The inference endpoint component: import from here. */
export { InferenceEndpoint, endpointReference, SERVING_ENVIRONMENT } from "./inference-endpoint";
export type { InvokableEndpoint } from "./inference-endpoint";
export {
  autoscalingFields,
  checkAutoscaling,
  checkEndpointInstance,
  ENDPOINT_DEFAULTS,
  endpointFields,
  inferenceEndpointArgsSchema,
  PYTORCH_INFERENCE_REPOSITORY,
  resolveEndpointArgs,
} from "./args";
export type {
  EndpointAutoscalingArgs,
  EndpointDataCaptureArgs,
  EndpointImageArgs,
  EndpointServerlessArgs,
  InferenceEndpointArgs,
  ResolvedEndpointArgs,
} from "./args";
export { endpointLogGroupName, modelExecutionStatements, ENDPOINT_METRICS_NAMESPACE } from "./execution-role";
export { MAX_REQUEST_BYTES, SERVERLESS_MAX_CONCURRENCY, SERVERLESS_MEMORY_SIZES_MB } from "./limits";
export { DEFAULT_SAFETY_FACTOR, invocationsTarget, SAGEMAKER_SCALING, variantResourceId } from "./scaling";
export type { InvocationsIntent } from "./scaling";
export { inferenceEndpointInterfaceEndpointNeeds } from "./interface-endpoints";
