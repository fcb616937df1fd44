/**
 * IP address classification for the image fetcher's SSRF guard.
 *
 * Only addresses that are reachable on the public internet may be fetched. Everything else
 * (loopback, RFC 1918, CGNAT, link-local, cloud metadata, multicast, documentation, reserved,
 * unique-local, ...) is refused. IPv6 addresses that embed an IPv4 address (IPv4-mapped
 * `::ffff:a.b.c.d`, NAT64 `64:ff9b::a.b.c.d`, 6to4 `2002:AABB:CCDD::`) are judged by the
 * IPv4 address they carry, so `::ffff:127.0.0.1` is loopback, not public.
 */
import { isIPv4 } from "node:net";

export type AddressKind =
  | "public"
  | "unspecified"
  | "loopback"
  | "private"
  | "shared"
  | "link-local"
  | "metadata"
  | "multicast"
  | "broadcast"
  | "documentation"
  | "benchmarking"
  | "unique-local"
  | "reserved"
  | "invalid";

export interface AddressClassification {
  /** The address as given (zone id stripped). */
  readonly address: string;
  readonly family: 4 | 6 | undefined;
  readonly kind: AddressKind;
  /** How an IPv4 address was embedded in an IPv6 one, when it was. */
  readonly embedding?: "ipv4-mapped" | "nat64" | "6to4";
  readonly embeddedIPv4?: string;
}

/** Decides whether the fetcher may connect to an address. */
export type AddressPolicy = (address: AddressClassification) => boolean;

/** The production policy: public internet addresses only. */
export const publicAddressesOnly: AddressPolicy = (address) => address.kind === "public";

// IPv6 text is parsed by hand rather than checked with net.isIPv6, whose large regular
// expression costs milliseconds to compile on first use, and the tables below are built at cold start.
const HEXTET = /^[0-9a-f]{1,4}$/;

type Range = readonly [network: bigint, prefixLength: number, kind: AddressKind];

// Most specific ranges first: the first match wins.
const IPV4_RANGES: readonly Range[] = [
  ["0.0.0.0", 32, "unspecified"],
  ["0.0.0.0", 8, "reserved"],
  ["10.0.0.0", 8, "private"],
  ["100.64.0.0", 10, "shared"],
  ["127.0.0.0", 8, "loopback"],
  ["169.254.169.254", 32, "metadata"], // EC2 instance metadata (IMDS)
  ["169.254.170.2", 32, "metadata"], // ECS task metadata and credentials
  ["169.254.170.23", 32, "metadata"], // EKS Pod Identity agent
  ["169.254.0.0", 16, "link-local"],
  ["172.16.0.0", 12, "private"],
  ["192.0.0.0", 24, "reserved"],
  ["192.0.2.0", 24, "documentation"],
  ["192.88.99.0", 24, "reserved"],
  ["192.168.0.0", 16, "private"],
  ["198.18.0.0", 15, "benchmarking"],
  ["198.51.100.0", 24, "documentation"],
  ["203.0.113.0", 24, "documentation"],
  ["224.0.0.0", 4, "multicast"],
  ["255.255.255.255", 32, "broadcast"],
  ["240.0.0.0", 4, "reserved"],
].map(([network, prefix, kind]) => [ipv4ToBigInt(network as string)!, prefix as number, kind as AddressKind]);

const IPV6_RANGES: readonly Range[] = [
  ["::", 128, "unspecified"],
  ["::1", 128, "loopback"],
  ["::", 96, "reserved"], // deprecated IPv4-compatible addresses
  ["64:ff9b:1::", 48, "reserved"], // local-use NAT64
  ["100::", 64, "reserved"], // discard-only
  ["2001:db8::", 32, "documentation"],
  ["2001:2::", 48, "benchmarking"],
  ["2001::", 23, "reserved"], // IETF protocol assignments, Teredo included
  ["3fff::", 20, "documentation"],
  ["5f00::", 16, "reserved"], // SRv6 SIDs
  ["fd00:ec2::254", 128, "metadata"], // EC2 instance metadata over IPv6
  ["fc00::", 7, "unique-local"],
  ["fe80::", 10, "link-local"],
  ["fec0::", 10, "reserved"], // deprecated site-local
  ["ff00::", 8, "multicast"],
].map(([network, prefix, kind]) => [ipv6ToBigInt(network as string)!, prefix as number, kind as AddressKind]);

