/**
 * Runs the ClickHouse sink on its own (`node connectors/clickhouse-sink/main.ts`), with its
 * Prometheus metrics on CLICKHOUSE_SINK_METRICS_PORT, until SIGINT or SIGTERM. With the embedded
 * engine this process owns the data folder; `npm start` runs the sink inside the main process
 * instead (startClickHouseSink).
 */
import { withMetricsServed } from '../../services/platform/metrics-server.ts';
import { runStandalone } from '../../services/platform/standalone.ts';
import { startClickHouseSink } from './sink.ts';

await runStandalone('clickhouse-sink', async (config, logger) => {
  const sink = await startClickHouseSink({ config, logger });
  return withMetricsServed(sink, sink.metrics.registry, { host: config.api.host, port: config.clickhouseSink.metricsPort, stage: 'clickhouse sink', logger });
});
