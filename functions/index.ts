/** Public surface of functions/: what the Pulumi components need to deploy the handlers. */
export { bundleFunction, inferenceFunctionEntry, BUNDLE_OPTIONS } from "./bundle";
export type { FunctionBundle } from "./bundle";
