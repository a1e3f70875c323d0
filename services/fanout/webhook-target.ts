/**
 * Where a webhook may point. A subscription's URL is chosen by an agency, so without a guard Truc
 * could be made to POST health data to its own internal network (server-side request forgery). A
 * URL must be https, and its host must resolve only to public addresses — unless the host is on
 * the operator's allow-list (FANOUT_WEBHOOK_ALLOW_HOSTS), which also admits plain http. The check
 * runs when a subscription is saved and again at every connection (the lookup below), so a DNS
 * answer that changes later cannot slip a private address in.
 */
import dns from 'node:dns';
import type { LookupFunction } from 'node:net';
import net from 'node:net';

const BLOCKED = new net.BlockList();
for (const [prefix, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) BLOCKED.addSubnet(prefix, bits, 'ipv4');
for (const [prefix, bits] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) BLOCKED.addSubnet(prefix, bits, 'ipv6');

/** Private, loopback, link-local, multicast and other non-public addresses (IPv4-mapped IPv6 included). */
export function isNonPublicAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return BLOCKED.check(mapped[1]!, 'ipv4');
  return BLOCKED.check(address, net.isIPv6(address) ? 'ipv6' : 'ipv4');
}

function bareHost(hostname: string): string {
  return hostname.replace(/^\[|\]$/g, '').toLowerCase();
}

export function hostAllowListed(hostname: string, allowHosts: readonly string[]): boolean {
  return allowHosts.includes(bareHost(hostname));
}

export class BlockedAddressError extends Error {
  readonly code = 'EBLOCKED';
  constructor(host: string, address: string) {
    super(`${host} resolves to ${address}, a private, loopback or link-local address (not on FANOUT_WEBHOOK_ALLOW_HOSTS)`);
    this.name = 'BlockedAddressError';
  }
}

/** A DNS lookup for http(s).request that refuses non-public answers for hosts not allow-listed. */
export function guardedLookup(allowHosts: readonly string[]): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const list = addresses as dns.LookupAddress[];
      if (!hostAllowListed(hostname, allowHosts)) {
        const blocked = list.find((entry) => isNonPublicAddress(entry.address));
        if (blocked) return callback(new BlockedAddressError(hostname, blocked.address), '', 0);
      }
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      const first = list[0]!;
      callback(null, first.address, first.family);
    });
  };
}

/** Why `url` may not be a webhook (resolving its host), or null when it may. */
export async function webhookUrlProblem(url: string, allowHosts: readonly string[]): Promise<string | null> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a URL';
  }
  const host = bareHost(parsed.hostname);
  const allowed = hostAllowListed(host, allowHosts);
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && allowed)) {
    return 'must be an https:// URL (plain http only for hosts on FANOUT_WEBHOOK_ALLOW_HOSTS)';
  }
  if (parsed.username || parsed.password) return 'must not carry a user name or password';
  if (allowed) return null;
  let addresses: dns.LookupAddress[];
  try {
    addresses = net.isIP(host) ? [{ address: host, family: net.isIPv6(host) ? 6 : 4 }] : await dns.promises.lookup(host, { all: true });
  } catch {
    return `host ${host} does not resolve`;
  }
  const blocked = addresses.find((entry) => isNonPublicAddress(entry.address));
  return blocked ? `host ${host} resolves to ${blocked.address}, a private, loopback or link-local address` : null;
}
