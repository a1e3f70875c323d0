/**
 * `node services/api/main.ts`: the HTTP API with the ingest connector on its own (no pull
 * connectors), for deployments that scale ingest separately, and for benchmarks.
 */
import { ConfigError, loadConfig } from '../platform/config.ts';
import { createLogger } from '../platform/logger.ts';
import { startApi } from './api-service.ts';

try {
  const config = loadConfig();
  const api = await startApi({ config, logger: createLogger('api', config.logLevel) });
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await api.close();
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : `api: ${(error as Error).stack ?? error}`);
  process.exitCode = 1;
}
