/**
 * Runs in every test worker: points configuration at the run's stack and gives this worker process
 * its own embedded ClickHouse folder.
 */
import path from 'node:path';
import { inject } from 'vitest';

Object.assign(process.env, inject('stackEnv'));
// Tests share one person_key secret, so every service in a run computes the same keys.
process.env.PERSON_KEY_SECRET ??= 'test-only-person-key-secret-0123456789abcdef';
if (!process.env.CLICKHOUSE_URL) {
  process.env.CLICKHOUSE_DATA_DIR = path.join(inject('clickhouseRoot'), String(process.pid));
  // The analysts' endpoints of tests keep their query log beside their folder, not in the local stack's logs.
  process.env.CLICKHOUSE_ENDPOINT_QUERY_LOG = path.join(inject('clickhouseRoot'), `${process.pid}-analyst-queries.jsonl`);
}
