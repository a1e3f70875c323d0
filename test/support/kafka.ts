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

/**
 * Reads a topic from the beginning to its current end (read_committed) and returns the messages
 * for which `keep` is true. The end is taken when the call starts, so concurrent writers don't make
 * it wait forever. A partition whose last offsets are transaction markers never delivers them, so
 * the scan also ends once fetches keep coming back empty after the group has joined.
 */
export async function readTopicToEnd(
  kafka: Kafka,
  topic: string,
  keep: (message: KafkaMessage) => boolean = () => true,
  timeoutMs = 30_000,
): Promise<KafkaMessage[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
  await admin.disconnect();
  const remaining = new Set([...ends].filter(([, high]) => high > 0).map(([partition]) => partition));
  const kept: KafkaMessage[] = [];
  if (remaining.size === 0) return kept;
  const consumer = kafka.consumer({ groupId: uniqueName('test-scan'), readUncommitted: false, maxWaitTimeInMs: 100 });
  let joined = false;
  let emptyFetches = 0;
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`scan of ${topic} did not reach the end in ${timeoutMs} ms`)), timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        resolve();
      };
      consumer.on(consumer.events.GROUP_JOIN, () => {
        joined = true;
      });
      consumer.on(consumer.events.FETCH, ({ payload }: { payload: { numberOfBatches: number } }) => {
        emptyFetches = payload.numberOfBatches === 0 ? emptyFetches + 1 : 0;
        if (joined && emptyFetches >= 5) finish();
      });
      void consumer.run({
        eachBatch: async ({ batch }) => {
          const end = ends.get(batch.partition)!;
          for (const message of batch.messages) {
            if (Number(message.offset) < end && keep(message)) kept.push(message);
          }
          if (Number(batch.lastOffset()) + 1 >= end) remaining.delete(batch.partition);
          if (remaining.size === 0) finish();
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return kept;
}
