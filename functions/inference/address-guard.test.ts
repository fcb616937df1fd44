import { isIPv6 } from "node:net";
import fc from "fast-check";
import { classifyAddress, publicAddressesOnly } from "./address-guard";
import type { AddressKind } from "./address-guard";

describe("classifyAddress", () => {
  const ipv4: [string, AddressKind][] = [
    ["8.8.8.8", "public"],
    ["93.184.216.34", "public"],
    ["1.1.1.1", "public"],
    ["0.0.0.0", "unspecified"],
    ["0.1.2.3", "reserved"],
    ["10.0.0.1", "private"],
    ["10.255.255.255", "private"],
    ["100.63.255.255", "public"],
    ["100.64.0.1", "shared"],
    ["100.127.255.254", "shared"],
    ["100.128.0.0", "public"],
    ["127.0.0.1", "loopback"],
    ["127.255.255.254", "loopback"],
    ["169.254.169.254", "metadata"],
    ["169.254.170.2", "metadata"],
    ["169.254.170.23", "metadata"],
    ["169.254.1.1", "link-local"],
    ["172.15.255.255", "public"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["172.32.0.0", "public"],
    ["192.0.0.8", "reserved"],
    ["192.0.2.1", "documentation"],
    ["192.88.99.1", "reserved"],
    ["192.168.1.1", "private"],
    ["198.18.0.1", "benchmarking"],
    ["198.19.255.255", "benchmarking"],
    ["198.51.100.7", "documentation"],
    ["203.0.113.9", "documentation"],
    ["224.0.0.1", "multicast"],
    ["239.255.255.250", "multicast"],
    ["240.0.0.1", "reserved"],
    ["255.255.255.255", "broadcast"],
  ];

  const ipv6: [string, AddressKind][] = [
    ["2606:4700:4700::1111", "public"],
    ["2001:4860:4860::8888", "public"],
    ["::", "unspecified"],
    ["::1", "loopback"],
    ["0:0:0:0:0:0:0:1", "loopback"],
    ["fe80::1", "link-local"],
    ["fe80::1%eth0", "link-local"],
    ["febf::1", "link-local"],
    ["fec0::1", "reserved"],
    ["fc00::1", "unique-local"],
    ["fd12:3456:789a::1", "unique-local"],
    ["fd00:ec2::254", "metadata"],
    ["fd00:ec2::253", "unique-local"],
    ["ff02::1", "multicast"],
    ["ff05::1:3", "multicast"],
    ["2001:db8::1", "documentation"],
    ["3fff::1", "documentation"],
    ["2001::1", "reserved"], // Teredo
    ["2001:2::1", "benchmarking"],
    ["100::1", "reserved"],
    ["64:ff9b:1::1", "reserved"],
    ["5f00::1", "reserved"],
    ["::127.0.0.1", "reserved"], // deprecated IPv4-compatible
    ["4000::1", "reserved"], // outside 2000::/3
    ["[::1]", "loopback"],
  ];

  const embedded: [string, AddressKind, string, string][] = [
    ["::ffff:127.0.0.1", "loopback", "ipv4-mapped", "127.0.0.1"],
    ["::ffff:7f00:1", "loopback", "ipv4-mapped", "127.0.0.1"],
    ["::ffff:169.254.169.254", "metadata", "ipv4-mapped", "169.254.169.254"],
    ["::ffff:10.1.2.3", "private", "ipv4-mapped", "10.1.2.3"],
    ["::ffff:8.8.8.8", "public", "ipv4-mapped", "8.8.8.8"],
    ["0:0:0:0:0:ffff:c0a8:0101", "private", "ipv4-mapped", "192.168.1.1"],
    ["64:ff9b::127.0.0.1", "loopback", "nat64", "127.0.0.1"],
    ["64:ff9b::a9fe:a9fe", "metadata", "nat64", "169.254.169.254"],
    ["64:ff9b::8.8.4.4", "public", "nat64", "8.8.4.4"],
    ["2002:7f00:1::", "loopback", "6to4", "127.0.0.1"],
    ["2002:a9fe:a9fe::1", "metadata", "6to4", "169.254.169.254"],
    ["2002:0808:0808::1", "public", "6to4", "8.8.8.8"],
  ];

  it.each(ipv4)("IPv4 %s is %s", (address, kind) => {
    expect(classifyAddress(address)).toEqual({ address, family: 4, kind });
  });

  it.each(ipv6)("IPv6 %s is %s", (address, kind) => {
    const result = classifyAddress(address);
    expect(result.family).toBe(6);
    expect(result.kind).toBe(kind);
    expect(result.embedding).toBeUndefined();
  });

  it.each(embedded)(
    "IPv6 %s embeds an IPv4 address and is judged by it: %s",
    (address, kind, embedding, ipv4Address) => {
      expect(classifyAddress(address)).toEqual({
        address,
        family: 6,
        kind,
        embedding,
        embeddedIPv4: ipv4Address,
      });
    },
  );

  it.each([
    "",
    "localhost",
    "example.com",
    "256.1.1.1",
    "1.2.3",
    "01.2.3.4",
    "0x7f.0.0.1",
    "::g",
    "1::2::3",
    ":::",
    ":1:2:3:4:5:6:7",
    "1:2:3:4:5:6:7:",
    "1:2:3:4:5:6:7",
    "1:2:3:4:5:6:7:8:9",
    "1:2:3:4:5:6:7::8",
    "12345::",
    "::ffff:1.2.3",
    "::ffff:256.0.0.1",
    "1.2.3.4::",
  ])("%j is not an address", (text) => {
    expect(classifyAddress(text).kind).toBe("invalid");
  });

  it("lets the production policy admit public addresses only", () => {
    expect(publicAddressesOnly(classifyAddress("8.8.8.8"))).toBe(true);
    expect(publicAddressesOnly(classifyAddress("2606:4700:4700::1111"))).toBe(true);
    expect(publicAddressesOnly(classifyAddress("::ffff:8.8.8.8"))).toBe(true);
    for (const address of [
      "127.0.0.1",
      "10.0.0.1",
      "169.254.169.254",
      "::1",
      "fd00:ec2::254",
      "::ffff:127.0.0.1",
      "nonsense",
    ]) {
      expect(publicAddressesOnly(classifyAddress(address))).toBe(false);
    }
  });
});

describe("classifyAddress agrees with node:net on what an IPv6 address is", () => {
  it("for generated addresses and near-misses", () => {
    const nearMiss = fc
      .array(fc.constantFrom("0", "1", "ffff", "12345", "", ":", "::", "1.2.3.4", "g"), { maxLength: 10 })
      .map((parts) => parts.join(":"));
    fc.assert(
      fc.property(fc.oneof(fc.ipV6(), nearMiss), (text) => {
        expect(classifyAddress(text).family === 6).toBe(isIPv6(text));
      }),
      { numRuns: 500 },
    );
  });
});
