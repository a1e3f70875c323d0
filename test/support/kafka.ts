/**
 * Test helpers around the run's real Kafka: clients from the worker's configuration, unique
 * topic names, and a bounded read of a topic from the beginning.
 */
import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { loadConfig, type Config } from '../../services/platform/config.ts';
import { createKafka } from '../../services/platform/kafka.ts';
import { createLogger } from '../../services/platform/logger.ts';

export function testConfig(): Config {
  return loadConfig();
}

export function testKafka(config: Config = testConfig()): Kafka {
  return createKafka(config.kafka, createLogger('test', 'silent'), 'test');
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** Reads `count` messages from the start of `topic` (read_committed), failing after `timeoutMs`. */
export async function readMessages(kafka: Kafka, topic: string, count: number, timeoutMs = 30_000): Promise<KafkaMessage[]> {
  const consumer = kafka.consumer({ groupId: uniqueName('test-reader'), readUncommitted: false });
  const messages: KafkaMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`read ${messages.length} of ${count} messages from ${topic} in ${timeoutMs} ms`)), timeoutMs);
      void consumer.run({
        eachMessage: async ({ message }) => {
          messages.push(message);
          if (messages.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return messages;
}

export interface TopicMessage {
  partition: number;
  message: KafkaMessage;
}

/**
 * Reads a whole topic as it stands (read_committed), for tests on topics other tests share: every
 * message from the start up to the end each partition had when the read began, for which `keep`
 * (if given) is true.
 */
export async function readTopicToEnd(
  kafka: Kafka,
  topic: string,
  keep: (message: KafkaMessage) => boolean = () => true,
  timeoutMs = 30_000,
): Promise<TopicMessage[]> {
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

  const consumer = kafka.consumer({ groupId: uniqueName('test-topic-reader'), readUncommitted: false, maxWaitTimeInMs: 100 });
  // Where each partition's reading stands. Transaction markers take offsets but are never delivered
  // as messages; kafkajs still reports the batches holding them through END_BATCH_PROCESS.
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
      const timer = setTimeout(
        () => reject(new Error(`read ${messages.length} messages of ${topic} in ${timeoutMs} ms without reaching its end`)),
        timeoutMs,
      );
      done = () => {
        clearTimeout(timer);
        resolve();
      };
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            if (Number(message.offset) < (ends.get(partition) ?? 0) && keep(message)) messages.push({ partition, message });
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
