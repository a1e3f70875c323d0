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
