/**
 * Starts one registry instance: the Kafka-backed store first (it must have read the whole log),
 * then HTTP. Used by main.ts, the local-stack launcher and tests.
 */
import type { AddressInfo } from 'node:net';
import type { Config } from '../platform/config.ts';
import { createKafka } from '../platform/kafka.ts';
import { createLogger, type Logger } from '../platform/logger.ts';
import { followRegistryCredentials, type RegistryCredentials } from './credentials.ts';
import { Registry } from './registry.ts';
import { buildServer } from './server.ts';
import { KafkaLogStore } from './store.ts';

export interface StartSchemaRegistryOptions {
  config: Config;
  logger?: Logger;
  /** Defaults to config.schemaRegistry.listenHost. */
  host?: string;
  /** Defaults to config.schemaRegistry.listenPort; 0 picks a free port. */
  port?: number;
  /** Defaults to config.schemaRegistry.topic. */
  topic?: string;
  /** Defaults to following config.schemaRegistry.credentialsFile, which must exist. */
  credentials?: () => RegistryCredentials;
}

export interface RunningSchemaRegistry {
  /** Base URL clients use, e.g. http://127.0.0.1:8081. */
  url: string;
  close(): Promise<void>;
}

function urlOf(address: AddressInfo): string {
  const wildcard = address.address === '0.0.0.0' || address.address === '::';
  const host = wildcard ? '127.0.0.1' : address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

/** Resolves once state has been rebuilt from the topic and HTTP is listening. */
export async function startSchemaRegistry(options: StartSchemaRegistryOptions): Promise<RunningSchemaRegistry> {
  const { config } = options;
  const logger = options.logger ?? createLogger('schema-registry', config.logLevel);
  const topic = options.topic ?? config.schemaRegistry.topic;
  // Read before Kafka is touched: a registry without credentials to check must not start.
  const credentials = options.credentials ?? followRegistryCredentials(config.schemaRegistry.credentialsFile, logger);
  const store = await KafkaLogStore.open({
    kafka: createKafka(config.kafka, logger, 'schema-registry'),
    topic,
    replicationFactor: config.topics.replicationFactor,
    logger,
    groupIdPrefix: `${config.kafka.clientId}-schema-registry`,
  });
  const app = buildServer({
    registry: new Registry(store),
    logger,
    isReady: (ms) => store.isCaughtUp(ms),
    authentication: { credentials, anonymousRead: config.schemaRegistry.anonymousRead },
  });
  try {
    await app.listen({ host: options.host ?? config.schemaRegistry.listenHost, port: options.port ?? config.schemaRegistry.listenPort });
  } catch (error) {
    await store.close();
    throw error;
  }
  const url = urlOf(app.server.address() as AddressInfo);
  let closing: Promise<void> | null = null;
  return {
    url,
    close() {
      // HTTP first, so no request is left waiting on a store that is going away.
      closing ??= app.close().finally(() => store.close());
      return closing;
    },
  };
}
