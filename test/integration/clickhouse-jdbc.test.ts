/**
 * The ClickHouse JDBC driver (com.clickhouse:clickhouse-jdbc, what DBeaver, Metabase and similar
 * tools load) against the analysts' endpoint: test/jdbc/ is a small Maven project whose program
 * prints, as JSON, what the driver saw. It runs with the driver's defaults (ClickHouse's native
 * block compression of results, `compress=1`), with HTTP compression (`enable_http_compression=1`
 * and `Accept-Encoding: lz4`), and with compressed request bodies (`decompress=1`).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../services/platform/config.ts';
import { ANALYST_USER, startAnalystEndpoint, type AnalystEndpoint } from '../support/analyst-endpoint.ts';

const run = promisify(execFile);
const PROJECT = path.join(REPO_ROOT, 'test/jdbc');
const TABLE = 'jdbc_types';

/** One column of each type the analysts' tables use (infra/clickhouse/*.sql). */
const COLUMNS = [
  'id UInt64', 'label String', 'code LowCardinality(String)', 'code_or_null LowCardinality(Nullable(String))',
  'text_or_null Nullable(String)', 'event_id UUID', 'at DateTime64(3, \'UTC\')', 'at_or_null Nullable(DateTime64(3, \'UTC\'))',
  'hour DateTime(\'UTC\')', 'day Date', 'day32 Date32', 'day32_or_null Nullable(Date32)', 'tags Array(LowCardinality(String))',
  'small UInt8', 'count16 UInt16', 'count16_or_null Nullable(UInt16)', 'count32 UInt32', 'flag Bool', 'flag_or_null Nullable(Bool)',
  'ratio_or_null Nullable(Float64)',
];
const ROWS = [
  {
    id: 1, label: 'Hà Nội', code: '01', code_or_null: 'NATIONAL', text_or_null: 'O\'Brien \\ tab\there', event_id: '6f1c0a8e-6f4a-5b8e-9d3c-2b1a0f9e8d7c',
    at: '2021-08-14 10:11:12.345', at_or_null: '2021-08-15 00:00:00.001', hour: '2021-08-14 10:00:00', day: '2021-08-14', day32: '1950-01-02',
    day32_or_null: '2021-07-01', tags: ['FEVER', 'COUGH'], small: 255, count16: 65535, count16_or_null: 1987, count32: 4294967295,
    flag: true, flag_or_null: false, ratio_or_null: 105.8342,
  },
  {
    id: 2, label: 'it\'s not \\ this', code: '79', code_or_null: null, text_or_null: null, event_id: '00000000-0000-0000-0000-000000000001',
    at: '1970-01-01 00:00:00.000', at_or_null: null, hour: '2021-08-14 23:00:00', day: '2021-12-31', day32: '2100-01-01', day32_or_null: null,
    tags: [], small: 0, count16: 0, count16_or_null: null, count32: 0, flag: false, flag_or_null: null, ratio_or_null: null,
  },
];

interface ProbeReport {
  driver: string;
  tables: string[];
  columns: string[];
  rows: Array<Record<string, string | null>>;
  largeRead: string;
  prepared: string[];
  echo: string;
  echoNumber: string;
  refusals: string[];
}

describe('the ClickHouse JDBC driver against the analysts\' endpoint', () => {
  let rig: AnalystEndpoint;
  let classpath: string;

  beforeAll(async () => {
    rig = await startAnalystEndpoint('jdbc', async (clickhouse) => {
      await clickhouse.client.command({ query: `CREATE TABLE ${TABLE} (${COLUMNS.join(', ')}) ENGINE = MergeTree ORDER BY id` });
      await clickhouse.client.insert({ table: TABLE, format: 'JSONEachRow', values: ROWS });
    });
    // .ci/run resolves the driver first; here the build is quick and offline-capable.
    await run('mvn', ['-q', '-B', 'compile'], { cwd: PROJECT, timeout: 170_000 });
    classpath = `${path.join(PROJECT, 'target/classes')}${path.delimiter}${readFileSync(path.join(PROJECT, 'target/classpath.txt'), 'utf8').trim()}`;
  });
  afterAll(async () => {
    await rig?.close();
  });

  const probe = async (...properties: string[]): Promise<ProbeReport> => {
    const url = `jdbc:clickhouse:${rig.endpoint.url}/${rig.database}`;
    const { stdout } = await run('java', ['-cp', classpath, 'truc.jdbc.Probe', url, ANALYST_USER, rig.password, TABLE, ...properties], { timeout: 60_000 });
    return JSON.parse(stdout.trim().split('\n').at(-1)!) as ProbeReport;
  };

  const expectFaithful = (report: ProbeReport): void => {
    expect(report.driver).toMatch(/0\.10\./);
    expect(report.tables).toContain(TABLE);
    expect(report.columns).toEqual(COLUMNS.map((column) => column.replace(/\\'/g, '\'')));
    const [first, second] = report.rows;
    expect(report.rows).toHaveLength(2);
    expect(first).toEqual({
      id: '1', label: 'Hà Nội', code: '01', code_or_null: 'NATIONAL', text_or_null: 'O\'Brien \\ tab\there', event_id: ROWS[0]!.event_id,
      at: '2021-08-14T10:11:12.345Z', at_or_null: '2021-08-15T00:00:00.001Z', hour: '2021-08-14T10:00:00Z', day: '2021-08-14',
      day32: '1950-01-02', day32_or_null: '2021-07-01', tags: '[FEVER, COUGH]', small: '255', count16: '65535', count16_or_null: '1987',
      count32: '4294967295', flag: 'true', flag_or_null: 'false', ratio_or_null: '105.8342',
    });
    expect(second).toEqual({
      id: '2', label: 'it\'s not \\ this', code: '79', code_or_null: null, text_or_null: null, event_id: ROWS[1]!.event_id,
      at: '1970-01-01T00:00:00Z', at_or_null: null, hour: '2021-08-14T23:00:00Z', day: '2021-12-31', day32: '2100-01-01', day32_or_null: null,
      tags: '[]', small: '0', count16: '0', count16_or_null: null, count32: '0', flag: 'false', flag_or_null: null, ratio_or_null: null,
    });
    expect(report.largeRead).toBe(`100000 rows, sum ${(99_999 * 100_000) / 2}, ${64 * 100_000} characters`);
    // Prepared statements: the driver sends the values; a quote and a backslash come back as they were.
    expect(report.prepared).toEqual(['1:Hà Nội']);
    expect(report.echo).toBe('O\'Brien \\ tab\there\nnew line');
    expect(report.echoNumber).toBe('42');
    // Writes are errors the driver raises, never an update count.
    expect(report.refusals).toHaveLength(4);
    for (const refusal of report.refusals) expect(refusal).toMatch(/READONLY|readonly/);
  };

  it('works with the driver\'s defaults (results in ClickHouse\'s compressed blocks)', async () => {
    expectFaithful(await probe());
  }, 120_000);

  it('works with HTTP compression (lz4) and with compressed request bodies', async () => {
    expectFaithful(await probe('client.use_http_compression=true'));
    expectFaithful(await probe('decompress=true'));
  }, 120_000);

  it('leaves the table as it was', async () => {
    const count = await (await rig.clickhouse.client.query({ query: `SELECT count() AS n FROM ${TABLE}`, format: 'JSONEachRow' })).json<{ n: string }>();
    expect(count).toEqual([{ n: '2' }]);
  });
});
