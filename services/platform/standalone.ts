/**
 * How a part of Truc runs on its own (`node <part>/main.ts`): configuration from the environment,
 * a JSON logger named for the part, the part started, and stopped cleanly on SIGINT or SIGTERM. A
 * configuration error prints its message alone; any other failure its stack; both exit 1.
 */
import { ConfigError, loadConfig, type Config } from './config.ts';
import { createLogger, type Logger } from './logger.ts';

export interface Stoppable {
  close(): Promise<void>;
}

export async function runStandalone(name: string, start: (config: Config, logger: Logger) => Promise<Stoppable>): Promise<void> {
  try {
    const config = loadConfig();
    const logger = createLogger(name, config.logLevel);
    const running = await start(config, logger);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    logger.info('stopping');
    await running.close();
    logger.info('stopped');
  } catch (error) {
    console.error(error instanceof ConfigError ? error.message : `${name}: ${(error as Error).stack ?? error}`);
    process.exitCode = 1;
  }
}
