/**
 * `npm start`: runs Truc in the foreground. So far that is the local stack (Kafka and the schema
 * registry) and the internal topics; Ctrl-C stops what this run started and keeps the data.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { up, down, status, type ComponentStatus } from '../infra/stack/stack.ts';
import { ConfigError, loadConfig, type Config } from './platform/config.ts';
import { createKafka } from './platform/kafka.ts';
import { createLogger, type Logger } from './platform/logger.ts';
import { INTERNAL_TOPICS, ensureTopics } from './platform/topics.ts';

const HEALTH_CHECK_INTERVAL_MS = 5_000;

async function createInternalTopics(config: Config, logger: Logger): Promise<void> {
  const admin = createKafka(config.kafka, logger, 'main').admin();
  await admin.connect();
  try {
    const created = await ensureTopics(admin, INTERNAL_TOPICS, config.topics);
    logger.info({ created, total: INTERNAL_TOPICS.length }, 'internal topics ready');
  } finally {
    await admin.disconnect();
  }
}

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
  await createInternalTopics(config, logger);
  console.log(`Truc is running. Kafka ${initial[0]?.address}, schema registry ${config.schemaRegistry.url}. Ctrl-C stops.`);

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
  await down(config, started);
  logger.info('stopped; data kept in %s', config.dataDir);
}

try {
  await run();
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : `truc: ${(error as Error).stack ?? error}`);
  process.exitCode = 1;
}
