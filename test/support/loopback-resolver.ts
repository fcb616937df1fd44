/**
 * A host resolver for tests: answers from a fixed table and fails like the system resolver
 * (ENOTFOUND) for anything else, so no test ever sends a DNS query off the machine.
 */
import type { LookupAddress } from "node:dns";
import { isIPv6 } from "node:net";

export const TEST_HOSTS: Readonly<Record<string, readonly string[]>> = {
  "images.test": ["127.0.0.1"],
  localhost: ["127.0.0.1", "::1"],
  "metadata.test": ["169.254.169.254"],
  "private.test": ["10.0.0.7"],
  "ipv6-loopback.test": ["::1"],
  "mapped.test": ["::ffff:127.0.0.1"],
  "mixed.test": ["127.0.0.1", "10.0.0.7"],
};

export interface RecordingResolver {
  (hostname: string): Promise<readonly LookupAddress[]>;
  readonly lookups: string[];
}

export function loopbackResolver(
  hosts: Readonly<Record<string, readonly string[]>> = TEST_HOSTS,
): RecordingResolver {
  const lookups: string[] = [];
  const resolve = async (hostname: string): Promise<readonly LookupAddress[]> => {
    lookups.push(hostname);
    const addresses = hosts[hostname.toLowerCase()];
    if (!addresses) {
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND", hostname });
    }
    return addresses.map((address) => ({ address, family: isIPv6(address) ? 6 : 4 }));
  };
  return Object.assign(resolve, { lookups });
}
