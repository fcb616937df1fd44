/** The inference function component: import from here. */
export { InferenceFunction, FUNCTION_RUNTIME, functionCode } from "./inference-function";
export {
  checkFunction,
  FUNCTION_DEFAULTS,
  functionFields,
  HANDLER_LIMITS,
  inferenceFunctionArgsSchema,
  resolveFunctionArgs,
} from "./args";
export type { FunctionBundle, FunctionUrlArgs, InferenceFunctionArgs, ResolvedFunctionArgs } from "./args";
export { inferenceFunctionInterfaceEndpointNeeds } from "./interface-endpoints";
