/**
 * kafkajs client factory: brokers, TLS and SASL from configuration, kafkajs' own log lines routed
 * through pino so every service writes one log format.
 */
import { Kafka, logLevel as KafkaLogLevel, type KafkaConfig as KafkaJsConfig, type LogEntry } from 'kafkajs';
import { formatBroker, type KafkaConfig } from './config.ts';
import type { Logger } from './logger.ts';

function kafkaLogCreator(logger: Logger) {
  return () =>
    ({ level, log }: LogEntry) => {
      const { message, timestamp: _timestamp, logger: _name, ...fields } = log;
      const child = { component: 'kafkajs', ...fields };
      if (level === KafkaLogLevel.ERROR) logger.error(child, message);
      else if (level === KafkaLogLevel.WARN) logger.warn(child, message);
      else if (level === KafkaLogLevel.INFO) logger.debug(child, message);
      else logger.trace(child, message);
    };
}

export function createKafka(config: KafkaConfig, logger: Logger, clientIdSuffix?: string): Kafka {
  const options: KafkaJsConfig = {
    clientId: clientIdSuffix ? `${config.clientId}-${clientIdSuffix}` : config.clientId,
    brokers: config.brokers.map(formatBroker),
    ssl: config.ssl,
    logLevel: KafkaLogLevel.INFO,
    logCreator: kafkaLogCreator(logger),
    retry: { initialRetryTime: 200, retries: 8 },
  };
  if (config.sasl) {
    const { mechanism, username, password } = config.sasl;
    options.sasl = { mechanism, username, password } as KafkaJsConfig['sasl'];
  }
  return new Kafka(options);
}
