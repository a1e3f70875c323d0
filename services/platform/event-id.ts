/**
 * Event ids (docs/architecture.md, "Schemas and the wire format"): UUIDv5 (RFC 9562, SHA-1 name-based) of source, kind and the source's record
 * id, so replaying a source record always yields the same id; and the keyed content id that stands
 * in for a record id where a source has none.
 */
import { createHash, createHmac } from 'node:crypto';

/** Truc's fixed namespace for event ids (a random v4 UUID chosen once; never change it). */
export const EVENT_ID_NAMESPACE = '4f6b1c52-9d3e-4a8f-b1e7-2c5d8a9f0e13';

function uuidBytes(uuid: string): Buffer {
  return Buffer.from(uuid.replaceAll('-', ''), 'hex');
}

export function uuidV5(namespace: string, name: string): string {
  const hash = createHash('sha1').update(uuidBytes(namespace)).update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function eventId(source: string, kind: string, sourceRecordId: string): string {
  // A separator that cannot occur in source or kind ids keeps ("a","b-c") and ("a-b","c") apart.
  return uuidV5(EVENT_ID_NAMESPACE, `${source}\n${kind}\n${sourceRecordId}`);
}

/** JSON with object keys sorted at every level, so equal content always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The record id of a source that sends none, from the record's content (hex, 64 digits). */
export type ContentIdFunction = (value: unknown) => string;

/**
 * Content ids keyed with the deployment's secret (the person_key secret): the content of a
 * checkpoint row or a gate reader's passage holds a CCCD, a name and a phone, and a plain hash of it
 * can be recomputed from a guess of those (a passage's CCCD fell to a brute force in seconds).
 * The "content" prefix keeps these HMACs apart from person_keys made with the same secret.
 */
export function createContentId(secret: string): ContentIdFunction {
  return (value) => createHmac('sha256', secret).update('content\n', 'utf8').update(canonicalJson(value), 'utf8').digest('hex');
}
