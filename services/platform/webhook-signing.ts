/**
 * Standard Webhooks signatures, for every webhook Truc sends (agencies' deliveries, operators'
 * alerts) and every receiver it runs (the demo agency, the alert receiver, tests): the secret's
 * format (`whsec_` + base64 of 24 to 64 key bytes), signing, and checking a signed request.
 *
 *   webhook-signature: v1,<base64 HMAC-SHA-256(key, "<id>.<timestamp>.<body>")>
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';

export function secretKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');
}

/** Whether `secret` is a Standard Webhooks secret of 24 to 64 key bytes (`whsec_` + base64), as operators configure for alerts. */
export function isWebhookSecret(secret: string): boolean {
  if (!/^whsec_[A-Za-z0-9+/]+={0,2}$/.test(secret)) return false;
  const bytes = secretKey(secret).length;
  return bytes >= 24 && bytes <= 64;
}

/** The v1 HMAC-SHA-256 over "<id>.<timestamp>.<body>" (signing and checking). */
export function signatureDigest(secret: string, id: string, timestamp: number | string, body: string): Buffer {
  return createHmac('sha256', secretKey(secret)).update(`${id}.${timestamp}.${body}`).digest();
}

export function webhookSignature(secret: string, id: string, timestamp: number, body: string): string {
  return `v1,${signatureDigest(secret, id, timestamp, body).toString('base64')}`;
}

/** The Standard Webhooks check: v1 HMAC-SHA-256 over "<id>.<timestamp>.<body>", any of the listed signatures. */
export function verifySignature(secret: string, id: string, timestamp: string, body: string, header: string): boolean {
  const expected = signatureDigest(secret, id, timestamp, body);
  return header.split(' ').some((entry) => {
    const [version, signature] = entry.split(',');
    if (version !== 'v1' || !signature) return false;
    const given = Buffer.from(signature, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/** A request's Standard Webhooks headers, as sent. */
export interface SignedHeaders {
  id: string;
  timestamp: string;
  signature: string;
}

/**
 * The request's webhook headers when it carries an id, a timestamp within `toleranceSeconds` of now
 * (an old request replayed is refused) and a valid signature of `body`; null otherwise.
 */
export function verifiedHeaders(secret: string, headers: http.IncomingHttpHeaders, body: string, toleranceSeconds: number): SignedHeaders | null {
  const id = String(headers['webhook-id'] ?? '');
  const timestamp = String(headers['webhook-timestamp'] ?? '');
  const signature = String(headers['webhook-signature'] ?? '');
  const fresh = Math.abs(Date.now() / 1000 - Number(timestamp)) <= toleranceSeconds;
  return id && fresh && verifySignature(secret, id, timestamp, body, signature) ? { id, timestamp, signature } : null;
}
