/**
 * Runs the pull connector instances of the connector store (CONNECT_CONFIG_TOPIC), created once
 * from the configuration (default-connectors.ts) and otherwise through the API
 * (`/v1/connectors`). `startPullConnectors` runs them inside another process (`npm start`);
 * `node connectors/main.ts` runs them on their own until SIGINT or SIGTERM.
 */
import { connectorTypes } from './connector-types.ts';
import { defaultInstances } from './default-connectors.ts';
import { ConnectorAdmin } from './runtime/connector-admin.ts';
import { ConnectorHost } from './runtime/connector-host.ts';
import { ConnectorStore } from './runtime/connector-store.ts';
import type { ManagedConnector } from './runtime/managed-connector.ts';
import type { Config } from '../services/platform/config.ts';
import { createKafka } from '../services/platform/kafka.ts';
import type { Logger } from '../services/platform/logger.ts';
import { runStandalone } from '../services/platform/standalone.ts';
import { preparePipeline } from '../services/platform/pipeline-bootstrap.ts';
import { partitionKey } from '../services/normalizer/mapping/index.ts';

export interface PullConnectors {
  /** The instances as they are now (created and deleted ones come and go). */
  readonly connectors: ManagedConnector[];
  host: ConnectorHost;
  admin: ConnectorAdmin;
  /** Lets each connector finish the batch in hand, then stops it. */
  close(): Promise<void>;
}

export async function startPullConnectors(config: Config, logger: Logger): Promise<PullConnectors> {
  const kafka = createKafka(config.kafka, logger, 'connect');
  const { rawCodecs } = await preparePipeline(config, kafka, logger, partitionKey);
  const store = await ConnectorStore.start(kafka, config, logger);
  const host = new ConnectorHost({ store, types: connectorTypes(config), kafka, codecs: rawCodecs, logger });
  const admin = new ConnectorAdmin(host, kafka);
  const done = store.defaultsCreated();
  const due = defaultInstances(config).filter((instance) => !done.has(instance.name));
  for (const instance of due) {
    // One of that name made through the API stands for it.
    if (store.get(instance.name)) continue;
    const created = await admin.put(instance.name, instance.type, instance.config, true);
    if (!created.ok) throw new Error(`default connector ${instance.name}: ${created.message} ${JSON.stringify(created.details ?? '')}`);
  }
  if (due.length > 0) await store.markDefaultsCreated(due.map((instance) => instance.name));
  await host.start();
  logger.info({ connectors: host.connectors.map((connector) => connector.name) }, 'pull connectors started');

  let closing: Promise<void> | null = null;
  return {
    get connectors() {
      return host.connectors;
    },
    host,
    admin,
    close() {
      closing ??= host.close();
      return closing;
    },
  };
}

if (import.meta.main) await runStandalone('connectors', startPullConnectors);
