/**
 * How long each kind's table keeps a row: a TTL of `RETENTION_CLICKHOUSE` (or the kind's own
 * setting) after `received_at`, set by the sink at every start, so a changed setting is in force
 * from the next one (README, "Retention"). Counted from when Truc accepted the record, as on the
 * topics (whose records carry their write time): a source sending old records late (a backlog, a
 * demo dated 2021) gets the full time, not rows deleted as they arrive. Registry kinds (compacted, such as checkpoints) are no person's
 * data and stay while they are current, as on their topic. The daily aggregates hold counts, no
 * rows about anyone, and are kept.
 */
import { KINDS, kindEntry, type Kind } from '../../services/platform/catalog.ts';
import { retentionOf, type RetentionConfig } from '../../services/platform/config.ts';
import type { ClickHouseHandle } from '../../services/platform/clickhouse.ts';
import { PROJECTIONS } from './projection.ts';

export interface TableRetention {
  kind: Kind;
  table: string;
  /** Rows are deleted this many seconds after they occurred. */
  seconds: number;
}

export function tableRetentions(retention: RetentionConfig): TableRetention[] {
  return KINDS.filter((kind) => !kindEntry(kind).compacted).map((kind) => ({
    kind,
    table: PROJECTIONS[kind].table,
    seconds: Math.round(retentionOf(retention, 'clickhouse', kind) / 1000),
  }));
}

/**
 * The TTL clause ClickHouse shows for keeping rows `seconds` after `column` (the kinds' tables count
 * from `received_at`), in its own spelling (as `system.tables` gives it back).
 */
export function ttlExpression(seconds: number, column = 'received_at'): string {
  return `toDateTime(${column}) + toIntervalSecond(${seconds})`;
}

/** Each table's TTL as ClickHouse holds it (null: none), in the sink's database unless another is named. */
export async function currentTtls(handle: ClickHouseHandle, tables: readonly string[], database = handle.database): Promise<Map<string, string | null>> {
  const rows = await (
    await handle.client.query({
      query: 'SELECT name, engine_full FROM system.tables WHERE database = {database:String} AND name IN {tables:Array(String)}',
      query_params: { tables, database },
      format: 'JSONEachRow',
    })
  ).json<{ name: string; engine_full: string }>();
  // engine_full is the engine clause alone (no columns, no comments): "… ORDER BY (…) TTL <expr> SETTINGS …".
  return new Map(rows.map((row) => [row.name, / TTL (.+?)(?: SETTINGS |$)/.exec(row.engine_full)?.[1]?.trim() ?? null]));
}

/** Sets the TTL of every table whose TTL differs from its retention; returns the tables changed. */
export function applyTableRetention(handle: ClickHouseHandle, retentions: readonly TableRetention[], cluster: string | null): Promise<string[]> {
  return alignTtls(handle, new Map(retentions.map(({ table, seconds }) => [table, ttlExpression(seconds)])), cluster);
}

/**
 * Gives each table of `database` (the sink's by default) the TTL wanted for it where it holds
 * another; returns the tables changed. Table and database names come from the kinds' folders and
 * validated configuration, and the numbers from validated configuration, never from a caller.
 */
export async function alignTtls(handle: ClickHouseHandle, wanted: ReadonlyMap<string, string>, cluster: string | null, database = handle.database): Promise<string[]> {
  const current = await currentTtls(handle, [...wanted.keys()], database);
  const changed: string[] = [];
  for (const [table, ttl] of wanted) {
    if (current.get(table) === ttl) continue;
    await handle.client.command({ query: `ALTER TABLE \`${database}\`.\`${table}\` ${cluster ? `ON CLUSTER ${cluster} ` : ''}MODIFY TTL ${ttl}` });
    changed.push(table);
  }
  return changed;
}
