/**
 * The coalescing producer against the real broker, on a topic whose `max.message.bytes` is small:
 * the limits are read from the cluster, batches of many callers stay within them, and a batch the
 * broker refuses anyway (limits deliberately misread) fails only the caller whose records are too large.
 */
import { Partitioners, type Admin, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoalescingProducer, RecordsTooLargeError } from '../../services/platform/coalescing-producer.ts';
import { framedMessageBytes } from '../../services/platform/record-size.ts';
import { readProduceLimits, usableBatchBytes, type ProduceLimits } from '../../services/platform/produce-limits.ts';
import { waitForLeaders } from '../../services/platform/topics.ts';
import { readTopicToEnd, testKafka, uniqueName } from '../support/kafka.ts';

const TOPIC_LIMIT = 20_000;

describe('coalescing producer on a topic with a small max.message.bytes', () => {
  const kafka = testKafka();
  const topic = uniqueName('test.small-batches');
  let admin: Admin;
  let limits: ProduceLimits;
  const producers: Producer[] = [];
  /** Produce requests sent, and those the broker refused. */
  const requests = { sent: 0, refused: 0 };
  const connect = async (): Promise<Producer> => {
    const producer = kafka.producer({ idempotent: true, retry: { retries: 2 }, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    producers.push(producer);
    return Object.assign(Object.create(producer) as Producer, {
      sendBatch: async (batch: Parameters<Producer['sendBatch']>[0]) => {
        requests.sent += 1;
        try {
          return await producer.sendBatch(batch);
        } catch (error) {
          requests.refused += 1;
          throw error;
        }
      },
    });
  };

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [{ topic, numPartitions: 2, replicationFactor: 1, configEntries: [{ name: 'max.message.bytes', value: String(TOPIC_LIMIT) }] }],
      waitForLeaders: false,
    });
    await waitForLeaders(admin, [topic]);
    limits = await readProduceLimits(admin, [topic]);
  });
  afterAll(async () => {
    await Promise.all(producers.map((producer) => producer.disconnect().catch(() => {})));
    await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    await admin.disconnect();
  });

  /** `count` messages of about `bytes` each, keyed and marked with the caller. */
  const messages = (caller: string, count: number, bytes: number) =>
    Array.from({ length: count }, (_, i) => ({ key: `${caller}-${i}`, value: Buffer.alloc(bytes, 0x61), headers: { caller } }));

  it('reads the topic\'s limit and partitions from the cluster', () => {
    expect(limits.topics.get(topic)).toEqual({ maxBatchBytes: usableBatchBytes(TOPIC_LIMIT), partitions: 2 });
    expect(limits.defaultMaxBatchBytes).toBeGreaterThan(usableBatchBytes(TOPIC_LIMIT));
    expect(limits.maxRequestBytes).toBeGreaterThan(limits.defaultMaxBatchBytes);
  });

  it('writes 40 concurrent callers\' records (several requests\' worth) in batches the broker takes', async () => {
    const batcher = new CoalescingProducer(connect, { lingerMs: 5, maxBatchMessages: 10_000, limits });
    const callers = Array.from({ length: 40 }, (_, i) => `c${i}`);
    const results = await Promise.allSettled(callers.map((caller) => batcher.send(topic, messages(caller, 4, 1_000))));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    // Several callers share each request, and the broker refused none of them.
    const perRequest = 2 * limits.topics.get(topic)!.maxBatchBytes;
    expect(requests.sent).toBeGreaterThanOrEqual(Math.ceil((160 * framedMessageBytes(messages('c0', 1, 1_000)[0]!)) / perRequest));
    expect(requests.sent).toBeLessThan(40);
    expect(requests.refused).toBe(0);
    const written = await readTopicToEnd(kafka, topic, () => true);
    expect(written).toHaveLength(160);
    // One caller whose records alone exceed the topic's limit is refused without being sent.
    await expect(batcher.send(topic, messages('big', 1, TOPIC_LIMIT))).rejects.toBeInstanceOf(RecordsTooLargeError);
    await batcher.close();
  });

  it('writes one caller\'s records that are more than one write takes in consecutive writes, all acknowledged', async () => {
    const batcher = new CoalescingProducer(connect, { lingerMs: 5, maxBatchMessages: 10_000, limits });
    const sent = requests.sent;
    // One key, so one partition: 60 KB against a limit of 20 KB per write.
    const records = Array.from({ length: 60 }, (_, i) => ({ key: 'one-person', value: Buffer.alloc(1_000, 0x62), headers: { caller: `part-${i}` } }));
    await batcher.send(topic, records);
    expect(requests.sent - sent).toBeGreaterThanOrEqual(3);
    expect(requests.refused).toBe(0);
    const written = await readTopicToEnd(kafka, topic, (m) => m.key?.toString() === 'one-person');
    expect(written.map((w) => w.message.headers!.caller!.toString())).toEqual(records.map((r) => r.headers.caller));
    await batcher.close();
  });

  it('when the broker refuses a shared batch, every other caller still gets its records written', async () => {
    // Limits misread as roomy: the batcher coalesces, and the broker refuses the batch.
    const roomy: ProduceLimits = { topics: new Map(), defaultMaxBatchBytes: 10_000_000, maxRequestBytes: 10_000_000 };
    const batcher = new CoalescingProducer(connect, { lingerMs: 20, maxBatchMessages: 10_000, limits: roomy });
    const small = Array.from({ length: 6 }, (_, i) => batcher.send(topic, messages(`s${i}`, 2, 1_000)));
    const big = batcher.send(topic, messages('big', 1, TOPIC_LIMIT + 1_000));
    const results = await Promise.allSettled([...small, big]);
    expect(results.slice(0, 6).map((r) => r.status)).toEqual(Array(6).fill('fulfilled'));
    expect(results[6]).toMatchObject({ status: 'rejected', reason: expect.any(RecordsTooLargeError) });
    expect(requests.refused).toBeGreaterThanOrEqual(2); // the shared batch, then the big caller alone
    // Kafka refuses per partition: a partition it took before refusing another is written again when
    // its callers are resent on their own. Those copies carry the same records (the same event ids,
    // which the normalizer drops as replays), so what counts is that every record got there.
    const keys = (await readTopicToEnd(kafka, topic, (m) => /^(s\d|big)/.test(m.key!.toString()))).map((m) => m.message.key!.toString());
    expect(new Set(keys)).toEqual(new Set(Array.from({ length: 6 }, (_, i) => [`s${i}-0`, `s${i}-1`]).flat()));
    await batcher.close();
  });
});
