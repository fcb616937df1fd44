/**
 * Every component, for programs that import them (`import { InferenceEndpoint } from ...`).
 * Each component also has its own entry, `components/<name>/index.ts`. Importing declares nothing:
 * resources exist only once a program constructs a component.
 */
export * from "./platform-key";
export * from "./network";
export * from "./artifact-store";
export * from "./source-bundle";
export * from "./notebook";
export * from "./training-cluster";
export * from "./ec2-trainer";
export * from "./inference-endpoint";
export * from "./inference-function";
export { lookupAwsContext } from "./shared/aws-context";
export type { AwsContext } from "./shared/aws-context";
export { ComponentArgsError } from "./shared/arg-schema";
export type { ArgProblem } from "./shared/arg-schema";
export type { Tags } from "./shared/tags";
