/**
 * `node services/normalizer/main.ts`: one normalizer instance (run more for more throughput; they
 * split the partitions), with its Prometheus metrics on NORMALIZER_METRICS_PORT, until SIGINT or
 * SIGTERM.
 */
import { withMetricsServed } from '../platform/metrics-server.ts';
import { runStandalone } from '../platform/standalone.ts';
import { startNormalizer } from './normalizer.ts';

await runStandalone('normalizer', async (config, logger) => {
  const normalizer = await startNormalizer({ config, logger });
  return withMetricsServed(normalizer, normalizer.metrics.registry, { host: config.api.host, port: config.normalizer.metricsPort, stage: 'normalizer', logger });
});
