/**
 * HTTP Basic authentication of every registry request, as Confluent's clients speak it
 * (`basic.auth.credentials.source=USER_INFO`). Reads need a reader or writer credential (or none
 * when anonymous reads are configured); writes — registering, deleting, changing config or mode —
 * need a writer. Refusals carry Confluent's error shape: 401/40101 with a `WWW-Authenticate`
 * challenge, 403/40301 for a reader attempting a write.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { BasicCredentials } from '../platform/config.ts';
import type { Logger } from '../platform/logger.ts';
import type { RegistryCredentials } from './credentials.ts';
import { errors, type RegistryError } from './errors.ts';

export type AccessNeeded = 'none' | 'read' | 'write';

const REALM = 'Basic realm="Truc schema registry", charset="UTF-8"';

/** POSTs that only read: a look-up of a schema under a subject, and compatibility tests. */
const READING_POSTS = new Set(['/subjects/:subject', '/compatibility/subjects/:subject/versions', '/compatibility/subjects/:subject/versions/:version']);

/** What a request needs, from its method and matched route (undefined: no route matched). */
export function accessNeeded(method: string, route: string | undefined): AccessNeeded {
  if (route === '/health') return 'none';
  if (route === undefined || method === 'GET' || method === 'HEAD') return 'read';
  if (method === 'POST' && READING_POSTS.has(route)) return 'read';
  return 'write';
}

/** The user and password of an `Authorization: Basic …` header, or null when it is not one. */
export function parseBasicAuthorization(header: string): BasicCredentials | null {
  const match = /^Basic[ \t]+([A-Za-z0-9+/]+={0,2})[ \t]*$/i.exec(header);
  if (!match) return null;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return null;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * Failed logins per client address and user name in a fixed window; past the limit that pair is
 * refused (429) without its password being checked until the window ends, so guessing cannot go
 * faster. Keyed by user too, so someone failing from a shared address (a host, a proxy) does not
 * lock every other user of that address out.
 */
const MAX_TRACKED = 10_000;

export class FailedLoginThrottle {
  private readonly failures = new Map<string, { count: number; windowEnds: number }>();
  private readonly limit: number;
  private readonly windowMs: number;
  private readonly now: () => number;

  constructor(limit = 30, windowMs = 60_000, now: () => number = Date.now) {
    this.limit = limit;
    this.windowMs = windowMs;
    this.now = now;
  }

  /** Seconds until the address may try the user again, or 0 when it may now. */
  blockedFor(address: string, user: string): number {
    const entry = this.failures.get(`${address} ${user}`);
    if (!entry || entry.windowEnds <= this.now()) return 0;
    return entry.count >= this.limit ? Math.ceil((entry.windowEnds - this.now()) / 1000) : 0;
  }

  fail(address: string, user: string): void {
    const key = `${address} ${user}`;
    const now = this.now();
    const entry = this.failures.get(key);
    if (entry && entry.windowEnds > now) entry.count += 1;
    else {
      // Bounded memory: expired windows go when the map grows, and the oldest entry if none has.
      if (this.failures.size >= MAX_TRACKED) {
        for (const [old, counted] of this.failures) if (counted.windowEnds <= now) this.failures.delete(old);
        if (this.failures.size >= MAX_TRACKED) this.failures.delete(this.failures.keys().next().value!);
      }
      this.failures.set(key, { count: 1, windowEnds: now + this.windowMs });
    }
  }
}

export interface AuthenticationOptions {
  credentials: () => RegistryCredentials;
  anonymousRead: boolean;
  logger: Logger;
}

function refuse(reply: FastifyReply, error: RegistryError, headers: Record<string, string> = {}): FastifyReply {
  return reply.status(error.status).headers(headers).send(error.toBody());
}

const challenge = { 'www-authenticate': REALM };

/** An onRequest hook: lets the request through, or answers the refusal itself. */
export function authenticationHook(options: AuthenticationOptions) {
  const throttle = new FailedLoginThrottle();
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const need = accessNeeded(request.method, request.routeOptions.url);
    if (need === 'none') return;
    const header = request.headers.authorization;
    if (header === undefined) {
      if (need === 'read' && options.anonymousRead) return;
      return refuse(reply, errors.unauthorized('this registry needs HTTP Basic credentials (basic.auth.user.info)'), challenge);
    }
    const presented = parseBasicAuthorization(header);
    const credentials = options.credentials();
    // Unknown user names share one count per address: they cannot succeed, and keying by them
    // would let an attacker grow the throttle's memory at will.
    const knownUser = presented && credentials.has(presented.username) ? presented.username : '';
    const waitSeconds = throttle.blockedFor(request.ip, knownUser);
    if (waitSeconds > 0) return refuse(reply, errors.tooManyFailedLogins(waitSeconds), { 'retry-after': String(waitSeconds) });
    const role = presented ? credentials.authenticate(presented.username, presented.password) : null;
    if (role === null) {
      throttle.fail(request.ip, knownUser);
      // The user name only when it is a known one: a mistyped one may be a password.
      options.logger.warn({ address: request.ip, user: knownUser || undefined, method: request.method, url: request.url }, 'schema registry login failed');
      const problem = presented ? 'unknown user or wrong password' : 'the Authorization header must be Basic base64(user:password)';
      return refuse(reply, errors.unauthorized(problem), challenge);
    }
    if (need === 'write' && role !== 'writer') {
      return refuse(reply, errors.forbidden(`user ${presented!.username} may only read; ${request.method} ${request.routeOptions.url} needs a registry-writer credential`));
    }
    return undefined;
  };
}
