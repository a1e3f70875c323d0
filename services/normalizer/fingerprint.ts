/**
 * The fingerprint of a declaration: who (person_key), what kind, and the answers that do not depend
 * on which app carried them. The same declaration sent through two apps differs in its envelope,
 * in how names and addresses are written and in which optional fields each app asks for, so those
 * stay out; the times are compared separately, against the window. Each kind lists those answers
 * in its `schemas/kinds/<kind>/kind.json` (`fingerprint`).
 */
import { hash } from 'node:crypto';
import { KINDS, kindEntry, type Kind } from '../platform/catalog.ts';
import type { CanonicalRecord } from './mapping/contract.ts';

type Content = (record: CanonicalRecord) => unknown;

/** The value at a path of field names; null where a field on the way is missing or null. */
function field(record: CanonicalRecord, path: readonly string[]): unknown {
  let value: unknown = record;
  for (const part of path) value = (value as Record<string, unknown> | null)?.[part] ?? null;
  return value;
}

/** The values at dotted paths (split once, here: a fingerprint is taken per record). */
const pick = (...dotted: string[]): Content => {
  const paths = dotted.map((path) => path.split('.'));
  return (record) => paths.map((path) => field(record, path));
};

/** Kinds whose records can reach Truc twice through different sources; others have no fingerprint. */
const CONTENT = new Map<Kind, Content>(
  KINDS.flatMap((kind) => {
    const fields = kindEntry(kind).fingerprint;
    return fields ? [[kind, pick(...fields)] as const] : [];
  }),
);

/** Null when the kind is not deduplicated across sources, or the record has no person. */
export function fingerprint(kind: Kind, record: CanonicalRecord): string | null {
  const content = CONTENT.get(kind);
  const personKey = record.person_key;
  if (!content || typeof personKey !== 'string') return null;
  // The content is an array of plain values and arrays, so JSON.stringify is already canonical.
  return hash('sha256', JSON.stringify([kind, personKey, content(record)]), 'base64url');
}
