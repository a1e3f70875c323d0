/**
 * Event ids (docs/architecture.md, "Schemas and the wire format"): UUIDv5 (RFC 9562, SHA-1 name-based) of source, kind and the source's record
 * id, so replaying a source record always yields the same id; and the content hash that stands in
 * for a record id where a source has none.
 */
import { createHash } from 'node:crypto';

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

export function contentHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}
