/**
 * A Kafka broker of a test's own (temp data folder, free ports), for tests that stop, kill or
 * restart Kafka without disturbing the run's shared stack.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './ports.ts';
import { loadConfig, type Config } from '../../services/platform/config.ts';
import { kafkaProcess, localAdminEnv, localCredentialsFile, startKafka } from '../../infra/stack/kafka-broker.ts';
import { ensureLocalKafkaCredentials } from '../../infra/stack/kafka-security.ts';
import { runningPid, stopProcess } from '../../infra/stack/processes.ts';
import { kafkaAnswers } from '../../infra/stack/stack.ts';


export interface PrivateKafka {
  /** Environment that points a service at this broker (and the run's registry). */
  env: Record<string, string>;
  config: Config;
  start(): Promise<void>;
  kill(): void;
  stop(): Promise<void>;
  /** Stops the broker and removes its data. */
  destroy(): Promise<void>;
}

export async function privateKafka(): Promise<PrivateKafka> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'truc-kafka-'));
  const base = {
    KAFKA_BROKERS: `127.0.0.1:${await freePort()}`,
    KAFKA_CONTROLLER_PORT: String(await freePort()),
    KAFKA_AGENCY_PORT: String(await freePort()),
    TRUC_DATA_DIR: dataDir,
    KAFKA_HEAP: '512m',
  };
  // This broker's own administrator, in place of the run's shared broker's.
  const own = loadConfig({ ...process.env, ...base });
  ensureLocalKafkaCredentials(localCredentialsFile(own));
  const env = { ...base, ...localAdminEnv(own) };
  const config = loadConfig({ ...process.env, ...env });
  const broker: PrivateKafka = {
    env,
    config,
    start: async () => {
      await startKafka(config, (timeoutMs) => kafkaAnswers(config, timeoutMs));
    },
    kill: () => {
      const pid = runningPid(kafkaProcess(config));
      if (pid !== null) process.kill(pid, 'SIGKILL');
    },
    stop: async () => {
      await stopProcess(kafkaProcess(config), 30_000);
    },
    destroy: async () => {
      await broker.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  await broker.start();
  return broker;
}
