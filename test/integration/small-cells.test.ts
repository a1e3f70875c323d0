/**
 * Small-cell protection (issue 15, item 5) on the real engine, asked as an analyst through the
 * analysts' endpoint: the views grouped by ward, birth year and nationality show no count below k
 * (coarsening small cells first, suppressing what stays small), and an analyst without a grant
 * cannot read the row-level tables underneath.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applySmallCellViews } from '../../connectors/clickhouse-sink/small-cell-views.ts';
import { migrate } from '../../services/clickhouse/migrations.ts';
import type { ClickHouseHandle } from '../../services/platform/clickhouse.ts';
import { startAnalystEndpoint, type AnalystEndpoint } from '../support/analyst-endpoint.ts';

const K = 5;

interface Person {
  key: string;
  district: string;
  ward: string;
  birthYear: number;
  nationality: string;
  symptomatic: boolean;
}

/** In one province and month: wards of 10, 3, 2 and 2 people; birth years and nationalities spread so some cells are small. */
function people(): Person[] {
  const group = (prefix: string, n: number, fields: (i: number) => Omit<Person, 'key'>) => Array.from({ length: n }, (_, i) => ({ key: `${prefix}${i}`.padEnd(64, '0'), ...fields(i) }));
  return [
    ...group('a', 10, (i) => ({ district: '001', ward: '00001', birthYear: i < 6 ? 1990 : i < 8 ? 1991 : 1995, nationality: 'VN', symptomatic: i < 3 })),
    ...group('b', 3, (i) => ({ district: '001', ward: '00004', birthYear: 1970 + i, nationality: 'JP', symptomatic: true })),
    ...group('c', 2, (i) => ({ district: '001', ward: '00007', birthYear: 1975 + i, nationality: 'JP', symptomatic: true })),
    ...group('d', 2, (i) => ({ district: '002', ward: '00010', birthYear: 1960, nationality: i === 0 ? 'US' : 'FR', symptomatic: false })),
  ];
}

async function fill(clickhouse: ClickHouseHandle): Promise<void> {
  await migrate(clickhouse, { cluster: null });
  // Two declarations per person: counts of declarations and of people differ.
  const rows = people().flatMap((person) => [1, 2].map((day) => ({
    event_id: randomUUID(),
    source: 'vhd',
    occurred_at: `2021-10-0${day} 03:00:00.000`,
    received_at: '2021-10-03 00:00:00.000',
    normalized_at: '2021-10-03 00:00:00.000',
    province_code: '01',
    district_code: person.district,
    ward_code: person.ward,
    person_key: person.key,
    declaration_type: 'DOMESTIC',
    birth_year: person.birthYear,
    nationality: person.nationality,
    symptoms: person.symptomatic ? ['FEVER'] : [],
  })));
  await clickhouse.client.insert({ table: 'health_declarations', values: rows, format: 'JSONEachRow' });
  await applySmallCellViews(clickhouse, K, null);
}

describe('small-cell protection for analysts', () => {
  let rig: AnalystEndpoint;

  beforeAll(async () => {
    rig = await startAnalystEndpoint('cells', fill);
  });
  afterAll(async () => {
    await rig?.close();
  });

  const ask = async (sql: string): Promise<{ status: number; rows: Record<string, unknown>[]; text: string }> => {
    const response = await fetch(`${rig.endpoint.url}/?query=${encodeURIComponent(`${sql} FORMAT JSONEachRow`)}`, { headers: { authorization: rig.auth } });
    const text = await response.text();
    return { status: response.status, text, rows: response.ok ? text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>) : [] };
  };

  /** Every count a view row shows is k or more (a NULL says "fewer than k"). */
  const expectNoSmallCount = (rows: Record<string, unknown>[]) => {
    for (const row of rows) {
      for (const column of ['people', 'declarations', 'symptomatic_people']) {
        if (column in row && row[column] !== null) expect(Number(row[column]), `${column} of ${JSON.stringify(row)}`).toBeGreaterThanOrEqual(K);
      }
    }
  };

  it('shows no ward with fewer than k people: small wards are counted together per district, and a district rest still too small is left out', async () => {
    const { status, rows } = await ask('SELECT district_code, ward_code, people, declarations, symptomatic_people FROM declarations_by_ward ORDER BY district_code, ward_code');
    expect(status).toBe(200);
    expectNoSmallCount(rows);
    expect(rows).toEqual([
      // Wards 00004 (3 people) and 00007 (2) together: 5 people, all symptomatic.
      { district_code: '001', ward_code: '', people: 5, declarations: 10, symptomatic_people: 5 },
      // Three symptomatic people in a ward of ten: too few to show.
      { district_code: '001', ward_code: '00001', people: 10, declarations: 20, symptomatic_people: null },
    ]);
    // District 002's two people appear nowhere.
    expect(rows.some((row) => row.district_code === '002')).toBe(false);
  });

  it('coarsens birth years to decades and nationalities to OTHER before it suppresses', async () => {
    const years = await ask('SELECT birth_years, people FROM declarations_by_birth_year ORDER BY birth_years');
    expect(years.status).toBe(200);
    expectNoSmallCount(years.rows);
    // 1990 has 6 people; 1991 and 1995 (4 together) and 1960 (2) stay below k; the 1970s have 5 across five years.
    expect(years.rows).toEqual([{ birth_years: '1970-1979', people: 5 }, { birth_years: '1990', people: 6 }]);

    const nationalities = await ask('SELECT nationality, people FROM declarations_by_nationality ORDER BY nationality');
    expect(nationalities.status).toBe(200);
    expectNoSmallCount(nationalities.rows);
    // US and FR, one person each, are OTHER together, and two people are still too few.
    expect(nationalities.rows).toEqual([{ nationality: 'JP', people: 5 }, { nationality: 'VN', people: 10 }]);
  });

  it('keeps the row-level tables from an analyst without a grant, however they are reached', async () => {
    for (const sql of [
      'SELECT count() FROM health_declarations',
      `SELECT ward_code, uniqExact(person_key) FROM ${rig.database}.health_declarations GROUP BY ward_code`,
      'SELECT * FROM view(SELECT person_key FROM health_declarations)',
      'SELECT 1 WHERE 1 IN (SELECT 1 FROM checkpoint_passages)',
      'WITH w AS (SELECT * FROM health_declarations) SELECT count() FROM w',
    ]) {
      const refused = await ask(sql);
      expect(refused.status, sql).toBe(403);
      expect(refused.text, sql).toMatch(/only when granted/);
    }
    // The aggregates and the registry stay open to every analyst.
    expect((await ask('SELECT sum(declarations) AS n FROM declarations_daily')).rows).toEqual([{ n: '34' }]);
    expect((await ask('SELECT count() AS n FROM checkpoints')).status).toBe(200);
  });
});
