/** The network component: import from here. */
export { Network, INTERFACE_ENDPOINT_SERVICES, subnetCidrs } from "./network";
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
