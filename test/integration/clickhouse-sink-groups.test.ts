import { randomInt } from 'node:crypto';
import { rmSync } from 'node:fs';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClickHouseSink, type RunningClickHouseSink } from '../../connectors/clickhouse-sink/sink.ts';
import { createAvroSerde } from '../../services/platform/avro-serde.ts';
import { createClickHouse, type ClickHouseHandle } from '../../services/platform/clickhouse.ts';
import { consumerGroupLag } from '../../services/platform/consumer-lag.ts';
import { canonicalRecords, prefixedTopic, prepareCanonicalTopics, produceCanonical } from '../support/canonical-records.ts';
import { expectExactlyOnce, expectViewsAgree, sinkTestConfig } from '../support/clickhouse-sink.ts';
import { testConfig, testKafka } from '../support/kafka.ts';

/**
 * The moment a crash test can only hit by chance, made certain: ClickHouse acknowledged the
 * inserts but the offsets were not committed (here: set back after the fact). The next sink forms
 * the logged inserts again with their ranges, so ClickHouse drops them; an insert of which some
 * range was committed is only committed. And several instances: each holds whole topics, so each
 * logged insert can be formed again by whoever holds its topic.
 */
describe('ClickHouse sink: lost commits and several instances', () => {
  const base = testConfig();
  const kafka = testKafka(base);
  // Batches by time only: each insert spans every partition the records went to.
  const config = sinkTestConfig(base, { maxRows: 5_000, minRows: 5_000 });
  const prefix = config.clickhouseSink.topicPrefix;
  const topic = prefixedTopic(prefix, 'health-declaration');
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
  let clickhouse: ClickHouseHandle;
  let sink: RunningClickHouseSink | undefined;

  beforeAll(async () => {
    clickhouse = await createClickHouse(config.clickhouse);
  });
  afterAll(async () => {
    await sink?.close();
    await clickhouse?.close();
    rmSync(config.clickhouse.dataDir, { recursive: true, force: true });
  });

  async function commitAt(offsets: (partition: number, end: string) => string): Promise<void> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const ends = await admin.fetchTopicOffsets(topic);
      await admin.setOffsets({ groupId: config.clickhouseSink.groupId, topic, partitions: ends.map(({ partition, offset }) => ({ partition, offset: offsets(partition, offset) })) });
    } finally {
      await admin.disconnect();
    }
  }

  async function runUntilCaughtUp(): Promise<RunningClickHouseSink> {
    const running = await startClickHouseSink({ config, logger, clickhouse });
    sink = running;
    // Caught up when the group's commits reach the end of every partition.
    const admin = kafka.admin();
    await admin.connect();
    try {
      await expect
        .poll(async () => (await consumerGroupLag(admin, config.clickhouseSink.groupId, [topic])).get(topic), { timeout: 60_000, interval: 200 })
        .toBe(0);
    } finally {
      await admin.disconnect();
    }
    return running;
  }

  it('writes nothing twice after inserts whose commit was lost, in the table or the views', async () => {
    const serde = createAvroSerde(config.schemaRegistry);
    const ids = await prepareCanonicalTopics(kafka, serde, prefix, { ...config.topics, partitions: 3 });
    const records = canonicalRecords(randomInt(2 ** 32 - 1), 3_000, ['health-declaration']);
    let first = await startClickHouseSink({ config, logger, clickhouse });
    sink = first;
    for (let chunk = 0; chunk < 3; chunk++) {
      const part = records.slice(chunk * 1_000, (chunk + 1) * 1_000);
      await produceCanonical(kafka, serde, ids, prefix, part);
      await expectExactlyOnce(clickhouse.client, part);
    }
    await first.close();

    // No commit survived: every logged insert is formed again, and ClickHouse drops each one.
    await commitAt(() => '0');
    lines.length = 0;
    const again = await runUntilCaughtUp();
    expect(again.status().rowsWritten['health-declaration']).toBe(records.length);
    expect(lines.some((line) => line.includes('forming logged inserts again'))).toBe(true);
    await again.close();
    await expectExactlyOnce(clickhouse.client, records);
    await expectViewsAgree(clickhouse.client);

    // Only partition 0's commit survived: the inserts holding one of its ranges had been
    // acknowledged, so their other ranges are committed without an insert.
    await commitAt((partition, end) => (partition === 0 ? end : '0'));
    const committedOnly = await runUntilCaughtUp();
    expect(committedOnly.status().rowsWritten['health-declaration']).toBe(0);
    await committedOnly.close();
    sink = undefined;
    await expectExactlyOnce(clickhouse.client, records);
    await expectViewsAgree(clickhouse.client);
  }, 180_000);

  it('splits the work by whole topics between two instances, each record written once', async () => {
    // Topics and group of its own; the same engine and database (one data folder per process).
    const shared = { ...sinkTestConfig(base), clickhouse: config.clickhouse };
    const sharedPrefix = shared.clickhouseSink.topicPrefix;
    const serde = createAvroSerde(shared.schemaRegistry);
    const ids = await prepareCanonicalTopics(kafka, serde, sharedPrefix, { ...shared.topics, partitions: 3 });
    const records = canonicalRecords(randomInt(2 ** 32 - 1), 4_000);
    const engine = clickhouse;
    const instances: RunningClickHouseSink[] = [];
    try {
      instances.push(await startClickHouseSink({ config: shared, logger, clickhouse: engine }));
      instances.push(await startClickHouseSink({ config: shared, logger, clickhouse: engine }));
      await produceCanonical(kafka, serde, ids, sharedPrefix, records);
      await expectExactlyOnce(engine.client, records);
      await expectViewsAgree(engine.client);
      const kindsOf = (instance: RunningClickHouseSink) =>
        Object.entries(instance.status().rowsWritten)
          .filter(([, rows]) => rows > 0)
          .map(([kind]) => kind);
      const [first, second] = instances.map(kindsOf);
      expect(first!.length).toBeGreaterThan(0);
      expect(second!.length).toBeGreaterThan(0);
      expect(first!.filter((kind) => second!.includes(kind))).toEqual([]);
    } finally {
      for (const instance of instances) await instance.close();
    }
  }, 180_000);
});
