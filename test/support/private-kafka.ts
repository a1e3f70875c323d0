/**
 * A Kafka of a test's own (temp data folder, free ports): one broker, or a cluster of three, for
 * tests that stop, kill or restart brokers without disturbing the run's shared stack.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './ports.ts';
import { loadConfig, type Config } from '../../services/platform/config.ts';
import { isPortOpen, localAdminEnv, localCredentialsFile, startBroker, startKafka, stopBroker } from '../../infra/stack/kafka-broker.ts';
import { ensureLocalKafkaCredentials } from '../../infra/stack/kafka-security.ts';
import { down, kafkaAnswers } from '../../infra/stack/stack.ts';

export interface PrivateKafka {
  /** Environment that points a service at this Kafka (and the run's registry). */
  env: Record<string, string>;
  config: Config;
  start(): Promise<void>;
  /** SIGKILLs a broker (the first by default), as a crash would. */
  kill(id?: number): Promise<void>;
  /** Starts a broker that was killed or stopped. */
  startBroker(id: number): Promise<void>;
  /** Stops one broker (controlled shutdown). */
  stopBroker(id: number): Promise<void>;
  stop(): Promise<void>;
  /** Stops the brokers and removes their data. */
  destroy(): Promise<void>;
}

/** A free port whose neighbours a hundred and two hundred up are free too (a cluster's brokers listen a hundred apart). */
async function freeSpread(count: number): Promise<number> {
  for (;;) {
    const base = await freePort();
    const ports = Array.from({ length: count }, (_, n) => base + 100 * n);
    if (ports.at(-1)! < 65_536 && (await Promise.all(ports.map((port) => isPortOpen('127.0.0.1', port, 200)))).every((open) => !open)) return base;
  }
}

export async function privateKafka(options: { brokers?: 1 | 3 } = {}): Promise<PrivateKafka> {
  const brokers = options.brokers ?? 1;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'truc-kafka-'));
  const client = await freeSpread(brokers);
  const base = {
    KAFKA_LOCAL_BROKERS: String(brokers),
    KAFKA_BROKERS: Array.from({ length: brokers }, (_, n) => `127.0.0.1:${client + 100 * n}`).join(','),
    KAFKA_CONTROLLER_PORT: String(await freeSpread(brokers)),
    KAFKA_AGENCY_PORT: String(await freeSpread(brokers)),
    TRUC_DATA_DIR: dataDir,
    KAFKA_HEAP: '512m',
  };
  // This Kafka's own administrator, in place of the run's shared broker's.
  const own = loadConfig({ ...process.env, ...base });
  ensureLocalKafkaCredentials(localCredentialsFile(own));
  const env = { ...base, ...localAdminEnv(own) };
  const config = loadConfig({ ...process.env, ...env });
  const kafka: PrivateKafka = {
    env,
    config,
    start: async () => {
      await startKafka(config, (timeoutMs) => kafkaAnswers(config, timeoutMs));
    },
    kill: (id = 1) => stopBroker(config, id, 'SIGKILL'),
    startBroker: async (id) => {
      await startBroker(config, id);
    },
    stopBroker: (id) => stopBroker(config, id),
    stop: async () => {
      await down(config, ['kafka']);
    },
    destroy: async () => {
      await kafka.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  await kafka.start();
  return kafka;
}
