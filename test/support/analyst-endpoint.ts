/**
 * An analysts' endpoint for a test file: on the worker's own embedded engine (one folder per
 * process), with a database of the file's own, served on a free port to one analyst `epi` whose
 * password is made for the run.
 */
import { randomUUID } from 'node:crypto';
import { startClickHouseEndpoint, type ClickHouseEndpoint } from '../../services/clickhouse-endpoint/endpoint.ts';
import { createClickHouse, type ClickHouseHandle } from '../../services/platform/clickhouse.ts';
import { loadConfig, type Config } from '../../services/platform/config.ts';
import { createLogger } from '../../services/platform/logger.ts';

export const ANALYST_USER = 'epi';

export const basicAuth = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

export interface AnalystEndpoint {
  config: Config;
  database: string;
  password: string;
  /** The `Authorization` header of the analyst. */
  auth: string;
  clickhouse: ClickHouseHandle;
  endpoint: ClickHouseEndpoint;
  close(): Promise<void>;
}

/** Starts the endpoint after `prepare` has filled the file's database through the pipeline's own handle. */
export async function startAnalystEndpoint(
  prefix: string,
  prepare: (clickhouse: ClickHouseHandle) => Promise<void>,
  env: Record<string, string> = {},
): Promise<AnalystEndpoint> {
  const database = `${prefix}_${randomUUID().slice(0, 8)}`;
  const password = `pw-${randomUUID()}`;
  const config = loadConfig({
    ...process.env,
    CLICKHOUSE_DATABASE: database,
    CLICKHOUSE_ENDPOINT_PORT: '0',
    CLICKHOUSE_ANALYST_USER: ANALYST_USER,
    CLICKHOUSE_ANALYST_PASSWORD: password,
    ...env,
  });
  const clickhouse = await createClickHouse(config.clickhouse);
  let endpoint: ClickHouseEndpoint | undefined;
  const close = async (): Promise<void> => {
    await endpoint?.close();
    await clickhouse.client.command({ query: `DROP DATABASE IF EXISTS ${database}` });
    await clickhouse.close();
  };
  try {
    await prepare(clickhouse);
    endpoint = await startClickHouseEndpoint({ config, logger: createLogger('test', 'silent'), clickhouse });
  } catch (error) {
    await close();
    throw error;
  }
  return { config, database, password, auth: basicAuth(ANALYST_USER, password), clickhouse, endpoint, close };
}
