/**
 * `node services/api/main.ts`: the HTTP API with the ingest connector on its own (no pull
 * connectors), for deployments that scale ingest separately, and for benchmarks. With a ClickHouse
 * server (CLICKHOUSE_URL) it answers the disclosure audit's questions too; the embedded engine
 * belongs to the ClickHouse sink's process, whose API answers them.
 */
import { createClickHouse } from '../platform/clickhouse.ts';
import { runStandalone } from '../platform/standalone.ts';
import { startApi } from './api-service.ts';

await runStandalone('api', async (config, logger) => {
  const clickhouse = config.clickhouse.url ? await createClickHouse(config.clickhouse) : undefined;
  const api = await startApi({ config, logger, ...(clickhouse ? { clickhouse } : {}) });
  return {
    async close() {
      await api.close();
      await clickhouse?.close();
    },
  };
});
