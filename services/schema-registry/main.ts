/**
 * `node services/schema-registry/main.ts`: one registry instance, configured from the environment,
 * until SIGINT or SIGTERM.
 */
import { ConfigError, loadConfig } from '../platform/config.ts';
import { createLogger } from '../platform/logger.ts';
import { startSchemaRegistry } from './service.ts';

let config;
try {
  config = loadConfig();
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}
const logger = createLogger('schema-registry', config.logLevel);

try {
  const registry = await startSchemaRegistry({ config, logger });
  logger.info({ url: registry.url, topic: config.schemaRegistry.topic }, `schema registry listening on ${registry.url}`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'schema registry stopping');
    registry.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'schema registry did not stop cleanly');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  logger.fatal({ err: error }, 'schema registry failed to start');
  process.exit(1);
}
