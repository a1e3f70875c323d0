/**
 * A connector's offsets as an operator reads and alters them (Kafka Connect's KIP-875). Reading is
 * read_committed to the offsets topic's current end. Altering opens the connector's own
 * transactional id, which fences any instance of it still alive, reads its offsets up to a start
 * marker exactly as a starting runner does (offset-log.ts), and commits the changes in one
 * transaction: the next run of the connector starts from them.
 */
import type { Kafka } from 'kafkajs';
import { canonicalJson } from '../../services/platform/event-id.ts';
import { readTopicToEnd } from '../../services/platform/topic-ends.ts';
import { TransactionalWriter } from '../../services/platform/transactional-writer.ts';
import {
  applyOffsetRecord,
  commitStartMarker,
  CONNECT_OFFSETS_TOPIC,
  connectorTransactionalId,
  OFFSET_READ_TIMEOUT_MS,
  offsetMessage,
  parseOffsetKey,
  readOffsets,
} from './offset-log.ts';
import type { OffsetChanges, SourceOffset } from './source-connector.ts';

/** The connector's committed offsets, one per source partition. */
export async function committedOffsets(kafka: Kafka, connector: string): Promise<Map<string, SourceOffset>> {
  const records = await readTopicToEnd(kafka, CONNECT_OFFSETS_TOPIC, (message) => parseOffsetKey(message.key)?.connector === connector, OFFSET_READ_TIMEOUT_MS);
  const offsets = new Map<string, SourceOffset>();
  // No marker is awaited: the empty one matches none.
  for (const { message } of records) applyOffsetRecord(offsets, connector, '', message.key, message.value);
  return offsets;
}

/** Commits `change(current offsets)` for the connector (fencing it) and returns its offsets after. */
export async function alterOffsets(
  kafka: Kafka,
  connector: string,
  change: (current: ReadonlyMap<string, SourceOffset>) => OffsetChanges,
): Promise<Map<string, SourceOffset>> {
  const writer = await TransactionalWriter.open(kafka, connectorTransactionalId(connector));
  try {
    const marker = await commitStartMarker(writer, connector);
    const offsets = await readOffsets(kafka, connector, marker, OFFSET_READ_TIMEOUT_MS);
    const changes = change(offsets);
    if (changes.size > 0) {
      const messages = [...changes].map(([partition, offset]) => offsetMessage(connector, partition, offset));
      await writer.commit([{ topic: CONNECT_OFFSETS_TOPIC, messages }]);
    }
    for (const [partition, offset] of changes) {
      if (offset === null) offsets.delete(partition);
      else offsets.set(partition, offset);
    }
    if (changes.size > 0) await untilReadable(kafka, connector, offsets);
    return offsets;
  } finally {
    await writer.close().catch(() => {});
  }
}

/**
 * Waits until a plain read gives the connector's offsets as just committed. A commit is acknowledged
 * before its markers reach the offsets topic, and a read_committed read stops before them until
 * then: an operator reading the offsets right after altering them would see the old ones.
 */
async function untilReadable(kafka: Kafka, connector: string, offsets: ReadonlyMap<string, SourceOffset>): Promise<void> {
  const wanted = canonicalJson([...offsets].sort(([a], [b]) => a.localeCompare(b)));
  const deadline = Date.now() + OFFSET_READ_TIMEOUT_MS;
  for (;;) {
    const read = await committedOffsets(kafka, connector);
    if (canonicalJson([...read].sort(([a], [b]) => a.localeCompare(b))) === wanted) return;
    if (Date.now() > deadline) throw new Error(`the offsets of connector ${connector} were committed but are not readable after ${OFFSET_READ_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
