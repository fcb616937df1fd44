/** The inference function component: import from here. */
export { InferenceFunction, FUNCTION_RUNTIME, functionCode } from "./inference-function";
export { FUNCTION_DEFAULTS, HANDLER_LIMITS, resolveFunctionArgs } from "./args";
export type { FunctionUrlArgs, InferenceFunctionArgs } from "./args";
