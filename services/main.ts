/**
 * `npm start`: runs Truc in the foreground — the local stack (Kafka, schema registry), the HTTP API
 * with the ingest connector, the pull connectors (drop folder; polling when configured) and the
 * normalizer.
 * Ctrl-C stops what this run started and keeps the data.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { startPullConnectors } from '../connectors/main.ts';
import { up, down, status, type ComponentStatus } from '../infra/stack/stack.ts';
import { startApi } from './api/api-service.ts';
import { ensureLocalAccess } from './local-access.ts';
import { startNormalizer } from './normalizer/normalizer.ts';
import { loadPersonKeySecret } from './normalizer/person-key.ts';
import { ConfigError, loadConfig } from './platform/config.ts';
import { createLogger } from './platform/logger.ts';

const HEALTH_CHECK_INTERVAL_MS = 5_000;

function describe(components: ComponentStatus[]): string {
  return components.map((c) => `${c.name} ${c.serving ? 'up' : 'DOWN'} (${c.address})`).join(' | ');
}

async function run(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('truc', config.logLevel);
  let stopping = false;
  const stopSignal = new Promise<void>((resolve) => {
    const stop = () => {
      stopping = true;
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });

  const { started, status: initial } = await up(config);
  logger.info({ started }, `stack ready: ${describe(initial)}`);
  const keysFile = ensureLocalAccess(config.api.accessFile);
  // A local stack keeps its person_key secret in its data folder, made on first start.
  loadPersonKeySecret(config.normalizer, true);
  const normalizer = await startNormalizer({ config, logger });
  const pull = await startPullConnectors(config, logger);
  const api = await startApi({ config, logger, connectors: pull.connectors, metrics: normalizer.metrics.registry });

  console.log(
    [
      '',
      'Truc is running. Ctrl-C stops it (data is kept).',
      `  API            ${api.url}   (OpenAPI: ${api.url}/openapi.json)`,
      `  ingest         POST ${api.url}/v1/ingest/<source>/<kind>  with  Authorization: Bearer <source key>`,
      `  drop folder    ${config.fileConnector.dropDir}  (checkpoint-ops CSV and gate-reader JSON/NDJSON)`,
      `  metrics        ${api.url}/metrics   (normalizer: records in/out, duplicates, dead letters, lag)`,
      `  Kafka          ${initial[0]?.address}    schema registry ${config.schemaRegistry.url}`,
      keysFile ? `  API keys       created for this machine in ${keysFile}` : `  access file    ${config.api.accessFile}`,
      '',
    ].join('\n'),
  );

  // Watch the components so an operator sees at once when one of them stops serving.
  let lastReport = describe(initial);
  while (!stopping) {
    await Promise.race([sleep(HEALTH_CHECK_INTERVAL_MS), stopSignal]);
    if (stopping) break;
    const report = describe(await status(config));
    if (report !== lastReport) {
      logger.warn(`stack changed: ${report}`);
      lastReport = report;
    }
  }

  logger.info({ stopping: started }, 'stopping');
  await api.close();
  await pull.close();
  await normalizer.close();
  await down(config, started);
  logger.info('stopped; data kept in %s', config.dataDir);
}

try {
  await run();
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : `truc: ${(error as Error).stack ?? error}`);
  process.exitCode = 1;
}
