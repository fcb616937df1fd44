/** The training cluster component: import from here. */
export { TrainingCluster } from "./training-cluster";
export {
  checkTraining,
  checkTuning,
  JOB_NAME_LIMITS,
  resolveTrainingArgs,
  TRAINING_DEFAULTS,
  trainingClusterArgsSchema,
  trainingFields,
  TUNING_DEFAULTS,
  tuningFields,
  tuningSchema,
  validateTrainingArgs,
} from "./args";
export type {
  ResolvedTrainingClusterArgs,
  TrainingClusterArgs,
  TrainingNetwork,
  TrainingRoleArgs,
  TrainingStorage,
  TrainingTuningArgs,
  TuningRangesArgs,
} from "./args";
export * from "./job-names";
export * from "./job-spec";
export * from "./metrics";
export * from "./pytorch-image";
export * from "./training-role";
export { trainingInterfaceEndpointNeeds } from "./interface-endpoints";
