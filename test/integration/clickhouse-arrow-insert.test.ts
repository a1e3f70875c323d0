/**
 * The sink's binary (Arrow) inserts into the real embedded engine give exactly the rows its JSON
 * inserts give, for every kind's table: the same rows of generated canonical records go into two
 * databases migrated alike, one through JSONCompactEachRow as before, one through ArrowInserter,
 * and every column of every row reads back the same. The deduplication token holds (the same
 * token twice writes once), a refused row fails as the data error the sink isolates, and a batch
 * without an Arrow form (a value its column's plan does not take) is left to the JSON path.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArrowInserter } from '../../connectors/clickhouse-sink/arrow-insert.ts';
import { isDataError } from '../../connectors/clickhouse-sink/clickhouse-errors.ts';
import { PROJECTIONS } from '../../connectors/clickhouse-sink/projection.ts';
import { migrate } from '../../services/clickhouse/migrations.ts';
import { KINDS } from '../../services/platform/catalog.ts';
import { createClickHouse, type ClickHouseHandle } from '../../services/platform/clickhouse.ts';
import { loadConfig } from '../../services/platform/config.ts';
import { canonicalRecords } from '../support/canonical-records.ts';

const run = randomUUID().slice(0, 8);

describe('binary (Arrow) inserts into the embedded engine', () => {
  let json: ClickHouseHandle;
  let binary: ClickHouseHandle;
  let inserter: ArrowInserter;

  beforeAll(async () => {
    json = await createClickHouse(loadConfig({ ...process.env, CLICKHOUSE_DATABASE: `arrow_json_${run}` }).clickhouse);
    binary = await createClickHouse(loadConfig({ ...process.env, CLICKHOUSE_DATABASE: `arrow_bin_${run}` }).clickhouse);
    for (const handle of [json, binary]) await migrate(handle, { cluster: null });
    inserter = new ArrowInserter(binary.dataDir!, binary.database);
  }, 120_000);
  afterAll(async () => {
    inserter?.close();
    for (const handle of [json, binary]) {
      await handle?.client.command({ query: `DROP DATABASE IF EXISTS ${handle.database}` });
      await handle?.close();
    }
  });

  const readAll = async (handle: ClickHouseHandle, table: string) =>
    (await (await handle.client.query({ query: `SELECT * FROM ${handle.database}.${table} ORDER BY event_id`, format: 'JSONEachRow' })).json<Record<string, unknown>>());

  it("writes every kind's rows exactly as the JSON path does", async () => {
    const records = canonicalRecords(7, 3_000);
    for (const kind of KINDS) {
      const { table, project } = PROJECTIONS[kind];
      const rows = records.filter((record) => record.kind === kind).map((record) => project(record));
      expect(rows.length, kind).toBeGreaterThan(10);
      const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
      await json.client.insert({
        table: `${json.database}.${table}`,
        columns: columns as [string, ...string[]],
        format: 'JSONCompactEachRow',
        values: rows.map((row) => columns.map((column) => row[column] ?? null)),
      });
      expect(await inserter.insert({ table, columns, rows, token: `${kind}-1` }), kind).toBe(true);
      const [viaJson, viaArrow] = [await readAll(json, table), await readAll(binary, table)];
      expect(viaArrow.length, kind).toBe(rows.length);
      expect(viaArrow, kind).toEqual(viaJson);
    }
  }, 120_000);

  it('writes a token once, and fails a refused row as a data error', async () => {
    const { table, project } = PROJECTIONS['citizen-report'];
    const rows = canonicalRecords(8, 400, ['citizen-report']).map((record) => project(record));
    const columns = Object.keys(rows[0]!);
    const count = async () => Number((await readAll(binary, table)).length);
    const before = await count();
    expect(await inserter.insert({ table, columns, rows, token: 'once' })).toBe(true);
    expect(await inserter.insert({ table, columns, rows, token: 'once' })).toBe(true);
    expect(await count()).toBe(before + rows.length);

    // The province code's CHECK refuses a row; the sink halves the batch on such an error.
    const refused = inserter.insert({ table, columns, rows: [{ ...rows[0]!, province_code: '7' }], token: 'refused' });
    const error = await refused.then(() => null, (failure: unknown) => failure);
    expect(error).toMatchObject({ type: 'VIOLATED_CONSTRAINT' });
    expect(isDataError(error)).toBe(true);
  });

  it('leaves a batch it has no binary form for to the JSON path', async () => {
    const { table, project } = PROJECTIONS['health-declaration'];
    const [row] = canonicalRecords(9, 50, ['health-declaration']).map((record) => project(record));
    const columns = Object.keys(row!);
    // A date as text and a missing (null) non-nullable value: JSON reads both, Arrow does not try.
    expect(await inserter.insert({ table, columns, rows: [{ ...row!, occurred_at: '2021-08-14 02:35:12.481' }], token: 'text-date' })).toBe(false);
    expect(await inserter.insert({ table, columns, rows: [{ ...row!, vaccine_doses: null }], token: 'null' })).toBe(false);
  });
});
