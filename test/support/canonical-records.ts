/**
 * Canonical records for sink tests: the generator's truths (what the normalizer arrives at)
 * completed with the fields only a run knows, written to canonical topics of a test's own prefix
 * with the platform serde, exactly as the normalizer writes them.
 */
import { createHash } from 'node:crypto';
import type { Admin, Kafka, Message } from 'kafkajs';
import { generate } from '../../services/generator/index.ts';
import { valueSubject, type AvroSerde } from '../../services/platform/avro-serde.ts';
import { canonicalSchema, KINDS, kindEntry, type Kind } from '../../services/platform/catalog.ts';
import { HEADER } from '../../services/platform/record-headers.ts';
import { CANONICAL_COMPATIBILITY } from '../../services/platform/schema-registration.ts';
import { ensureTopics } from '../../services/platform/topics.ts';
import type { TopicDefaults } from '../../services/platform/config.ts';

export type CanonicalRecord = Record<string, unknown> & { event_id: string; kind: Kind };

/** `count` valid canonical records of the given kinds (default: all five), reproducible from `seed`. */
export function canonicalRecords(seed: number, count: number, kinds: readonly Kind[] = KINDS): CanonicalRecord[] {
  const now = Date.now();
  return generate({ seed, count, kinds, invalid: 0, duplicates: 0 })
    .filter((item) => item.truth)
    .map((item) => {
      const truth = item.truth as unknown as Record<string, unknown> & { kind: Kind };
      const personal = truth.kind !== 'checkpoint' && truth.kind !== 'citizen-report';
      return {
        ...truth,
        event_id: item.eventId!,
        received_at: now,
        normalized_at: now,
        person_key: personal ? createHash('sha256').update(`${item.source}:${item.sourceRecordId}`).digest('hex') : null,
      } as CanonicalRecord;
    });
}

export function prefixedTopic(prefix: string, kind: Kind): string {
  return `${prefix}${kind}`;
}

/** Creates the prefixed canonical topics and registers the canonical schemas under their subjects. */
export async function prepareCanonicalTopics(
  kafka: Kafka,
  serde: AvroSerde,
  prefix: string,
  defaults: TopicDefaults,
): Promise<Map<Kind, number>> {
  const admin: Admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, KINDS.map((kind) => ({ name: prefixedTopic(prefix, kind), compacted: kindEntry(kind).compacted ?? false })), defaults);
  } finally {
    await admin.disconnect();
  }
  const ids = new Map<Kind, number>();
  for (const kind of KINDS) ids.set(kind, await serde.register(valueSubject(prefixedTopic(prefix, kind)), canonicalSchema(kind), CANONICAL_COMPATIBILITY));
  return ids;
}

/** Writes records to their prefixed canonical topics (keyed like the normalizer: by the kind's key). */
export async function produceCanonical(
  kafka: Kafka,
  serde: AvroSerde,
  schemaIds: Map<Kind, number>,
  prefix: string,
  records: readonly CanonicalRecord[],
): Promise<void> {
  const byTopic = new Map<string, Message[]>();
  for (const record of records) {
    const writer = await serde.writer(schemaIds.get(record.kind)!);
    const key = String(record[kindEntry(record.kind).key] ?? record.event_id);
    const topic = prefixedTopic(prefix, record.kind);
    const message = { key, value: writer.encode(record), headers: { [HEADER.eventId]: record.event_id } };
    const messages = byTopic.get(topic);
    if (messages) messages.push(message);
    else byTopic.set(topic, [message]);
  }
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  try {
    for (const [topic, messages] of byTopic) {
      for (let i = 0; i < messages.length; i += 2_000) await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 2_000) });
    }
  } finally {
    await producer.disconnect();
  }
}
