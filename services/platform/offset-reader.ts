/**
 * Reads given offsets of given partitions (read_committed), for answers that refer to records by
 * position. A private consumer group seeks each partition to the first offset wanted and reads up to
 * the last (or the partition's end); an offset that no longer holds a record (past retention,
 * compacted away, a transaction marker) is simply absent from the answer.
 */
import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { closePrivateConsumer, retryingAdmin, runUntilDone } from './topic-ends.ts';

/** topic → partition → offsets wanted. */
export type WantedOffsets = Map<string, Map<number, Set<number>>>;

export const positionKey = (topic: string, partition: number, offset: number) => `${topic}:${partition}:${offset}`;

interface Span {
  from: number;
  /** One past the last offset to read. */
  to: number;
}

export async function readOffsets(kafka: Kafka, wanted: WantedOffsets, timeoutMs = 30_000): Promise<Map<string, KafkaMessage>> {
  const found = new Map<string, KafkaMessage>();
  // What is to be read, within what each partition still holds; partitions of no interest go to their end.
  const spans = new Map<string, Span>();
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (const [topic, partitions] of wanted) {
      for (const { partition, low, high } of await retryingAdmin(() => admin.fetchTopicOffsets(topic))) {
        const offsets = [...(partitions.get(partition) ?? [])].filter((offset) => offset >= Number(low) && offset < Number(high));
        spans.set(`${topic}:${partition}`, offsets.length > 0 ? { from: Math.min(...offsets), to: Math.max(...offsets) + 1 } : { from: Number(high), to: Number(high) });
      }
    }
  } finally {
    await admin.disconnect();
  }
  const pending = new Set([...spans].filter(([, span]) => span.to > span.from).map(([key]) => key));
  if (pending.size === 0) return found;

  const groupId = `truc-offsets-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, readUncommitted: false, maxWaitTimeInMs: 100 });
  let done: () => void = () => {};
  const reached = (topic: string, partition: number, next: number) => {
    const key = `${topic}:${partition}`;
    const span = spans.get(key);
    if (span && next >= span.to && pending.delete(key) && pending.size === 0) done();
  };
  await consumer.connect();
  try {
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => reached(payload.topic, payload.partition, Number(payload.lastOffset) + 1));
    await consumer.subscribe({ topics: [...wanted.keys()], fromBeginning: true });
    await runUntilDone(consumer, {
      timeoutMs,
      timeoutMessage: () => `could not read the records asked for within ${timeoutMs} ms`,
      onDone: (finish) => (done = finish),
      eachMessage: async ({ topic, partition, message }) => {
        const offset = Number(message.offset);
        if (wanted.get(topic)?.get(partition)?.has(offset)) found.set(positionKey(topic, partition, offset), message);
        reached(topic, partition, offset + 1);
      },
      onRunning: () => {
        for (const [key, span] of spans) {
          const cut = key.lastIndexOf(':');
          consumer.seek({ topic: key.slice(0, cut), partition: Number(key.slice(cut + 1)), offset: String(span.from) });
        }
      },
    });
  } finally {
    await closePrivateConsumer(kafka, consumer, groupId);
  }
  return found;
}
