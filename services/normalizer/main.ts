/**
 * `node services/normalizer/main.ts`: one normalizer instance (run more for more throughput; they
 * split the partitions), with its Prometheus metrics on NORMALIZER_METRICS_PORT, until SIGINT or
 * SIGTERM.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runStandalone } from '../platform/standalone.ts';
import { startNormalizer } from './normalizer.ts';

await runStandalone('normalizer', async (config, logger) => {
  const normalizer = await startNormalizer({ config, logger });
  const metricsServer = createServer((request, response) => {
    if (request.url !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    normalizer.metrics.registry.metrics().then((text) => {
      response.writeHead(200, { 'content-type': normalizer.metrics.registry.contentType }).end(text);
    });
  });
  metricsServer.listen(config.normalizer.metricsPort, config.api.host, () => {
    const { port } = metricsServer.address() as AddressInfo;
    logger.info({ port }, `normalizer running; metrics on http://${config.api.host}:${port}/metrics`);
  });
  return {
    async close() {
      metricsServer.close();
      await normalizer.close();
    },
  };
});
