/**
 * Registers the canonical schemas at start-up (idempotently). Canonical subjects are
 * BACKWARD_TRANSITIVE (set at their first registration), so every later version must read all
 * earlier data: a breaking change to a canonical schema is refused by the registry, not discovered
 * by a consumer.
 */
import { valueSubject, type AvroSerde, type CompatibilityLevel } from './avro-serde.ts';
import { KINDS, canonicalSchema, canonicalTopic, type Kind } from './catalog.ts';

export const CANONICAL_COMPATIBILITY: CompatibilityLevel = 'BACKWARD_TRANSITIVE';

/** Returns the registry id of each canonical kind's current schema. */
export async function registerCanonicalSchemas(serde: AvroSerde): Promise<Map<Kind, number>> {
  const ids = new Map<Kind, number>();
  for (const kind of KINDS) {
    ids.set(kind, await serde.register(valueSubject(canonicalTopic(kind)), canonicalSchema(kind), CANONICAL_COMPATIBILITY));
  }
  return ids;
}
