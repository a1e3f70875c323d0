/**
 * The analysts' small-cell protected views (README, "Small cells"): health declarations counted
 * by the dimensions that can single a person out — ward, birth year, nationality — per local month,
 * where no cell counts fewer than k distinct people (`CLICKHOUSE_SMALL_CELL_K`, default 5):
 * - a cell under k is coarsened first: its people join the other small cells of the next level
 *   (a ward's join the district's small wards under ward_code ''; a birth year's join its decade,
 *   then all the small decades under ''; a nationality's join 'OTHER');
 * - a coarsened cell still under k is suppressed (left out);
 * - a count of a subset of a cell (the symptomatic people) is NULL when under k.
 * People are counted by person_key (records without one, which no person can be found by, are
 * left out). The views are plain views over the base tables, computed at query time, so a change
 * of k applies from the sink's next start (which replaces them) to all the data.
 */
import { renderMigration } from '../../services/clickhouse/migrations.ts';
import type { ClickHouseHandle } from '../../services/platform/clickhouse.ts';

/** The declarations of people, per local month, as every view starts from. */
const PEOPLE_MONTHS = `toStartOfMonth(toDate(occurred_at, 'Asia/Ho_Chi_Minh')) AS month`;

/** People under this count are too few to show (`k` is validated as an integer in config.ts). */
function protectedCounts(k: number): string {
  // UInt32: counts of people fit, and JSON formats print them as numbers, not quoted 64-bit integers.
  return `toUInt32(uniqExact(person_key)) AS people,
    toUInt32(count()) AS declarations,
    if(uniqExactIf(person_key, notEmpty(symptoms)) >= ${k}, toUInt32(uniqExactIf(person_key, notEmpty(symptoms))), NULL) AS symptomatic_people`;
}

/** The views' DDL (`{{on_cluster}}` left for renderMigration). */
function smallCellViews(k: number): string[] {
  if (!Number.isInteger(k) || k < 2) throw new Error(`the small-cell threshold must be an integer of at least 2, not ${k}`);
  const view = (name: string, comment: string, select: string) =>
    `CREATE OR REPLACE VIEW ${name} {{on_cluster}} AS ${select} COMMENT '${`${comment} No cell counts fewer than ${k} people (README, Small cells).`.replaceAll("'", "\\'")}'`;
  return [
    view(
      'declarations_by_ward',
      "Health declarations per local month and ward of residence: people, declarations, symptomatic people. ward_code '' holds the district's wards too small to show (and unknown wards).",
      `SELECT month, province_code, district_code, shown_ward AS ward_code, ${protectedCounts(k)}
      FROM (
        SELECT ${PEOPLE_MONTHS}, province_code, district_code, person_key, symptoms,
          if(uniqExact(person_key) OVER (PARTITION BY month, province_code, district_code, ward_code) >= ${k}, ward_code, '') AS shown_ward
        FROM health_declarations FINAL
        WHERE person_key IS NOT NULL
      )
      GROUP BY month, province_code, district_code, shown_ward
      HAVING people >= ${k}`,
    ),
    view(
      'declarations_by_birth_year',
      "Health declarations per local month, province and birth year: a year too small to show is counted in its decade (1980-1989), a decade too small in ''.",
      `SELECT month, province_code, shown_years AS birth_years, ${protectedCounts(k)}
      FROM (
        SELECT ${PEOPLE_MONTHS}, province_code, person_key, symptoms,
          intDiv(assumeNotNull(birth_year), 10) * 10 AS decade,
          multiIf(
            uniqExact(person_key) OVER (PARTITION BY month, province_code, birth_year) >= ${k}, toString(birth_year),
            uniqExact(person_key) OVER (PARTITION BY month, province_code, decade) >= ${k}, concat(toString(decade), '-', toString(decade + 9)),
            '') AS shown_years
        FROM health_declarations FINAL
        WHERE person_key IS NOT NULL AND birth_year IS NOT NULL
      )
      GROUP BY month, province_code, shown_years
      HAVING people >= ${k}`,
    ),
    view(
      'declarations_by_nationality',
      "Health declarations per local month and nationality: nationalities too small to show are counted together as OTHER.",
      `SELECT month, shown_nationality AS nationality, ${protectedCounts(k)}
      FROM (
        SELECT ${PEOPLE_MONTHS}, person_key, symptoms,
          if(uniqExact(person_key) OVER (PARTITION BY month, nationality) >= ${k}, assumeNotNull(nationality), 'OTHER') AS shown_nationality
        FROM health_declarations FINAL
        WHERE person_key IS NOT NULL AND nationality IS NOT NULL
      )
      GROUP BY month, shown_nationality
      HAVING people >= ${k}`,
    ),
  ];
}

/** Creates or replaces the views with the configured k (in the sink's database; ON CLUSTER as the migrations). */
export async function applySmallCellViews(handle: ClickHouseHandle, k: number, cluster: string | null): Promise<void> {
  for (const sql of smallCellViews(k)) await handle.client.command({ query: renderMigration(sql, cluster) });
}
