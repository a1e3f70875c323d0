/**
 * `node services/fanout/main.ts`: the subscriber fan-out on its own (deployments that scale it
 * separately; crash tests), with its Prometheus metrics on FANOUT_METRICS_PORT. Logs JSON lines;
 * stops on SIGINT/SIGTERM.
 */
import { withMetricsServed } from '../platform/metrics-server.ts';
import { runStandalone } from '../platform/standalone.ts';
import { startFanout } from './fanout.ts';

await runStandalone('fanout', async (config, logger) => {
  const fanout = await startFanout({ config, logger });
  const running = await withMetricsServed(fanout, fanout.metrics.registry, { host: config.api.host, port: config.fanout.metricsPort, stage: 'fan-out', logger });
  logger.info({ subscriptions: fanout.store.list().length }, 'fan-out running');
  return running;
});
