/**
 * Where a webhook may point. A subscription's URL is chosen by an agency (or written straight to
 * the subscriptions topic by anyone who can), so without a guard Truc could be made to POST health
 * data into its own network (server-side request forgery). A URL must be https, and the address
 * actually connected to must be public (non-public-addresses.ts) — unless the host
 * is on the operator's allow-list (FANOUT_WEBHOOK_ALLOW_HOSTS), which also admits plain http.
 *
 * The host is read as the WHATWG URL parser reads it (so `0x7f000001`, `2130706433` and
 * `0177.0.0.1` are all 127.0.0.1), checked when a subscription is saved, and checked again for
 * every connection: IP literals before connecting, host names on every DNS answer, and the
 * socket's peer address once connected. Refusals never say what a name resolved to, so the API
 * cannot be used to map internal DNS.
 */
import dns from 'node:dns';
import type http from 'node:http';
import net, { type LookupFunction } from 'node:net';
import { isNonPublicAddress } from './non-public-addresses.ts';

export const NOT_ALLOWED_DESTINATION =
  "the webhook URL's host is not an allowed destination: it must resolve, and only to public addresses (private, loopback, link-local and other internal ranges need FANOUT_WEBHOOK_ALLOW_HOSTS)";

export class BlockedDestinationError extends Error {
  readonly code = 'EBLOCKED';
  constructor() {
    super(NOT_ALLOWED_DESTINATION);
    this.name = 'BlockedDestinationError';
  }
}

/** A host as the URL parser gives it (`[::1]`) or as a connection gets it (`::1`), without brackets. */
function bareHost(hostname: string): string {
  return hostname.replace(/^\[|\]$/g, '').toLowerCase();
}

export function hostAllowListed(hostname: string, allowHosts: readonly string[]): boolean {
  return allowHosts.includes(bareHost(hostname));
}

/**
 * Why `url` may not be a webhook, from the URL alone (scheme, credentials, an IP literal's range); null when it may.
 * `allowHostsSetting` names the allow-list in the answer (alerts have their own).
 */
export function webhookUrlProblem(url: string, allowHosts: readonly string[], allowHostsSetting = 'FANOUT_WEBHOOK_ALLOW_HOSTS'): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a URL';
  }
  const host = bareHost(parsed.hostname);
  const allowed = hostAllowListed(host, allowHosts);
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && allowed)) {
    return `must be an https:// URL (plain http only for hosts on ${allowHostsSetting})`;
  }
  if (parsed.username || parsed.password) return 'must not carry a user name or password';
  if (!allowed && net.isIP(host) !== 0 && isNonPublicAddress(host)) return NOT_ALLOWED_DESTINATION.replace('FANOUT_WEBHOOK_ALLOW_HOSTS', allowHostsSetting);
  return null;
}

/** Why the host of a URL that passed webhookUrlProblem may not be reached, from its DNS answers now; null when it may. */
export async function webhookHostProblem(url: string, allowHosts: readonly string[]): Promise<string | null> {
  const host = bareHost(new URL(url).hostname);
  if (hostAllowListed(host, allowHosts) || net.isIP(host) !== 0) return null;
  try {
    const addresses = await dns.promises.lookup(host, { all: true });
    return addresses.some((entry) => isNonPublicAddress(entry.address)) ? NOT_ALLOWED_DESTINATION : null;
  } catch {
    // Not "does not resolve": whether an internal name exists is itself worth hiding.
    return NOT_ALLOWED_DESTINATION;
  }
}

/** A DNS lookup for a host not allow-listed: refused when any answer is not public. */
const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, '', 0);
    const list = addresses as dns.LookupAddress[];
    if (list.length === 0 || list.some((entry) => isNonPublicAddress(entry.address))) return callback(new BlockedDestinationError(), '', 0);
    if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
    callback(null, list[0]!.address, list[0]!.family);
  });
};

type CreateConnection = http.Agent['createConnection'];

/**
 * Makes every connection `agent` opens pass the guard: an IP literal is refused before any packet
 * is sent (IP literals never reach a lookup hook), a host name through its DNS answers, and the
 * connected socket's peer address is checked before the request is written to it.
 */
export function guardAgent(agent: http.Agent, allowHosts: readonly string[]): void {
  const create: CreateConnection = agent.createConnection.bind(agent);
  agent.createConnection = ((options, callback) => {
    const host = bareHost(String(options.host ?? 'localhost'));
    if (hostAllowListed(host, allowHosts)) return create(options, callback);
    if (net.isIP(host) !== 0 && isNonPublicAddress(host)) {
      process.nextTick(() => callback?.(new BlockedDestinationError(), undefined as never));
      return undefined;
    }
    const socket = create({ ...options, lookup: guardedLookup } as typeof options, callback) as net.Socket;
    // Registered before the request's own writes wait for 'connect', so nothing is sent to a refused peer.
    socket.once('connect', () => {
      if (isNonPublicAddress(socket.remoteAddress ?? '')) socket.destroy(new BlockedDestinationError());
    });
    return socket;
  }) as CreateConnection;
}
