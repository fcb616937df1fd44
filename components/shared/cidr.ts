/** IPv4 CIDR parsing shared by stack config validation and components that open ports. */

export interface Ipv4Cidr {
  address: string;
  prefixLength: number;
}

/** Parses `a.b.c.d/n`, or returns undefined when it is not an IPv4 CIDR. */
export function parseIpv4Cidr(value: string): Ipv4Cidr | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefixLength = Number(m[5]);
  if (!octets.every((o) => o <= 255) || prefixLength > 32) return undefined;
  return { address: octets.join("."), prefixLength };
}

/** IPv4 CIDR, e.g. 10.40.0.0/16. */
export function isIpv4Cidr(value: string): boolean {
  return parseIpv4Cidr(value) !== undefined;
}

/** The widest range we ever open an administrative port (SSH) to. */
export const NARROWEST_ADMIN_PREFIX = 16;
