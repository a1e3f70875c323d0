/**
 * Test helpers around the run's real Kafka: clients from the worker's configuration, unique
 * topic names, and bounded reads of a topic from the beginning.
 */
import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { loadConfig, type Config } from '../../services/platform/config.ts';
import { createKafka } from '../../services/platform/kafka.ts';
import { createLogger } from '../../services/platform/logger.ts';
import { closePrivateConsumer, committedEnds, type TopicMessage } from '../../services/platform/topic-ends.ts';

export function testConfig(): Config {
  return loadConfig();
}

export function testKafka(config: Config = testConfig()): Kafka {
  return createKafka(config.kafka, createLogger('test', 'silent'), 'test');
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** Reads `count` messages from the start of `topic` (read_committed) in a fresh consumer group, failing after `timeoutMs`. */
export async function readMessages(
  kafka: Kafka,
  topic: string,
  count: number,
  timeoutMs = 30_000,
  groupId = uniqueName('test-reader'),
): Promise<KafkaMessage[]> {
  const consumer = kafka.consumer({ groupId, readUncommitted: false });
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

export { readTopicToEnd, type TopicMessage } from '../../services/platform/topic-ends.ts';

export interface ReadUntilOptions {
  /** Which messages count (all when not given); the others are skipped. */
  keep?: (message: KafkaMessage) => boolean;
  timeoutMs?: number;
}

/**
 * Reads `topic` (read_committed) from its beginning until the kept messages satisfy `until` (at
 * least that many, or the predicate), then on to the end the topic has at that moment, so a repeat
 * committed before is seen too.
 *
 * A read "to the end" right after a writer committed may stop short: a read_committed reader sees
 * a partition only up to its last stable offset, which stays before any transaction still open
 * there (another test's connector, one killed mid-transaction) and before a commit whose markers
 * the coordinator is still writing. Tests therefore wait for what they mean.
 */
export async function readTopicUntil(
  kafka: Kafka,
  topic: string,
  until: number | ((messages: TopicMessage[]) => boolean),
  { keep = () => true, timeoutMs = 60_000 }: ReadUntilOptions = {},
): Promise<TopicMessage[]> {
  const satisfied = typeof until === 'number' ? (messages: TopicMessage[]) => messages.length >= until : until;
  const messages: TopicMessage[] = [];
  const positions = new Map<number, number>();
  // The ends to reach once `until` holds; null before.
  let ends: Map<number, number> | null = null;
  let checking = false;
  const groupId = `truc-test-read-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, readUncommitted: false, maxWaitTimeInMs: 100 });
  let finish: () => void = () => {};
  let fail: (error: Error) => void = () => {};
  const reachedEnds = () => ends !== null && [...ends].every(([partition, end]) => (positions.get(partition) ?? 0) >= end);
  const check = async () => {
    if (ends === null && !checking && satisfied(messages)) {
      checking = true;
      try {
        ends = await committedEnds(kafka, topic);
      } catch (error) {
        fail(error as Error);
        return;
      }
    }
    if (reachedEnds()) finish();
  };
  const advance = (partition: number, next: number) => {
    positions.set(partition, Math.max(positions.get(partition) ?? 0, next));
  };
  await consumer.connect();
  try {
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      advance(payload.partition, Number(payload.lastOffset) + 1);
      void check();
    });
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        const wanted = typeof until === 'number' ? `${until}` : 'the awaited';
        reject(new Error(`read ${messages.length} messages of ${topic} in ${timeoutMs} ms, waiting for ${wanted}`));
      }, timeoutMs);
      finish = () => {
        clearTimeout(timer);
        resolve();
      };
      fail = (error) => {
        clearTimeout(timer);
        reject(error);
      };
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            if (keep(message)) messages.push({ partition, message });
            advance(partition, Number(message.offset) + 1);
          },
        })
        .catch(reject);
      // An empty topic and `until` already true: nothing will arrive to trigger a check.
      void check();
    });
  } finally {
    await closePrivateConsumer(kafka, consumer, groupId);
  }
  return messages;
}
