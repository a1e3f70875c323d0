/**
 * kafkajs client factory: brokers, TLS and SASL from configuration, kafkajs' own log lines routed
 * through pino so every service writes one log format.
 */
import { readFileSync } from 'node:fs';
import { Kafka, logLevel as KafkaLogLevel, type KafkaConfig as KafkaJsConfig, type LogEntry } from 'kafkajs';
import { formatBroker, type KafkaConfig } from './config.ts';
import { readLocalKafkaCredentials } from './kafka-credentials.ts';
import type { Logger } from './logger.ts';

/**
 * kafkajs lines that describe normal operation, not trouble, so they go to debug: an operator
 * reading warnings and errors at 3 a.m. must not have to learn which ones to ignore.
 */
const ROUTINE_KAFKAJS_LINES = [
  // CONCURRENT_TRANSACTIONS: the broker's usual answer when a transaction starts while the previous
  // commit's markers are still being written; kafkajs retries it at once. Logged twice per retry.
  'another concurrent operation on the same transaction',
  // A one-time notice about kafkajs 2.0's partitioner; Truc never used the old one.
  'switched default partitioner',
  // Deliberate: a batch that runs out of retries fails, and Truc resends it with a new producer.
  'Limiting retries for the idempotent producer',
];

/**
 * A consumer's crash and restart lines stay at their level whatever the cause says: a crash whose
 * cause is a routine answer (kafkajs gives up retrying it) is still a crash, and hiding it once left
 * an operator with "Restarting the consumer in …" and no reason.
 */
const ALWAYS_SHOWN = ['Crash: ', 'Restarting the consumer'];

function isRoutine(message: string, fields: Record<string, unknown>): boolean {
  if (ALWAYS_SHOWN.some((start) => message.startsWith(start))) return false;
  const texts = [message, typeof fields.error === 'string' ? fields.error : ''];
  return ROUTINE_KAFKAJS_LINES.some((line) => texts.some((text) => text.includes(line)));
}

export function kafkaLogCreator(logger: Logger) {
  return () =>
    ({ level, log }: LogEntry) => {
      const { message, timestamp: _timestamp, logger: _name, ...fields } = log;
      const child = { component: 'kafkajs', ...fields };
      if (level === KafkaLogLevel.ERROR || level === KafkaLogLevel.WARN) {
        if (isRoutine(message, fields)) logger.debug(child, message);
        else if (level === KafkaLogLevel.ERROR) logger.error(child, message);
        else logger.warn(child, message);
      } else if (level === KafkaLogLevel.INFO) logger.debug(child, message);
      else logger.trace(child, message);
    };
}

function readCa(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`KAFKA_SSL_CA_FILE=${file} cannot be read: ${(error as Error).message}`);
  }
}

/**
 * The configuration of HTTP ingest's producer: its own principal (KAFKA_INGEST_SASL_*, else the local
 * stack's truc-ingest) when there is one; otherwise the services' credentials, as set.
 */
export function ingestKafkaConfig(config: KafkaConfig): KafkaConfig {
  if (config.ingestSasl) return { ...config, sasl: config.ingestSasl };
  if (config.sasl || !config.localCredentialsFile) return config;
  const local = readLocalKafkaCredentials(config.localCredentialsFile);
  return local?.ingest ? { ...config, sasl: local.ingest } : config;
}

export function createKafka(config: KafkaConfig, logger: Logger, clientIdSuffix?: string): Kafka {
  const options: KafkaJsConfig = {
    clientId: clientIdSuffix ? `${config.clientId}-${clientIdSuffix}` : config.clientId,
    brokers: config.brokers.map(formatBroker),
    ssl: config.caFile ? { ca: [readCa(config.caFile)] } : config.ssl,
    logLevel: KafkaLogLevel.INFO,
    logCreator: kafkaLogCreator(logger),
    retry: { initialRetryTime: 200, retries: 8 },
  };
  // Every client of Truc authenticates: with KAFKA_SASL_*, else as the local stack's services principal.
  const sasl = config.sasl ?? (config.localCredentialsFile ? readLocalKafkaCredentials(config.localCredentialsFile)?.services : null);
  if (sasl) {
    const { mechanism, username, password } = sasl;
    options.sasl = { mechanism, username, password } as KafkaJsConfig['sasl'];
  }
  return new Kafka(options);
}
