/**
 * Source offsets on the compacted `_truc.connect-offsets` topic (one of INTERNAL_TOPICS).
 *
 * Key: the JSON array `["<connector>", "<source partition>"]`; value: the offset as JSON, or null
 * (a tombstone) once the partition is finished with. The key `["<connector>"]` (no partition)
 * holds the connector's start marker, see `readOffsets`.
 */
import { randomUUID } from 'node:crypto';
import type { Kafka, Message } from 'kafkajs';
import type { TransactionalWriter } from '../../services/platform/transactional-writer.ts';
import type { SourceOffset } from './source-connector.ts';

export const CONNECT_OFFSETS_TOPIC = '_truc.connect-offsets';

/** How long a start marker may take to come back from the offsets topic. */
export const OFFSET_READ_TIMEOUT_MS = 60_000;

/** One transactional id per connector name, so a restarted connector fences its predecessor. */
export function connectorTransactionalId(connector: string): string {
  return `truc-connect-${connector}`;
}

/** Commits a start marker of the connector (fencing earlier instances) and returns it (see readOffsets). */
export async function commitStartMarker(writer: TransactionalWriter, connector: string): Promise<string> {
  const marker = randomUUID();
  await writer.commit([{ topic: CONNECT_OFFSETS_TOPIC, messages: [startMarkerMessage(connector, marker)] }]);
  return marker;
}

export interface OffsetKey {
  connector: string;
  /** null: the connector's start marker. */
  partition: string | null;
}

export function offsetKey(connector: string, partition: string | null): string {
  return JSON.stringify(partition === null ? [connector] : [connector, partition]);
}

/** The key's parts, or null for a key that is not an offset key (written by something else). */
export function parseOffsetKey(key: Buffer | null): OffsetKey | null {
  if (key === null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(key.toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || !parsed.every((part) => typeof part === 'string')) return null;
  const [connector, partition] = parsed as string[];
  if (parsed.length === 1) return { connector: connector!, partition: null };
  if (parsed.length === 2) return { connector: connector!, partition: partition! };
  return null;
}

export function offsetMessage(connector: string, partition: string, offset: SourceOffset | null): Message {
  return { key: offsetKey(connector, partition), value: offset === null ? null : JSON.stringify(offset) };
}

export function startMarkerMessage(connector: string, marker: string): Message {
  return { key: offsetKey(connector, null), value: JSON.stringify({ marker, at: new Date().toISOString() }) };
}

/** Applies one record of the offsets topic to `offsets`; returns true when it is the awaited marker. */
export function applyOffsetRecord(
  offsets: Map<string, SourceOffset>,
  connector: string,
  marker: string,
  key: Buffer | null,
  value: Buffer | null,
): boolean {
  const parsed = parseOffsetKey(key);
  if (parsed === null || parsed.connector !== connector) return false;
  if (parsed.partition === null) {
    return value !== null && (JSON.parse(value.toString('utf8')) as { marker?: unknown }).marker === marker;
  }
  if (value === null) offsets.delete(parsed.partition);
  else offsets.set(parsed.partition, JSON.parse(value.toString('utf8')) as SourceOffset);
  return false;
}

class OffsetReadTimeoutError extends Error {
  constructor(connector: string, ms: number) {
    super(`connector ${connector}: its start marker did not come back from ${CONNECT_OFFSETS_TOPIC} within ${ms} ms`);
    this.name = 'OffsetReadTimeoutError';
  }
}

/**
 * Reads the connector's committed offsets: the whole offsets topic, read_committed, up to the
 * start marker `marker` that the caller has just committed after fencing its predecessors.
 *
 * Reading up to the topic's end as it was at start would not do: other connectors share the topic,
 * and one of their open transactions holds the read_committed end back, possibly before a
 * transaction of ours that committed after it. Our own marker is delivered only once every
 * transaction before it is decided, so when it arrives every committed offset has been seen.
 */
export async function readOffsets(kafka: Kafka, connector: string, marker: string, timeoutMs: number): Promise<Map<string, SourceOffset>> {
  // A throw-away group: nothing is committed, the broker forgets it when it empties.
  const consumer = kafka.consumer({ groupId: `truc-connect-offsets-${randomUUID()}`, readUncommitted: false });
  const offsets = new Map<string, SourceOffset>();
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: CONNECT_OFFSETS_TOPIC, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      let found = false;
      const timer = setTimeout(() => reject(new OffsetReadTimeoutError(connector, timeoutMs)), timeoutMs);
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ message }) => {
            if (found) return;
            try {
              found = applyOffsetRecord(offsets, connector, marker, message.key, message.value);
            } catch (error) {
              clearTimeout(timer);
              reject(error);
              return;
            }
            if (found) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch((error: unknown) => {
          clearTimeout(timer);
          reject(error);
        });
    });
  } finally {
    await consumer.disconnect();
  }
  return offsets;
}