const IPV4_MAPPED = ipv6ToBigInt("::ffff:0:0")!;
const NAT64 = ipv6ToBigInt("64:ff9b::")!;
const SIX_TO_FOUR = ipv6ToBigInt("2002::")!;
const GLOBAL_UNICAST = ipv6ToBigInt("2000::")!;

/** Classifies an IPv4 or IPv6 address given as text (an IPv6 zone id such as `%eth0` is ignored). */
export function classifyAddress(text: string): AddressClassification {
  const address = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  const withoutZone = address.split("%")[0] ?? address;
  const v4 = ipv4ToBigInt(withoutZone);
  if (v4 !== undefined) {
    return { address: withoutZone, family: 4, kind: classifyIPv4(v4) };
  }
  const v6 = ipv6ToBigInt(withoutZone);
  if (v6 === undefined) {
    return { address: withoutZone, family: undefined, kind: "invalid" };
  }
  const embedded = embeddedIPv4(v6);
  if (embedded) {
    return {
      address: withoutZone,
      family: 6,
      kind: classifyIPv4(embedded.value),
      embedding: embedded.embedding,
      embeddedIPv4: bigIntToIPv4(embedded.value),
    };
  }
  return { address: withoutZone, family: 6, kind: classifyIPv6(v6) };
}

function classifyIPv4(value: bigint): AddressKind {
  return matchRange(IPV4_RANGES, value, 32) ?? "public";
}

function classifyIPv6(value: bigint): AddressKind {
  const special = matchRange(IPV6_RANGES, value, 128);
  if (special) return special;
  // Only 2000::/3 is allocated as global unicast; anything else is not a public host.
  return inRange(value, GLOBAL_UNICAST, 3, 128) ? "public" : "reserved";
}

function embeddedIPv4(
  value: bigint,
): { value: bigint; embedding: "ipv4-mapped" | "nat64" | "6to4" } | undefined {
  if (inRange(value, IPV4_MAPPED, 96, 128)) return { value: value & 0xffffffffn, embedding: "ipv4-mapped" };
  if (inRange(value, NAT64, 96, 128)) return { value: value & 0xffffffffn, embedding: "nat64" };
  if (inRange(value, SIX_TO_FOUR, 16, 128)) return { value: (value >> 80n) & 0xffffffffn, embedding: "6to4" };
  return undefined;
}

function matchRange(ranges: readonly Range[], value: bigint, bits: number): AddressKind | undefined {
  for (const [network, prefix, kind] of ranges) {
    if (inRange(value, network, prefix, bits)) return kind;
  }
  return undefined;
}

function inRange(value: bigint, network: bigint, prefix: number, bits: number): boolean {
  const shift = BigInt(bits - prefix);
  return value >> shift === network >> shift;
}

function ipv4ToBigInt(text: string): bigint | undefined {
  if (!isIPv4(text)) return undefined;
  return text.split(".").reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);
}

function bigIntToIPv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => Number((value >> shift) & 0xffn)).join(".");
}

function ipv6ToBigInt(text: string): bigint | undefined {
  let groups = text.toLowerCase();
  if (!groups.includes(":")) return undefined;
  // A trailing dotted quad (`::ffff:1.2.3.4`) stands for the last two 16-bit groups.
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(groups);
  if (dotted) {
    const v4 = ipv4ToBigInt(dotted[2]!);
    if (v4 === undefined) return undefined;
    groups = `${dotted[1]}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const halves = groups.split("::");
  if (halves.length > 2) return undefined;
  const head = halves[0] === "" ? [] : halves[0]!.split(":");
  const tail = halves.length === 1 || halves[1] === "" ? [] : halves[1]!.split(":");
  if (![...head, ...tail].every((group) => HEXTET.test(group))) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...Array<string>(missing).fill("0"), ...tail];
  return all.reduce((acc, group) => (acc << 16n) | BigInt(parseInt(group, 16)), 0n);
}
