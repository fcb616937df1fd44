/** The network component: import from here. */
export { Network, subnetCidrs } from "./network";
export { INTERFACE_SERVICE_PATTERN, planInterfaceEndpoints, servicesOf } from "../shared/interface-endpoints";
export type {
  InterfaceEndpointChanges,
  InterfaceEndpointNeed,
  InterfaceEndpointPlan,
} from "../shared/interface-endpoints";
export {
  checkNetwork,
  NETWORK_CREATE_ONLY,
  NETWORK_DEFAULTS,
  NETWORK_EXISTING_ONLY,
  networkArgsSchema,
  networkFields,
  resolveNetworkArgs,
} from "./args";
export type { NetworkArgs, ResolvedNetworkArgs } from "./args";
