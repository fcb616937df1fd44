/** The EC2 trainer component: import from here. */
export { Ec2Trainer, ec2TrainerStatements, EC2_OUTPUT_FOLDER, plannedEc2Run } from "./ec2-trainer";
export type { Ec2TrainerRun } from "./ec2-trainer";
export {
  checkEc2Trainer,
  EC2_TRAINER_DEFAULTS,
  EC2_TRAINER_INSTANCE_TYPES,
  ec2TrainerArgsSchema,
  ec2TrainerFields,
  resolveEc2TrainerArgs,
  validateEc2TrainerArgs,
} from "./args";
export type { Ec2TrainerArgs, Ec2TrainerStorage, ResolvedEc2TrainerArgs } from "./args";
export * from "./dlami";
export * from "./user-data";
export { ec2TrainerInterfaceEndpointNeeds } from "./interface-endpoints";
