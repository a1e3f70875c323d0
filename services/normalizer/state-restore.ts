/**
 * Opens the workers of newly assigned partition indices: each one's transactional producer first
 * commits a start marker to its partition of the state changelog (which fences any earlier holder
 * of the index and lets its open transaction be aborted), then one scan of the changelog rebuilds
 * the state of every index up to its marker. The marker comes back only once every transaction
 * before it is decided, so the restored state holds all the committed work of earlier holders.
 */
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { closePrivateConsumer } from '../platform/topic-ends.ts';
import { TransactionalWriter } from '../platform/transactional-writer.ts';
import { DedupState, NORMALIZER_STATE_TOPIC, type DedupWindow } from './dedup-state.ts';

export interface OpenedIndex {
  index: number;
  writer: TransactionalWriter;
  state: DedupState;
}

/** One transactional id per consumer group and partition index: the next holder of the index fences the last. */
export function normalizerTransactionalId(groupId: string, index: number): string {
  return `${groupId}-${index}`;
}

export async function openIndices(kafka: Kafka, groupId: string, indices: number[], window: DedupWindow, timeoutMs = 120_000): Promise<OpenedIndex[]> {
  const opened: OpenedIndex[] = [];
  const markers = new Map<number, string>();
  try {
    for (const index of indices) {
      const writer = await TransactionalWriter.open(kafka, normalizerTransactionalId(groupId, index));
      opened.push({ index, writer, state: new DedupState(window) });
      const marker = `m:${randomUUID()}`;
      await writer.commit([{ topic: NORMALIZER_STATE_TOPIC, messages: [{ key: marker, value: null, partition: index }] }]);
      markers.set(index, marker);
    }
    await restore(kafka, new Map(opened.map((o) => [o.index, o.state])), markers, timeoutMs);
    return opened;
  } catch (error) {
    await Promise.all(opened.map((o) => o.writer.close().catch(() => {})));
    throw error;
  }
}

async function restore(kafka: Kafka, states: Map<number, DedupState>, markers: Map<number, string>, timeoutMs: number): Promise<void> {
  const pending = new Set(markers.keys());
  const groupId = `truc-normalizer-restore-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, readUncommitted: false, maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: NORMALIZER_STATE_TOPIC, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`state restore of partitions ${[...pending].join(', ')} took over ${timeoutMs} ms`)), timeoutMs);
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            const state = states.get(batch.partition);
            if (!state || !pending.has(batch.partition)) return;
            for (const message of batch.messages) {
              const key = message.key?.toString('utf8') ?? '';
              if (key === markers.get(batch.partition)) {
                pending.delete(batch.partition);
                break;
              }
              state.apply(key, message.value);
            }
            if (pending.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await closePrivateConsumer(kafka, consumer, groupId);
  }
}
