/**
 * Runs in every test worker: points configuration at the run's stack and gives this worker process
 * its own embedded ClickHouse folder.
 */
import path from 'node:path';
import { inject } from 'vitest';
import { TEST_CLICKHOUSE_ROOT } from './paths.ts';

Object.assign(process.env, inject('stackEnv'));
if (!process.env.CLICKHOUSE_URL) {
  process.env.CLICKHOUSE_DATA_DIR = path.join(TEST_CLICKHOUSE_ROOT, String(process.pid));
}
