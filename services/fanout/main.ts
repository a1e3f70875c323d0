/**
 * `node services/fanout/main.ts`: the subscriber fan-out on its own (deployments that scale it
 * separately; crash tests). Logs JSON lines; stops on SIGINT/SIGTERM.
 */
import { ConfigError, loadConfig } from '../platform/config.ts';
import { createLogger } from '../platform/logger.ts';
import { startFanout } from './fanout.ts';

try {
  const config = loadConfig();
  const logger = createLogger('fanout', config.logLevel);
  const fanout = await startFanout({ config, logger });
  logger.info({ subscriptions: fanout.store.list().length }, 'fan-out running');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await fanout.close();
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : `fanout: ${(error as Error).stack ?? error}`);
  process.exitCode = 1;
}
