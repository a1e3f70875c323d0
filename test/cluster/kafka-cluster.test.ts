/**
 * The local stack as a cluster of three brokers (KAFKA_LOCAL_BROKERS=3), on a Kafka of this test's
 * own: a controller quorum of three, topics made by Truc's own topic code with three replicas and
 * two in sync, no unclean leader election; a stream of acknowledged writes loses nothing and
 * doubles nothing when the broker leading most partitions is SIGKILLed and later started again,
 * nor through a rolling restart of all three. (The first run of this test found kafkajs 2.2.4
 * resolving a send whose partitions on the killed leader were never written: infra/patches/.)
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Partitioners, type Admin, type Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka } from '../../services/platform/kafka.ts';
import { createLogger } from '../../services/platform/logger.ts';
import { readTopicToEnd } from '../../services/platform/topic-ends.ts';
import { ensureTopics } from '../../services/platform/topics.ts';
import { privateKafka, type PrivateKafka } from '../support/private-kafka.ts';

const BATCH = 50;

/** Writes batches of numbered records until stopped; keeps which numbers were acknowledged and which sends failed. */
function steadyWriter(kafka: Kafka, topic: string) {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner, retry: { retries: 3, initialRetryTime: 200 } });
  const acknowledged: number[] = [];
  const failed: number[] = [];
  let next = 0;
  let running = true;
  const done = (async () => {
    await producer.connect();
    while (running) {
      const numbers = Array.from({ length: BATCH }, () => next++);
      try {
        await producer.send({ topic, acks: -1, messages: numbers.map((n) => ({ key: String(n % 97), value: String(n) })) });
        acknowledged.push(...numbers);
      } catch {
        // Not acknowledged: it may or may not be on the topic, and is never sent again.
        failed.push(...numbers);
        await sleep(200);
      }
      await sleep(20);
    }
    await producer.disconnect();
  })();
  return {
    acknowledged,
    failed,
    async stop() {
      running = false;
      await done;
    },
  };
}

describe('a local cluster of three brokers', () => {
  let cluster: PrivateKafka;
  let kafka: Kafka;
  let admin: Admin;

  beforeAll(async () => {
    cluster = await privateKafka({ brokers: 3 });
    kafka = createKafka(cluster.config.kafka, createLogger('test', 'silent'), 'cluster-test');
    admin = kafka.admin();
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.disconnect();
    await cluster?.destroy();
  });

  const leaders = async (topic: string) => {
    const [metadata] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
    return metadata!.partitions;
  };
  const allInSync = async (topic: string) => (await leaders(topic)).every((partition) => partition.isr.length === 3);

  /** Every acknowledged number once, no number twice; the failed ones at most once. */
  const expectExactlyTheAcknowledged = async (topic: string, writer: ReturnType<typeof steadyWriter>) => {
    const read = (await readTopicToEnd(kafka, topic, () => true, 120_000)).map(({ message }) => Number(message.value!.toString()));
    const counts = new Map<number, number>();
    for (const n of read) counts.set(n, (counts.get(n) ?? 0) + 1);
    expect([...counts.values()].filter((count) => count > 1)).toEqual([]);
    expect(writer.acknowledged.filter((n) => !counts.has(n))).toEqual([]);
    expect(read.length).toBeLessThanOrEqual(writer.acknowledged.length + writer.failed.length);
  };

  it("runs a quorum of three; Truc's topics get three replicas with two in sync, and no unclean election", async () => {
    const { brokers } = await admin.describeCluster();
    expect(brokers.map((broker) => broker.nodeId).sort()).toEqual([1, 2, 3]);
    expect(cluster.config.topics).toMatchObject({ replicationFactor: 3, minInsyncReplicas: 2 });
    const topic = `cluster-${randomUUID().slice(0, 8)}`;
    await ensureTopics(admin, [{ name: topic, retentionMs: 86_400_000 }], cluster.config.topics);
    for (const partition of await leaders(topic)) expect(partition.replicas).toHaveLength(3);
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [
        { type: 2, name: topic, configNames: ['min.insync.replicas', 'unclean.leader.election.enable', 'retention.ms'] },
        { type: 4, name: '1', configNames: ['default.replication.factor', 'offsets.topic.replication.factor', 'transaction.state.log.min.isr'] },
      ],
    });
    const values = Object.fromEntries(resources.flatMap((resource) => resource.configEntries.map((entry) => [entry.configName, entry.configValue])));
    expect(values).toMatchObject({
      'min.insync.replicas': '2',
      'unclean.leader.election.enable': 'false',
      'retention.ms': '86400000',
      'default.replication.factor': '3',
      'offsets.topic.replication.factor': '3',
      'transaction.state.log.min.isr': '2',
    });
  });

  it('loses and doubles no acknowledged write when the broker leading most partitions is SIGKILLed, and takes it back in sync', async () => {
    const topic = `cluster-kill-${randomUUID().slice(0, 8)}`;
    await ensureTopics(admin, [{ name: topic, partitions: 6 }], cluster.config.topics);
    const writer = steadyWriter(kafka, topic);
    await sleep(2_000);
    const counts = new Map<number, number>();
    for (const { leader } of await leaders(topic)) counts.set(leader, (counts.get(leader) ?? 0) + 1);
    const victim = [...counts].sort((a, b) => b[1] - a[1])[0]![0];
    await cluster.kill(victim);
    const atKill = writer.acknowledged.length;
    // The two left keep taking writes (two in sync are enough), under new leaders.
    await expect.poll(() => writer.acknowledged.length, { timeout: 60_000, interval: 250 }).toBeGreaterThan(atKill + 10 * BATCH);
    expect((await leaders(topic)).every((partition) => partition.leader !== victim)).toBe(true);
    await cluster.startBroker(victim);
    await expect.poll(() => allInSync(topic), { timeout: 120_000, interval: 1_000 }).toBe(true);
    await writer.stop();
    await expectExactlyTheAcknowledged(topic, writer);
  }, 240_000);

  it('keeps serving through a rolling restart of all three', async () => {
    const topic = `cluster-roll-${randomUUID().slice(0, 8)}`;
    await ensureTopics(admin, [{ name: topic, partitions: 6 }], cluster.config.topics);
    const writer = steadyWriter(kafka, topic);
    for (const id of [1, 2, 3]) {
      await cluster.stopBroker(id);
      const before = writer.acknowledged.length;
      await expect.poll(() => writer.acknowledged.length, { timeout: 60_000, interval: 250 }).toBeGreaterThan(before + 5 * BATCH);
      await cluster.startBroker(id);
      await expect.poll(() => allInSync(topic), { timeout: 120_000, interval: 1_000 }).toBe(true);
    }
    await writer.stop();
    await expectExactlyTheAcknowledged(topic, writer);
  }, 480_000);
});
