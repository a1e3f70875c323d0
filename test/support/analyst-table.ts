/**
 * A small table for the analysts' access tests, made directly through a ClickHouse handle (so the
 * tests do not depend on the pipeline's migrations): three declarations-per-province rows.
 */
import type { ClickHouseHandle } from '../../services/platform/clickhouse.ts';

export const ANALYST_TABLE = 'analyst_check';

export const ANALYST_ROWS = [
  { province_code: '01', province: 'Hà Nội', day: '2021-08-14', declarations: 1200, symptomatic: 31 },
  { province_code: '48', province: 'Đà Nẵng', day: '2021-08-14', declarations: 450, symptomatic: 7 },
  { province_code: '79', province: 'Hồ Chí Minh', day: '2021-08-14', declarations: 5300, symptomatic: 240 },
] as const;

export async function createAnalystTable(clickhouse: ClickHouseHandle): Promise<void> {
  await clickhouse.client.command({
    query: `CREATE TABLE IF NOT EXISTS ${ANALYST_TABLE} (
      province_code LowCardinality(String), province String, day Date, declarations UInt64, symptomatic UInt32
    ) ENGINE = MergeTree ORDER BY (province_code, day)`,
  });
  await clickhouse.client.command({ query: `TRUNCATE TABLE ${ANALYST_TABLE}` });
  await clickhouse.client.insert({ table: ANALYST_TABLE, format: 'JSONEachRow', values: [...ANALYST_ROWS] });
}
