/**
 * The transactional writer against the real broker: back-to-back transactions that carry only a
 * consumer group's offsets (what the normalizer commits when a batch held only duplicates). Each
 * starts with AddOffsetsToTxn while the previous commit's markers may still be written; the broker
 * then answers CONCURRENT_TRANSACTIONS, which once crashed the normalizer's consumer in `npm start`.
 */
import type { Admin } from 'kafkajs';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka } from '../../services/platform/kafka.ts';
import { waitForLeaders } from '../../services/platform/topics.ts';
import { TransactionalWriter } from '../../services/platform/transactional-writer.ts';
import { testConfig, testKafka, uniqueName } from '../support/kafka.ts';

const COMMITS = 300;

describe('transactional writer, offsets-only transactions back to back', () => {
  const config = testConfig();
  const topic = uniqueName('test.offsets-only');
  const groupId = uniqueName('test-offsets-only');
  /** The broker's CONCURRENT_TRANSACTIONS answers, as kafkajs logs them. */
  let concurrentAnswers = 0;
  const kafka = testKafka(config);
  // A client whose log counts the answers the writer had to retry (kafkajs logs each protocol error).
  const counter = pino({ level: 'debug' }, { write: (line: string) => void (line.includes('another concurrent operation') && (concurrentAnswers += 1)) });
  const counted = createKafka(config.kafka, counter, 'test');
  let admin: Admin;

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: false });
    await waitForLeaders(admin, [topic]);
  });

  afterAll(async () => {
    await admin.deleteGroups([groupId]).catch(() => {});
    await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    await admin.disconnect();
  });

  it('commits every one, retrying the offsets the coordinator is not ready for', async () => {
    const writer = await TransactionalWriter.open(counted, uniqueName('test-offsets-writer'));
    try {
      for (let offset = 1; offset <= COMMITS; offset += 1) {
        await writer.commit([], { consumerGroupId: groupId, topics: [{ topic, partitions: [{ partition: 0, offset: String(offset) }] }] });
      }
    } finally {
      await writer.close();
    }
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    expect(committed!.partitions).toEqual([expect.objectContaining({ partition: 0, offset: String(COMMITS) })]);
    // Not asserted (it depends on timing), but told: how often the broker said "not yet".
    console.info(`${COMMITS} offsets-only transactions met ${concurrentAnswers} CONCURRENT_TRANSACTIONS answers`);
  }, 120_000);
});
