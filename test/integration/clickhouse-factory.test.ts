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
    await clickhouse.client.command({ query: 'DROP TABLE IF EXISTS factory_settings' });
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

  it('keeps a setting to the call that sent it: inserts after one with a deduplication token all land', async () => {
    const { client } = clickhouse;
    await client.command({
      query: 'CREATE TABLE IF NOT EXISTS factory_settings (n UInt32) ENGINE = MergeTree ORDER BY n SETTINGS non_replicated_deduplication_window = 100',
    });
    const insert = (n: number, token?: string) =>
      client.insert({ table: 'factory_settings', format: 'JSONEachRow', values: [{ n }], clickhouse_settings: token ? { insert_deduplication_token: token } : {} });
    await insert(1, 'batch-1');
    // The same token again is a duplicate: the setting did apply to its own call.
    await insert(2, 'batch-1');
    await insert(3);
    await insert(4);
    // Concurrent calls, one of them bringing a setting no call has used before.
    await Promise.all([insert(5), client.query({ query: 'SELECT 1', clickhouse_settings: { max_result_rows: '10' } }), insert(6), insert(7, 'batch-7')]);
    await insert(8);
    const rows = await (await client.query({ query: 'SELECT groupArray(n) AS ns FROM (SELECT n FROM factory_settings ORDER BY n)', format: 'JSONEachRow' })).json<{ ns: number[] }>();
    expect(rows).toEqual([{ ns: [1, 3, 4, 5, 6, 7, 8] }]);
    const leftover = await (
      await client.query({ query: "SELECT getSetting('insert_deduplication_token') AS token, getSetting('max_result_rows') AS max_rows", format: 'JSONEachRow' })
    ).json<{ token: string; max_rows: number }>();
    expect(leftover).toEqual([{ token: '', max_rows: 0 }]);
  });
});
