/**
 * Addresses a webhook must never reach unless the operator allow-listed the host: everything that
 * is not a plain public unicast address. IPv6 forms that carry or translate an IPv4 address
 * (IPv4-compatible and -mapped, SIIT, NAT64, 6to4, Teredo) are refused as whole ranges: what the
 * embedded address reaches depends on gateways Truc cannot see, and no receiver needs them.
 */
import net from 'node:net';

// Two lists: a BlockList checks an IPv4 address against its IPv6 rules too (as ::ffff:a.b.c.d),
// and the whole IPv4-mapped range is blocked below.
const BLOCKED_V4 = new net.BlockList();
const BLOCKED_V6 = new net.BlockList();
for (const [prefix, bits] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (cloud metadata services)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and the broadcast address
] as const) BLOCKED_V4.addSubnet(prefix, bits, 'ipv4');
for (const [prefix, bits] of [
  ['::', 96], // unspecified, loopback, IPv4-compatible
  ['::ffff:0:0', 96], // IPv4-mapped
  ['::ffff:0:0:0', 96], // IPv4-translated (SIIT)
  ['64:ff9b::', 96], // NAT64, well-known prefix
  ['64:ff9b:1::', 48], // NAT64, local-use prefix
  ['100::', 64], // discard-only
  ['2001::', 32], // Teredo
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4
  ['fc00::', 7], // unique local
  ['fec0::', 10], // site-local (deprecated, still routed by some networks)
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const) BLOCKED_V6.addSubnet(prefix, bits, 'ipv6');

/**
 * Whether `address` (an IPv4 or IPv6 address as DNS or a socket gives it, zone id allowed) is one
 * a webhook may not reach. Anything that is not an IP address counts as blocked.
 */
export function isNonPublicAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 4) return BLOCKED_V4.check(address, 'ipv4');
  if (family === 6) return BLOCKED_V6.check(address, 'ipv6');
  return true;
}
