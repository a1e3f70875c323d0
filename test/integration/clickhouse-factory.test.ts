import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClickHouse, type ClickHouseHandle } from '../../services/platform/clickhouse.ts';
import { testConfig } from '../support/kafka.ts';

describe('ClickHouse through the client factory', () => {
  const config = testConfig();
  let clickhouse: ClickHouseHandle;

  beforeAll(async () => {
    clickhouse = await createClickHouse(config.clickhouse);
  });
  afterAll(async () => {
    await clickhouse.client.command({ query: 'DROP TABLE IF EXISTS factory_check' });
    await clickhouse.close();
  });

  it('runs on the embedded engine unless CLICKHOUSE_URL is set, in the configured database', async () => {
    expect(clickhouse.mode).toBe(config.clickhouse.url ? 'server' : 'embedded');
    const rows = await (await clickhouse.client.query({ query: 'SELECT currentDatabase() AS db', format: 'JSONEachRow' })).json<{ db: string }>();
    expect(rows).toEqual([{ db: config.clickhouse.database }]);
  });

  it('keeps the latest row per key in a ReplacingMergeTree read with FINAL', async () => {
    const { client } = clickhouse;
    await client.command({
      query: `CREATE TABLE IF NOT EXISTS factory_check (
        event_id String, province_code LowCardinality(String), doses UInt8, occurred_at DateTime64(3, 'UTC'), version UInt64
      ) ENGINE = ReplacingMergeTree(version) ORDER BY event_id`,
    });
    const at = Date.UTC(2021, 7, 14, 2, 35, 12, 481);
    await client.insert({
      table: 'factory_check',
      format: 'JSONEachRow',
      values: [
        { event_id: 'a', province_code: '01', doses: 1, occurred_at: at, version: 1 },
        { event_id: 'b', province_code: '79', doses: 0, occurred_at: at, version: 1 },
      ],
    });
    await client.insert({
      table: 'factory_check',
      format: 'JSONEachRow',
      values: [{ event_id: 'a', province_code: '01', doses: 2, occurred_at: at, version: 2 }],
    });
    const rows = await (
      await client.query({ query: 'SELECT event_id, doses, toUnixTimestamp64Milli(occurred_at) AS at FROM factory_check FINAL ORDER BY event_id', format: 'JSONEachRow' })
    ).json<{ event_id: string; doses: number; at: string }>();
    expect(rows).toEqual([
      { event_id: 'a', doses: 2, at: String(at) },
      { event_id: 'b', doses: 0, at: String(at) },
    ]);
  });
});
