/**
 * ClickHouse client factory. With CLICKHOUSE_URL it talks HTTP to a server or cluster; without it,
 * the same `@clickhouse/client` API runs on the embedded engine (chdb) over a local data folder, so
 * sinks and queries have one code path. The embedded engine admits one process per data folder.
 */
import { mkdirSync } from 'node:fs';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import type { ClickHouseConfig } from './config.ts';
import { StatementScopedSettings } from './statement-settings.ts';

export type { ClickHouseClient };

type EmbeddedConnection = NonNullable<NonNullable<Parameters<typeof createClient>[0]>['connection']>;

export interface ClickHouseHandle {
  client: ClickHouseClient;
  /** 'server' when CLICKHOUSE_URL is set, 'embedded' for the in-process engine. */
  mode: 'server' | 'embedded';
  /** The embedded engine's data folder (other sessions may open it in this process); null for a server. */
  dataDir: string | null;
  database: string;
  close(): Promise<void>;
}

/**
 * Settings both modes share, so results have one shape: a server quotes 64-bit integers in JSON by
 * default and the embedded engine does not; quoting keeps them exact beyond 2^53.
 */
const COMMON_SETTINGS = { output_format_json_quote_64bit_integers: 1 } as const;

export async function createClickHouse(config: ClickHouseConfig): Promise<ClickHouseHandle> {
  // The database name is validated as a plain identifier in config.ts before it reaches SQL.
  if (config.url) {
    // The database may not exist yet, so the first client has none selected.
    const bootstrap = createClient({ url: config.url, username: config.username, password: config.password });
    await bootstrap.command({ query: `CREATE DATABASE IF NOT EXISTS ${config.database}` });
    await bootstrap.close();
    const client = createClient({
      url: config.url,
      username: config.username,
      password: config.password,
      database: config.database,
      clickhouse_settings: COMMON_SETTINGS,
    });
    return { client, mode: 'server', dataDir: null, database: config.database, close: () => client.close() };
  }
  mkdirSync(config.dataDir, { recursive: true });
  // chdb implements @clickhouse/client-common's Connection, which @clickhouse/client re-bundles as
  // a structurally equal but distinct type; the cast only bridges the two declarations.
  const connection = new StatementScopedSettings(createChdbConnection({ path: config.dataDir })) as unknown as EmbeddedConnection;
  const client = createClient({ connection, clickhouse_settings: COMMON_SETTINGS });
  await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${config.database}` });
  // The embedded connection ignores the client's `database` option, but its session keeps the
  // current database, so one USE selects it for every later query on this client.
  await client.command({ query: `USE ${config.database}` });
  return { client, mode: 'embedded', dataDir: config.dataDir, database: config.database, close: () => client.close() };
}

/**
 * The embedded engine's refusal to open a folder another process holds. chdb reports it as a
 * connection failure whose message does not always carry the engine's reason (the native library
 * prints `Cannot lock file …/status` to stderr itself), so any connection failure counts.
 */
export function isFolderLockedError(error: unknown): boolean {
  if ((error as { code?: unknown } | null)?.code === 'CHDB_CONNECTION') return true;
  return /Cannot lock file|Another server instance/i.test(String((error as Error | null)?.message ?? error));
}
