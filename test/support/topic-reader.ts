/**
 * Reads a whole topic as it stands (read_committed), for tests on topics other tests share: every
 * message from the start up to the end each partition had when the read began.
 */
import type { Kafka, KafkaMessage } from 'kafkajs';
import { uniqueName } from './kafka.ts';

export interface TopicMessage {
  partition: number;
  message: KafkaMessage;
}

export async function readTopicToEnd(kafka: Kafka, topic: string, timeoutMs = 30_000): Promise<TopicMessage[]> {
  const admin = kafka.admin();
  await admin.connect();
  // The admin client lists offsets read_committed: the end is the last stable offset.
  const ends = new Map<number, number>();
  try {
    for (const { partition, offset, low } of await admin.fetchTopicOffsets(topic)) {
      if (Number(offset) > Number(low)) ends.set(partition, Number(offset));
    }
  } finally {
    await admin.disconnect();
  }
  const messages: TopicMessage[] = [];
  if (ends.size === 0) return messages;

  const consumer = kafka.consumer({ groupId: uniqueName('test-topic-reader'), readUncommitted: false });
  // Where each partition's reading stands. Transaction markers take offsets but are never delivered
  // as messages, so the position comes from the batches' last offsets too.
  const positions = new Map<number, number>();
  let done: () => void = () => {};
  const advance = (partition: number, next: number) => {
    positions.set(partition, Math.max(positions.get(partition) ?? 0, next));
    if ([...ends].every(([p, end]) => (positions.get(p) ?? 0) >= end)) done();
  };
  await consumer.connect();
  try {
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => advance(payload.partition, Number(payload.lastOffset) + 1));
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`read ${messages.length} messages of ${topic} in ${timeoutMs} ms without reaching its end`)), timeoutMs);
      done = () => {
        clearTimeout(timer);
        resolve();
      };
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            if (Number(message.offset) < (ends.get(partition) ?? 0)) messages.push({ partition, message });
            advance(partition, Number(message.offset) + 1);
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return messages;
}
