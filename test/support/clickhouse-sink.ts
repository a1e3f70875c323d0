/**
 * Helpers of the ClickHouse sink tests: a configuration with the test's own topics, group and
 * database, counts per table, and the checks every sink test makes (exactly once; views agree).
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Kafka } from 'kafkajs';
import type { ClickHouseClient } from '../../services/platform/clickhouse.ts';
import type { Config } from '../../services/platform/config.ts';
import { canonicalTopic, KINDS, type Kind } from '../../services/platform/catalog.ts';
import { PROJECTIONS } from '../../connectors/clickhouse-sink/projection.ts';
import type { CanonicalRecord } from './canonical-records.ts';

/**
 * The test's own topics, group, database and embedded folder. The folder is outside the shared
 * test-clickhouse root, which another run's teardown may remove while this one still works in it.
 */
export function sinkTestConfig(base: Config, overrides: Partial<Config['clickhouseSink']> = {}): Config {
  const id = randomUUID().slice(0, 8);
  return {
    ...base,
    clickhouse: { ...base.clickhouse, database: `sink_${id}`, dataDir: path.join(tmpdir(), `truc-ch-sink-${process.pid}-${id}`) },
    clickhouseSink: { ...base.clickhouseSink, groupId: `test-ch-sink-${id}`, topicPrefix: `test-${id}.`, maxWaitMs: 200, retryInitialMs: 100, retryMaxMs: 1_000, ...overrides },
    // The sink also copies the audit topic: a test's own, so sinks of files running at once do not share it.
    audit: { ...base.audit, topic: `test-audit-${id}`, groupId: `test-audit-sink-${id}` },
  };
}

/**
 * Moves the sink's group to the current end of the canonical topics, so a test's sink reads what
 * the test writes, not the history a long-lived developer stack holds. The checkpoint registry is a
 * compacted topic the sink reads in full, so it stays where it is.
 */
export async function sinkStartsAtEnd(kafka: Kafka, groupId: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (const kind of KINDS.filter((k) => k !== 'checkpoint')) {
      const ends = await admin.fetchTopicOffsets(canonicalTopic(kind));
      await admin.setOffsets({ groupId, topic: canonicalTopic(kind), partitions: ends.map(({ partition, high }) => ({ partition, offset: high })) });
    }
  } finally {
    await admin.disconnect();
  }
}

export interface TableCounts {
  /** count() without FINAL: every row inserted, a repeat included. */
  rows: number;
  final: number;
  distinct: number;
}

/** Counts of the rows of these event ids in the kind's table. */
export async function countEvents(client: ClickHouseClient, kind: Kind, eventIds: readonly string[]): Promise<TableCounts> {
  const table = PROJECTIONS[kind].table;
  const query = `SELECT
      (SELECT count() FROM ${table} WHERE event_id IN {ids:Array(UUID)}) AS rows,
      (SELECT count() FROM ${table} FINAL WHERE event_id IN {ids:Array(UUID)}) AS final,
      (SELECT uniqExact(event_id) FROM ${table} WHERE event_id IN {ids:Array(UUID)}) AS distinct`;
  const [row] = await (await client.query({ query, query_params: { ids: eventIds }, format: 'JSONEachRow' })).json<Record<keyof TableCounts, string>>();
  return { rows: Number(row!.rows), final: Number(row!.final), distinct: Number(row!.distinct) };
}

export function byKind(records: readonly CanonicalRecord[]): Map<Kind, string[]> {
  return new Map([...Map.groupBy(records, (record) => record.kind)].map(([kind, group]) => [kind, group.map((record) => record.event_id)]));
}

/** The views' totals next to the counts computed from the base tables (FINAL), over all rows. */
export const VIEW_TOTALS_QUERY = `SELECT
  (SELECT sum(declarations) FROM declarations_daily) AS declarations_view,
  (SELECT count() FROM health_declarations FINAL) AS declarations_base,
  (SELECT sum(symptomatic) FROM declarations_daily) AS symptomatic_view,
  (SELECT countIf(notEmpty(symptoms)) FROM health_declarations FINAL) AS symptomatic_base,
  (SELECT sum(symptom_fever) FROM declarations_daily) AS fever_view,
  (SELECT countIf(has(symptoms, 'FEVER')) FROM health_declarations FINAL) AS fever_base,
  (SELECT sum(contact_with_case_yes) FROM declarations_daily) AS contact_yes_view,
  (SELECT countIf(contact_with_case = true) FROM health_declarations FINAL) AS contact_yes_base,
  (SELECT sum(travellers) FROM movements_daily) AS movements_view,
  (SELECT count() FROM movement_declarations FINAL) AS movements_base,
  (SELECT sum(passages) FROM passages_hourly) AS passages_view,
  (SELECT count() FROM checkpoint_passages FINAL) AS passages_base,
  (SELECT sumIf(passages, outcome = 'TURNED_BACK') FROM passages_hourly) AS turned_back_view,
  (SELECT countIf(outcome = 'TURNED_BACK') FROM checkpoint_passages FINAL) AS turned_back_base,
  (SELECT sum(reports) FROM citizen_reports_daily) AS reports_view,
  (SELECT count() FROM citizen_reports FINAL) AS reports_base`;

/** Pairs of [view total, base count] by name, from one row of VIEW_TOTALS_QUERY. */
export function viewPairs(row: Record<string, string>): Record<string, [number, number]> {
  const pairs: Record<string, [number, number]> = {};
  for (const name of Object.keys(row).filter((key) => key.endsWith('_view'))) {
    const base = name.replace(/_view$/, '');
    pairs[base] = [Number(row[name]), Number(row[`${base}_base`])];
  }
  return pairs;
}

/** Column names that would identify a person: none may exist in the pseudonymous tables. */
export const IDENTIFYING_COLUMN = /(^|_)(full_name|name|document|document_number|number|phone|line|address|text|reporter|plate|vehicle_plate|seat|places_visited)$/;

/** `table.column` of every column that would identify a person; a checkpoint's or a province's own name identifies no one. */
export function identifyingColumns(columns: readonly { table: string; name: string }[]): string[] {
  const impersonal = new Set(['checkpoints', 'provinces', 'schema_migrations', 'sink_batches']);
  return columns
    .filter((c) => !impersonal.has(c.table) && c.name !== 'checkpoint_name' && IDENTIFYING_COLUMN.test(c.name))
    .map((c) => `${c.table}.${c.name}`);
}

/** Waits until every record is in its table, then checks each is there exactly once (even without FINAL). */
export async function expectExactlyOnce(client: ClickHouseClient, records: readonly CanonicalRecord[], timeout = 120_000): Promise<void> {
  const groups = byKind(records);
  await expect
    .poll(async () => {
      const counts = await Promise.all([...groups].map(async ([kind, ids]) => (await countEvents(client, kind, ids)).final === ids.length));
      return counts.every(Boolean);
    }, { timeout, interval: 500 })
    .toBe(true);
  for (const [kind, ids] of groups) {
    expect(await countEvents(client, kind, ids), kind).toEqual({ rows: ids.length, final: ids.length, distinct: ids.length });
  }
}

/** Every view's total equals the count computed from its base table. */
export async function expectViewsAgree(client: ClickHouseClient): Promise<void> {
  const [row] = await (await client.query({ query: VIEW_TOTALS_QUERY, format: 'JSONEachRow' })).json<Record<string, string>>();
  const pairs = viewPairs(row!);
  for (const [name, [view, base]] of Object.entries(pairs)) expect(view, `${name}: view total vs base table`).toBe(base);
  expect(pairs.declarations![1]).toBeGreaterThan(0);
}
