/**
 * Runs the ClickHouse sink on its own (`node connectors/clickhouse-sink/main.ts`) until SIGINT or
 * SIGTERM. With the embedded engine this process owns the data folder; `npm start` runs the sink
 * inside the main process instead (startClickHouseSink).
 */
import { runStandalone } from '../../services/platform/standalone.ts';
import { startClickHouseSink } from './sink.ts';

await runStandalone('clickhouse-sink', (config, logger) => startClickHouseSink({ config, logger }));
