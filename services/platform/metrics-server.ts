/**
 * A standalone stage's Prometheus endpoint (`GET /metrics`, nothing else): each process serves its
 * own figures, so the scrape of every instance shows that instance's share of the work. Aggregate
 * counts only, never record contents, like the API's `/metrics`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from './logger.ts';
import type { Stoppable } from './standalone.ts';

interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/** Listens on host:port (0: a free port) and logs `<stage> running; metrics on <url>`. */
async function serveMetrics(registry: Registry, options: { host: string; port: number; stage: string; logger: Logger }): Promise<MetricsServer> {
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
      () => response.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}/metrics`;
  options.logger.info({ port, metrics: url }, `${options.stage} running; metrics on ${url}`);
  return {
    url,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A standalone stage with its /metrics served beside it: closing stops the endpoint, then the stage. */
export async function withMetricsServed(stage: Stoppable, registry: Registry, options: { host: string; port: number; stage: string; logger: Logger }): Promise<MetricsServer> {
  const metrics = await serveMetrics(registry, options);
  return {
    url: metrics.url,
    async close() {
      await metrics.close();
      await stage.close();
    },
  };
}
