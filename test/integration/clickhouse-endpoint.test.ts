/**
 * The analysts' read-only endpoint on the embedded engine: what curl and @clickhouse/client see,
 * and that nothing written through it reaches the data.
 */
import { gunzipSync } from 'node:zlib';
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANALYST_USER, basicAuth, startAnalystEndpoint, type AnalystEndpoint } from '../support/analyst-endpoint.ts';
import { ANALYST_ROWS, ANALYST_TABLE, createAnalystTable } from '../support/analyst-table.ts';

describe('the analysts\' ClickHouse-HTTP endpoint', () => {
  let rig: AnalystEndpoint;
  let client: ClickHouseClient;
  const auth = (): string => rig.auth;

  const post = (body: string, search = '', headers: Record<string, string> = {}): Promise<Response> =>
    fetch(`${rig.endpoint.url}/${search}`, { method: 'POST', body, headers: { authorization: auth(), ...headers } });
  const tableRows = async (): Promise<number> =>
    Number((await (await rig.clickhouse.client.query({ query: `SELECT count() AS n FROM ${ANALYST_TABLE}`, format: 'JSONEachRow' })).json<{ n: string }>())[0]!.n);

  beforeAll(async () => {
    rig = await startAnalystEndpoint('endpoint', createAnalystTable);
    client = createClient({ url: rig.endpoint.url, username: ANALYST_USER, password: rig.password, database: rig.database, log: { level: ClickHouseLogLevel.OFF } });
  });
  afterAll(async () => {
    await client?.close();
    await rig?.close();
  });

  it('answers /ping and a bare GET / without credentials, like a server', async () => {
    for (const path of ['/ping', '/']) {
      const response = await fetch(`${rig.endpoint.url}${path}`);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('Ok.\n');
    }
  });

  it('answers a GET ?query= with basic auth in TabSeparated, with the X-ClickHouse-* headers', async () => {
    const query = `SELECT province_code, province, declarations FROM ${ANALYST_TABLE} ORDER BY province_code`;
    const response = await fetch(`${rig.endpoint.url}/?query=${encodeURIComponent(query)}&query_id=analyst-q1`, { headers: { authorization: auth() } });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(ANALYST_ROWS.map((row) => `${row.province_code}\t${row.province}\t${row.declarations}\n`).join(''));
    expect(response.headers.get('content-type')).toBe('text/tab-separated-values; charset=UTF-8');
    expect(response.headers.get('x-clickhouse-format')).toBe('TabSeparated');
    expect(response.headers.get('x-clickhouse-query-id')).toBe('analyst-q1');
    expect(response.headers.get('x-clickhouse-timezone')).toMatch(/UTC/);
    expect(response.headers.get('x-clickhouse-exception-code')).toBeNull();
    const summary = JSON.parse(response.headers.get('x-clickhouse-summary')!) as Record<string, string>;
    expect(summary.read_rows).toBe('3');
    expect(Number(summary.elapsed_ns)).toBeGreaterThan(0);
  });

  it('joins the query parameter and the POST body, honours FORMAT, default_format, database and X-ClickHouse-User/Key', async () => {
    const joined = await post(`FROM ${ANALYST_TABLE} WHERE symptomatic > {min:UInt32} ORDER BY province_code FORMAT JSON`, `?query=${encodeURIComponent('SELECT province_code, symptomatic')}&param_min=10`);
    expect(joined.status).toBe(200);
    expect(joined.headers.get('x-clickhouse-format')).toBe('JSON');
    const json = (await joined.json()) as { data: Array<{ province_code: string; symptomatic: number }>; rows: number };
    expect(json.data).toEqual([{ province_code: '01', symptomatic: 31 }, { province_code: '79', symptomatic: 240 }]);

    const eachRow = await fetch(`${rig.endpoint.url}/?default_format=JSONEachRow&database=${rig.database}`, {
      method: 'POST',
      body: 'SELECT currentDatabase() AS db, toUInt64(18446744073709551615) AS big',
      headers: { 'X-ClickHouse-User': ANALYST_USER, 'X-ClickHouse-Key': rig.password },
    });
    expect(eachRow.status).toBe(200);
    // 64-bit integers are quoted in JSON, as a server does by default.
    expect(await eachRow.text()).toBe(`{"db":"${rig.database}","big":"18446744073709551615"}\n`);

    // Only the analysts' database may be chosen; `default` (what clients naming none send) means it.
    expect(await (await post('SELECT currentDatabase()', '?database=default')).text()).toBe(`${rig.database}\n`);
    const otherDatabase = await post('SELECT 1', '?database=system');
    expect(otherDatabase.status).toBe(403);
    expect(await otherDatabase.text()).toMatch(/database system is not allowed for analysts .*\(ACCESS_DENIED\)/);

    const badDatabase = await post('SELECT 1', '?database=x%3BDROP');
    expect(badDatabase.status).toBe(404);
    expect(badDatabase.headers.get('x-clickhouse-exception-code')).toBe('81');
  });

  it('refuses a wrong password (403) and a missing one (401) with ClickHouse\'s error text', async () => {
    const wrong = await fetch(`${rig.endpoint.url}/?query=SELECT+1`, { headers: { authorization: basicAuth(ANALYST_USER, 'not-the-password') } });
    expect(wrong.status).toBe(403);
    expect(wrong.headers.get('x-clickhouse-exception-code')).toBe('516');
    expect(await wrong.text()).toMatch(/^Code: 516\. DB::Exception: epi: Authentication failed: .*\(AUTHENTICATION_FAILED\) \(version [^)]+\)\n$/);

    const otherUser = await fetch(`${rig.endpoint.url}/?query=SELECT+1`, { headers: { 'X-ClickHouse-User': 'default', 'X-ClickHouse-Key': rig.password } });
    expect(otherUser.status).toBe(403);

    const none = await fetch(`${rig.endpoint.url}/?query=SELECT+1`);
    expect(none.status).toBe(401);
    expect(none.headers.get('x-clickhouse-exception-code')).toBe('194');
    expect(await none.text()).toMatch(/\(REQUIRED_PASSWORD\)/);
  });

  it('serves @clickhouse/client: query with JSONEachRow and parameters, ping, compressed responses', async () => {
    const rows = await (
      await client.query({
        query: `SELECT province, declarations FROM ${ANALYST_TABLE} WHERE province_code IN {codes:Array(String)} ORDER BY province_code`,
        query_params: { codes: ['01', '79'] },
        format: 'JSONEachRow',
      })
    ).json<{ province: string; declarations: string }>();
    expect(rows).toEqual([
      { province: 'Hà Nội', declarations: '1200' },
      { province: 'Hồ Chí Minh', declarations: '5300' },
    ]);
    expect((await client.ping()).success).toBe(true);

    const compressed = createClient({ url: rig.endpoint.url, username: ANALYST_USER, password: rig.password, database: rig.database, compression: { response: true, request: true } });
    try {
      const total = await (await compressed.query({ query: `SELECT sum(declarations) AS total FROM ${ANALYST_TABLE}`, format: 'JSONEachRow' })).json<{ total: string }>();
      expect(total).toEqual([{ total: '6950' }]);
      // exec sends its query body gzip-compressed when request compression is on.
      const exec = await compressed.exec({ query: `SELECT max(symptomatic) FROM ${ANALYST_TABLE} FORMAT TSV` });
      let text = '';
      for await (const chunk of exec.stream) text += String(chunk);
      expect(text).toBe('240\n');
      expect(Number(exec.summary?.read_rows)).toBeGreaterThan(0);
    } finally {
      await compressed.close();
    }
    const raw = await post(`SELECT count() FROM ${ANALYST_TABLE}`, '?enable_http_compression=1', { 'Accept-Encoding': 'gzip' });
    expect(raw.headers.get('content-encoding')).toBe('gzip');
  });

  it('refuses INSERT, DROP, ALTER, settings changes, files and several statements; the data stays as it was', async () => {
    const attempts: Array<[string, string]> = [
      [`INSERT INTO ${ANALYST_TABLE} (province_code, province, day, declarations, symptomatic) VALUES ('02', 'Hà Giang', '2021-08-14', 1, 1)`, ''],
      [`DROP TABLE ${ANALYST_TABLE}`, ''],
      [`ALTER TABLE ${ANALYST_TABLE} DELETE WHERE 1`, ''],
      [`TRUNCATE TABLE ${ANALYST_TABLE}`, ''],
      [`SELECT * FROM file('/etc/hostname', 'LineAsString')`, ''],
      [`SELECT * FROM ${ANALYST_TABLE} INTO OUTFILE '/tmp/analyst-leak.tsv'`, ''],
      ['SELECT 1', '?readonly=0'],
      ['SELECT 1', '?max_threads=64'],
      [`SELECT 1 SETTINGS readonly = 0`, ''],
      ['KILL QUERY WHERE 1', ''],
    ];
    // Writes and settings are refused as a server refuses a readonly user (164); files, by the analysts' policy (497).
    for (const [sql, search] of attempts) {
      const response = await post(sql, search);
      expect(response.status, sql).toBe(403);
      expect(response.headers.get('x-clickhouse-exception-code'), sql).toMatch(/^(164|497)$/);
      expect(await response.text(), sql).toMatch(/^Code: (164\. DB::Exception: .*\(READONLY\)|497\. DB::Exception: .*\(ACCESS_DENIED\))/);
    }
    const several = await post(`SELECT 1; DROP TABLE ${ANALYST_TABLE}`);
    expect(several.status).toBe(400);
    expect(await several.text()).toMatch(/Multi-statements are not allowed/);

    await expect(client.command({ query: `INSERT INTO ${ANALYST_TABLE} SELECT * FROM ${ANALYST_TABLE}` })).rejects.toMatchObject({ code: '164', type: 'READONLY' });
    await expect(client.command({ query: `DROP TABLE ${ANALYST_TABLE}` })).rejects.toMatchObject({ code: '164', type: 'READONLY' });
    await expect(client.insert({ table: ANALYST_TABLE, values: [ANALYST_ROWS[0]], format: 'JSONEachRow' })).rejects.toMatchObject({ type: 'READONLY' });

    expect(await tableRows()).toBe(ANALYST_ROWS.length);
  });

  it('answers a syntax error and an unknown table with ClickHouse\'s error text, status and X-ClickHouse-Exception-Code', async () => {
    const syntax = await post(`SELECT province FROM ${ANALYST_TABLE} WHERE`);
    expect(syntax.status).toBe(400);
    expect(syntax.headers.get('x-clickhouse-exception-code')).toBe('62');
    expect(await syntax.text()).toMatch(/^Code: 62\. DB::Exception: Syntax error: failed at position \d+[\s\S]*\(SYNTAX_ERROR\) \(version [^)]+\)\n$/);

    const unknown = await post('SELECT * FROM no_such_table');
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('x-clickhouse-exception-code')).toBe('60');
    expect(await unknown.text()).toMatch(/\(UNKNOWN_TABLE\)/);

    await expect(client.query({ query: 'SELECT nope(', format: 'JSONEachRow' })).rejects.toMatchObject({ code: '62', type: 'SYNTAX_ERROR' });
    // A misspelt statement word gets the engine's parse error, not a readonly refusal.
    const misspelt = await post('INSRT INTO x VALUES (1)');
    expect(misspelt.status).toBe(400);
    expect(misspelt.headers.get('x-clickhouse-exception-code')).toBe('62');
  });

  it('keeps answering correctly after a query that failed midway or ran out of time', async () => {
    const limited = await post(`SELECT province_code FROM ${ANALYST_TABLE} ORDER BY province_code`, '?max_result_rows=1');
    expect(limited.status).toBe(500);
    expect(await limited.text()).toMatch(/TOO_MANY_ROWS_OR_BYTES/);
    // Same settings again: a fresh session, with no leftover output of the failed query.
    const next = await post(`SELECT province_code FROM ${ANALYST_TABLE} ORDER BY province_code LIMIT 1`, '?max_result_rows=1');
    expect(await next.text()).toBe('01\n');

    const slow = await post('SELECT count() FROM system.numbers WHERE sipHash64(number) % 7 = 3', '?max_execution_time=1');
    expect(slow.status).toBe(408);
    expect(slow.headers.get('x-clickhouse-exception-code')).toBe('159');
    expect(await (await post('SELECT 42')).text()).toBe('42\n');
  });
});
