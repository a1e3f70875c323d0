/**
 * Runs the ClickHouse sink on its own (`node connectors/clickhouse-sink/main.ts`) until SIGINT or
 * SIGTERM. With the embedded engine this process owns the data folder; `npm start` runs the sink
 * inside the main process instead (startClickHouseSink).
 */
import { ConfigError, loadConfig } from '../../services/platform/config.ts';
import { createLogger } from '../../services/platform/logger.ts';
import { startClickHouseSink } from './sink.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('clickhouse-sink', config.logLevel);
  const sink = await startClickHouseSink({ config, logger });
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  logger.info('stopping');
  await sink.close();
}

if (import.meta.main) {
  try {
    await main();
  } catch (error) {
    console.error(error instanceof ConfigError ? error.message : `clickhouse-sink: ${(error as Error).stack ?? error}`);
    process.exitCode = 1;
  }
}
