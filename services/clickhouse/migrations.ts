/**
 * ClickHouse migrations: the numbered SQL files of `infra/clickhouse/` (NNN_name.sql), applied in
 * order and recorded in `schema_migrations` with a checksum, so a start-up applies only what is new
 * and refuses a file that changed after it was applied. Every statement is idempotent (IF NOT
 * EXISTS), so a migration interrupted half-way is simply applied again.
 *
 * The files are templates: `{{on_cluster}}` becomes `ON CLUSTER <name>` and `{{engine:X(args)}}`
 * becomes `ReplicatedX('/clickhouse/tables/{shard}/{database}/{table}', '{replica}', args)` when a
 * cluster is configured, else nothing and `X(args)`.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../platform/config.ts';
import type { ClickHouseHandle } from '../platform/clickhouse.ts';
import { PROVINCES } from '../platform/provinces.ts';

const MIGRATIONS_DIR = path.join(REPO_ROOT, 'infra/clickhouse');
const MIGRATIONS_TABLE = 'schema_migrations';

export interface MigrateOptions {
  /** ON CLUSTER name (replicated engines); null for a single server or the embedded engine. */
  cluster: string | null;
  /** Folder of the SQL files (tests); defaults to infra/clickhouse. */
  dir?: string;
  /** Only report what is applied and pending, change nothing. */
  dryRun?: boolean;
}

export interface MigrationFile {
  version: number;
  name: string;
  checksum: string;
  sql: string;
}

export interface MigrationReport {
  applied: string[];
  alreadyApplied: string[];
  pending: string[];
}

export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationError';
  }
}

const FILE_PATTERN = /^(\d{3})_([a-z0-9_]+)\.sql$/;

export function readMigrationFiles(dir = MIGRATIONS_DIR): MigrationFile[] {
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.sql'))
    .sort();
  const seen = new Set<number>();
  return files.map((file) => {
    const match = FILE_PATTERN.exec(file);
    if (!match) throw new MigrationError(`${path.join(dir, file)}: migration files are named NNN_lower_snake.sql`);
    const version = Number(match[1]);
    if (seen.has(version)) throw new MigrationError(`${path.join(dir, file)}: version ${match[1]} is used twice`);
    seen.add(version);
    const sql = readFileSync(path.join(dir, file), 'utf8');
    return { version, name: file, checksum: createHash('sha256').update(sql).digest('hex'), sql };
  });
}

/** Fills the cluster placeholders in. */
export function renderMigration(sql: string, cluster: string | null): string {
  return sql
    .replaceAll('{{on_cluster}}', cluster ? `ON CLUSTER ${cluster}` : '')
    .replace(/\{\{engine:([A-Za-z]+)(?:\(([^)]*)\))?\}\}/g, (_, engine: string, args: string | undefined) => {
      if (!cluster) return args === undefined ? engine : `${engine}(${args})`;
      const replication = `'/clickhouse/tables/{shard}/{database}/{table}', '{replica}'`;
      return `Replicated${engine}(${args ? `${replication}, ${args}` : replication})`;
    });
}

/** The statements of a file: `--` comment lines dropped, split at a `;` that ends a line. */
export function splitStatements(sql: string): string[] {
  const text = sql
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('--'))
    .join('\n');
  return text
    .split(/;[ \t]*(?:\n|$)/)
    .map((statement) => statement.trim())
    .filter((statement) => statement.length > 0);
}

async function appliedMigrations(handle: ClickHouseHandle, cluster: string | null): Promise<Map<number, { name: string; checksum: string }>> {
  await handle.client.command({
    query: renderMigration(
      `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} {{on_cluster}} (
        version UInt32 COMMENT 'Number of the migration file.',
        name String COMMENT 'File name.',
        checksum String COMMENT 'SHA-256 of the file as applied.',
        applied_at DateTime64(3, 'UTC') COMMENT 'When it was applied.'
      ) ENGINE = {{engine:ReplacingMergeTree(applied_at)}} ORDER BY version
      COMMENT 'Migrations of infra/clickhouse applied to this database.'`,
      cluster,
    ),
  });
  const rows = await (
    await handle.client.query({ query: `SELECT version, name, checksum FROM ${MIGRATIONS_TABLE} FINAL`, format: 'JSONEachRow' })
  ).json<{ version: number; name: string; checksum: string }>();
  return new Map(rows.map((row) => [Number(row.version), { name: row.name, checksum: row.checksum }]));
}

/**
 * Applies the migrations not yet applied, in order, then loads the province dimension. Safe to run
 * at every start and from several processes in turn.
 */
export async function migrate(handle: ClickHouseHandle, options: MigrateOptions): Promise<MigrationReport> {
  const files = readMigrationFiles(options.dir);
  const applied = await appliedMigrations(handle, options.cluster);
  const report: MigrationReport = { applied: [], alreadyApplied: [], pending: [] };
  for (const file of files) {
    const before = applied.get(file.version);
    if (before) {
      if (before.checksum !== file.checksum) {
        throw new MigrationError(
          `${file.name} changed after it was applied as ${before.name} (checksum ${before.checksum.slice(0, 12)}…, now ${file.checksum.slice(0, 12)}…): add a new numbered file instead of editing an applied one`,
        );
      }
      report.alreadyApplied.push(file.name);
      continue;
    }
    if (options.dryRun) {
      report.pending.push(file.name);
      continue;
    }
    for (const statement of splitStatements(renderMigration(file.sql, options.cluster))) {
      try {
        await handle.client.command({ query: statement });
      } catch (error) {
        throw new MigrationError(`${file.name}: ${(error as Error).message}`);
      }
    }
    await handle.client.insert({
      table: MIGRATIONS_TABLE,
      format: 'JSONEachRow',
      values: [{ version: file.version, name: file.name, checksum: file.checksum, applied_at: Date.now() }],
    });
    report.applied.push(file.name);
  }
  if (!options.dryRun) await loadProvinces(handle);
  return report;
}

/** Loads the province dimension when it differs from the reference data (rows replace by code). */
async function loadProvinces(handle: ClickHouseHandle): Promise<number> {
  const [current] = await (
    await handle.client.query({
      query: 'SELECT count() AS n, groupArray((code, name, type)) AS rows FROM (SELECT code, name, type FROM provinces FINAL ORDER BY code)',
      format: 'JSONEachRow',
    })
  ).json<{ n: string; rows: [string, string, string][] }>();
  const wanted = [...PROVINCES].sort((a, b) => a.code.localeCompare(b.code));
  const same =
    current !== undefined &&
    Number(current.n) === wanted.length &&
    current.rows.every(([code, name, type], i) => wanted[i]!.code === code && wanted[i]!.name === name && wanted[i]!.type === type);
  if (same) return 0;
  await handle.client.insert({ table: 'provinces', format: 'JSONEachRow', values: wanted });
  return wanted.length;
}
