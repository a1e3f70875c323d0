import { rmSync } from 'node:fs';
import kafkajs, { type Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClickHouseSink } from '../../connectors/clickhouse-sink/sink.ts';
import { applyTableRetention, currentTtls, tableRetentions, ttlExpression } from '../../connectors/clickhouse-sink/table-retention.ts';
import { createAvroSerde } from '../../services/platform/avro-serde.ts';
import { KINDS, kindEntry } from '../../services/platform/catalog.ts';
import { createClickHouse, type ClickHouseHandle } from '../../services/platform/clickhouse.ts';
import { loadConfig, retentionOf, type Config } from '../../services/platform/config.ts';
import { createLogger } from '../../services/platform/logger.ts';
import { ensureTopics, topicRetention } from '../../services/platform/topics.ts';
import { prefixedTopic, prepareCanonicalTopics } from '../support/canonical-records.ts';
import { sinkTestConfig } from '../support/clickhouse-sink.ts';
import { testKafka, uniqueName } from '../support/kafka.ts';

const { ConfigResourceTypes } = kafkajs;
const logger = createLogger('test', 'silent');
const DAY = 86_400_000;

/** The sink's test configuration with retention settings as the environment would give them. */
function withRetention(config: Config, env: Record<string, string>): Config {
  return { ...config, retention: loadConfig({ ...process.env, ...env }).retention };
}

async function topicSetting(admin: Admin, topic: string, name: string): Promise<string | undefined> {
  const { resources } = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: [name] }] });
  return resources[0]!.configEntries.find((entry) => entry.configName === name)?.configValue;
}

describe('retention', () => {
  const base = sinkTestConfig(loadConfig());
  const kafka = testKafka(base);
  const prefix = base.clickhouseSink.topicPrefix;
  const timed = KINDS.filter((kind) => !kindEntry(kind).compacted);
  let admin: Admin;
  let clickhouse: ClickHouseHandle;

  /** Starts the sink with `config` (which sets topics and tables up) and stops it again. */
  async function startAndStop(config: Config): Promise<void> {
    const sink = await startClickHouseSink({ config, logger, clickhouse });
    await sink.close();
  }

  async function inForce(): Promise<{ topics: Map<string, number>; ttls: Map<string, string | null> }> {
    const topics = await topicRetention(admin, timed.map((kind) => prefixedTopic(prefix, kind)));
    const ttls = await currentTtls(clickhouse, tableRetentions(base.retention).map((entry) => entry.table));
    return { topics, ttls };
  }

  /** Topics whose retention is not yet the configured one: a broker applies a changed setting a moment after the controller accepted it. */
  async function topicsNotYetAt(config: Config): Promise<string[]> {
    const { topics } = await inForce();
    return timed.filter((kind) => topics.get(prefixedTopic(prefix, kind)) !== retentionOf(config.retention, 'canonical', kind));
  }

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
    clickhouse = await createClickHouse(base.clickhouse);
    // The topics exist before the sink's first start, made without any retention of their own.
    await prepareCanonicalTopics(kafka, createAvroSerde(base.schemaRegistry), prefix, base.topics);
  });
  afterAll(async () => {
    await admin?.disconnect();
    await clickhouse?.client.command({ query: `DROP DATABASE IF EXISTS ${base.clickhouse.database}` }).catch(() => {});
    await clickhouse?.close();
    rmSync(base.clickhouse.dataDir, { recursive: true, force: true });
  });

  it("matches the configuration after start-up, on the canonical topics and in each kind's table", async () => {
    const config = withRetention(base, { RETENTION_CANONICAL: '20d', RETENTION_CANONICAL_TEST_RESULT: '40d', RETENTION_CLICKHOUSE: '400d', RETENTION_CLICKHOUSE_CHECKPOINT_PASSAGE: '90d' });
    await startAndStop(config);

    await expect.poll(() => topicsNotYetAt(config), { timeout: 10_000 }).toEqual([]);
    const { topics, ttls } = await inForce();
    expect(topics.get(prefixedTopic(prefix, 'test-result'))).toBe(40 * DAY);
    expect(topics.get(prefixedTopic(prefix, 'health-declaration'))).toBe(20 * DAY);
    for (const { kind, table } of tableRetentions(config.retention)) {
      expect(ttls.get(table), table).toBe(ttlExpression(retentionOf(config.retention, 'clickhouse', kind) / 1000));
    }
    expect(ttls.get('checkpoint_passages')).toBe(ttlExpression(90 * 86_400));
    // The registry is compacted and its table has no TTL: kept while current.
    expect(await topicSetting(admin, prefixedTopic(prefix, 'checkpoint'), 'cleanup.policy')).toBe('compact');
    expect((await currentTtls(clickhouse, ['checkpoints'])).get('checkpoints')).toBeNull();
  });

  it('applies a changed setting on the next start, and a start with unchanged settings changes nothing', async () => {
    const config = withRetention(base, { RETENTION_CANONICAL: '20d', RETENTION_CANONICAL_HEALTH_DECLARATION: '3d', RETENTION_CLICKHOUSE: '100d' });
    await startAndStop(config);

    await expect.poll(() => topicsNotYetAt(config), { timeout: 10_000 }).toEqual([]);
    const { topics, ttls } = await inForce();
    expect(topics.get(prefixedTopic(prefix, 'health-declaration'))).toBe(3 * DAY);
    expect(topics.get(prefixedTopic(prefix, 'test-result'))).toBe(20 * DAY);
    expect(ttls.get('checkpoint_passages')).toBe(ttlExpression(100 * 86_400));
    expect(ttls.get('health_declarations')).toBe(ttlExpression(100 * 86_400));
    // Changing the retention kept the topic's other own setting.
    expect(await topicSetting(admin, prefixedTopic(prefix, 'health-declaration'), 'cleanup.policy')).toBe('delete');

    expect(await applyTableRetention(clickhouse, tableRetentions(config.retention), null)).toEqual([]);
    const again = await ensureTopics(admin, timed.map((kind) => ({ name: prefixedTopic(prefix, kind), retentionMs: retentionOf(config.retention, 'canonical', kind) })), config.topics);
    expect(again).toEqual({ created: [], retentionChanged: [], retentionRefused: [] });
  });

  it("changes a topic's retention without touching its other settings", async () => {
    const topic = uniqueName('test-retention');
    await admin.createTopics({
      topics: [{ topic, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '200000' }, { name: 'retention.ms', value: String(DAY) }] }],
    });
    const result = await ensureTopics(admin, [{ name: topic, retentionMs: 2 * DAY }], base.topics);
    expect(result).toEqual({ created: [], retentionChanged: [topic], retentionRefused: [] });
    await expect.poll(() => topicSetting(admin, topic, 'retention.ms'), { timeout: 10_000 }).toBe(String(2 * DAY));
    expect(await topicSetting(admin, topic, 'max.message.bytes')).toBe('200000');
    await admin.deleteTopics({ topics: [topic] });
  });
});
