/**
 * Runs the pull connectors the configuration enables: the file connector always, the polling
 * connector when POLL_CONNECTOR_URL is set. `startPullConnectors` runs them inside another process
 * (`npm start`); `node connectors/main.ts` runs them on their own until SIGINT or SIGTERM.
 */
import { FileConnector } from './file/file-connector.ts';
import { fileReads } from './file/file-reads.ts';
import { PollConnector } from './http-poll/poll-connector.ts';
import { ConnectorRunner } from './runtime/connector-runner.ts';
import type { ManagedConnector } from './runtime/managed-connector.ts';
import { rawTopic } from '../services/platform/catalog.ts';
import type { Config } from '../services/platform/config.ts';
import { createKafka } from '../services/platform/kafka.ts';
import type { Logger } from '../services/platform/logger.ts';
import { runStandalone } from '../services/platform/standalone.ts';
import { preparePipeline } from '../services/platform/pipeline-bootstrap.ts';

export interface PullConnectors {
  connectors: ManagedConnector[];
  /** Lets each connector finish the batch in hand, then stops it. */
  close(): Promise<void>;
}

export async function startPullConnectors(config: Config, logger: Logger): Promise<PullConnectors> {
  const kafka = createKafka(config.kafka, logger, 'connect');
  const { rawCodecs } = await preparePipeline(config, kafka, logger);
  const { fileConnector, pollConnector } = config;

  const runners = [
    new ConnectorRunner({
      name: fileConnector.name,
      connector: new FileConnector({
        dropDir: fileConnector.dropDir,
        pollIntervalMs: fileConnector.pollIntervalMs,
        batchRecords: fileConnector.batchRecords,
        reads: fileReads('checkpoint-ops', 'checkpoint', 'checkpoint-passage'),
        connectorName: fileConnector.name,
        logger: logger.child({ connector: fileConnector.name }),
      }),
      kafka,
      codecs: rawCodecs,
      logger,
    }),
  ];
  if (pollConnector.url !== null) {
    runners.push(
      new ConnectorRunner({
        name: pollConnector.name,
        connector: new PollConnector({ ...pollConnector, url: pollConnector.url, topic: rawTopic('hotline-1022', 'citizen-report') }),
        kafka,
        codecs: rawCodecs,
        logger,
      }),
    );
  }
  for (const runner of runners) runner.start();
  logger.info({ connectors: runners.map((runner) => runner.name) }, 'pull connectors started');

  let closing: Promise<void> | null = null;
  return {
    connectors: runners,
    close() {
      closing ??= Promise.all(runners.map((runner) => runner.stop())).then(() => {});
      return closing;
    },
  };
}

if (import.meta.main) await runStandalone('connectors', startPullConnectors);
