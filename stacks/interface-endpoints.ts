/**
 * The interface endpoints a stack needs: each switched-on component's own declaration (its
 * `*InterfaceEndpointNeeds`, with the AWS page each need was checked against), combined. The
 * network creates their union plus `network.interfaceEndpoints.add`, less `.drop` (with a warning
 * naming what stops working); a parked stack creates none.
 */
import { ec2TrainerInterfaceEndpointNeeds } from "../components/ec2-trainer/interface-endpoints";
import { inferenceEndpointInterfaceEndpointNeeds } from "../components/inference-endpoint/interface-endpoints";
import { inferenceFunctionInterfaceEndpointNeeds } from "../components/inference-function/interface-endpoints";
import { notebookInterfaceEndpointNeeds } from "../components/notebook/interface-endpoints";
import {
  InterfaceEndpointNeed,
  InterfaceEndpointPlan,
  planInterfaceEndpoints,
} from "../components/shared/interface-endpoints";
import { trainingInterfaceEndpointNeeds } from "../components/training-cluster/interface-endpoints";
import type { PlatformConfig } from "./config";

type NeedsConfig = Pick<
  PlatformConfig,
  "notebook" | "training" | "tuning" | "ec2Trainer" | "endpoint" | "inferenceFunction"
>;

/** What the switched-on components call from inside the VPC (parking aside). */
export function interfaceEndpointNeeds(c: NeedsConfig): InterfaceEndpointNeed[] {
  return [
    ...(c.notebook.enabled ? notebookInterfaceEndpointNeeds(c.notebook) : []),
    ...(c.training.enabled || c.tuning.enabled ? trainingInterfaceEndpointNeeds() : []),
    ...(c.ec2Trainer.enabled ? ec2TrainerInterfaceEndpointNeeds(c.ec2Trainer) : []),
    ...(c.endpoint.enabled ? inferenceEndpointInterfaceEndpointNeeds() : []),
    ...(c.inferenceFunction.enabled ? inferenceFunctionInterfaceEndpointNeeds() : []),
  ];
}

/** The endpoints the stack's network creates, and the warnings for what config dropped. */
export function stackInterfaceEndpoints(
  c: NeedsConfig & Pick<PlatformConfig, "network" | "parked">,
): InterfaceEndpointPlan {
  const plan = planInterfaceEndpoints(interfaceEndpointNeeds(c), c.network.interfaceEndpoints);
  // Parked: nothing runs in the VPC, and interface endpoints bill by the hour.
  return c.parked ? { ...plan, services: [], warnings: [] } : plan;
}
