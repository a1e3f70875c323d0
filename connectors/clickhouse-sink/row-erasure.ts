/**
 * The sunset's part in ClickHouse: the row-level tables (one per kind with people in it) are
 * anonymised (every `person_key` set to NULL, so rows no longer join one person's records to each
 * other) or emptied, as configured. The daily aggregates and the registry are kept: they count,
 * they name no one. Mutations run to completion before this returns (`mutations_sync = 2`), so the
 * receipt's counts are of what is done, not of what is queued.
 */
import type { ClickHouseHandle } from '../../services/platform/clickhouse.ts';
import { renderMigration } from '../../services/clickhouse/migrations.ts';
import { ROW_LEVEL_TABLES } from './projection.ts';

export interface ErasedTable {
  table: string;
  action: 'anonymised' | 'deleted' | 'kept';
  /** Rows changed: rows with a person_key (anonymised) or every row (deleted); rows held (kept). */
  rows: number;
}

async function count(handle: ClickHouseHandle, table: string, where: string): Promise<number> {
  const result = await handle.client.query({ query: `SELECT count() AS n FROM ${handle.database}.${table} ${where}`, format: 'JSONEachRow' });
  const [row] = await result.json<{ n: string }>();
  return Number(row?.n ?? 0);
}

/**
 * Applies the sunset's action to every row-level table of the sink's database. Names come from the
 * kinds' folders and validated configuration, never from a caller.
 */
export async function eraseRowLevelTables(handle: ClickHouseHandle, action: 'anonymise' | 'delete' | 'keep', cluster: string | null): Promise<ErasedTable[]> {
  const erased: ErasedTable[] = [];
  for (const table of [...ROW_LEVEL_TABLES].sort()) {
    const name = `${handle.database}.${table}`;
    if (action === 'keep') {
      erased.push({ table, action: 'kept', rows: await count(handle, table, '') });
    } else if (action === 'delete') {
      const rows = await count(handle, table, '');
      await handle.client.command({ query: renderMigration(`TRUNCATE TABLE ${name} {{on_cluster}}`, cluster) });
      erased.push({ table, action: 'deleted', rows });
    } else {
      const rows = await count(handle, table, 'WHERE person_key IS NOT NULL');
      await handle.client.command({
        query: renderMigration(`ALTER TABLE ${name} {{on_cluster}} UPDATE person_key = NULL WHERE person_key IS NOT NULL`, cluster),
        clickhouse_settings: { mutations_sync: '2' },
      });
      erased.push({ table, action: 'anonymised', rows });
    }
  }
  return erased;
}
