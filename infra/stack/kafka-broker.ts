/**
 * The local Kafka: Apache Kafka 4.x in KRaft mode (one process is broker and controller), its jars
 * resolved from Maven Central by infra/kafka/pom.xml, its data under the stack's data folder.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { REPO_ROOT, formatBroker, type Config, type BrokerAddress } from '../../services/platform/config.ts';
import { runningPid, startDetached, waitUntil, type ManagedProcess } from './processes.ts';

const KAFKA_PROJECT = path.join(REPO_ROOT, 'infra/kafka');
const KAFKA_LIBS = path.join(KAFKA_PROJECT, 'target/libs');
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export function kafkaProcess(config: Config): ManagedProcess {
  return {
    name: 'kafka',
    pidFile: path.join(config.dataDir, 'run/kafka.pid'),
    logFile: path.join(config.dataDir, 'logs/kafka.log'),
    marker: 'kafka.Kafka',
  };
}

/** Downloads the broker's jars through Maven once; later calls find them in place. */
export function ensureKafkaJars(): string {
  const present = existsSync(KAFKA_LIBS) && readdirSync(KAFKA_LIBS).some((file) => file.startsWith('kafka_2.13-'));
  if (!present) {
    execFileSync(
      'mvn',
      ['-B', '-q', '-f', path.join(KAFKA_PROJECT, 'pom.xml'), 'dependency:copy-dependencies',
        `-DoutputDirectory=${KAFKA_LIBS}`, '-DincludeScope=runtime'],
      { stdio: 'inherit' },
    );
  }
  return `${KAFKA_LIBS}/*`;
}

function javaBinary(): string {
  return process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin/java') : 'java';
}

/** The local stack serves the first address of KAFKA_BROKERS, which must be on this machine. */
export function localBroker(config: Config): BrokerAddress {
  const [first] = config.kafka.brokers;
  if (config.kafka.brokers.length !== 1 || !first || !LOOPBACK_HOSTS.has(first.host)) {
    throw new Error(
      `KAFKA_BROKERS=${config.kafka.brokers.map(formatBroker).join(',')} is not one loopback address; ` +
        'the local stack only runs a broker on this machine (unset KAFKA_BROKERS or use 127.0.0.1:<port>)',
    );
  }
  return first;
}

function serverProperties(config: Config, broker: BrokerAddress, logDir: string): string {
  const host = broker.host === 'localhost' ? '127.0.0.1' : broker.host;
  const controller = `${host}:${config.stack.controllerPort}`;
  return [
    '# Written by infra/stack on every start; edit infra/stack/kafka-broker.ts instead.',
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@${controller}`,
    `listeners=PLAINTEXT://${host}:${broker.port},CONTROLLER://${controller}`,
    `advertised.listeners=PLAINTEXT://${host}:${broker.port}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${logDir}`,
    // One node: internal topics cannot be replicated.
    'offsets.topic.replication.factor=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    // Topics are created deliberately (infra/stack, services/platform/topics.ts), never by a typo.
    'auto.create.topics.enable=false',
    'num.partitions=1',
    'group.initial.rebalance.delay.ms=0',
    '',
  ].join('\n');
}

export function isPortOpen(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: host === 'localhost' ? '127.0.0.1' : host, port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export interface KafkaStart {
  pid: number | null;
  /** false when a broker was already serving the address (ours or someone else's). */
  started: boolean;
}

export async function startKafka(config: Config, waitForReady: (timeoutMs: number) => Promise<void>): Promise<KafkaStart> {
  const broker = localBroker(config);
  const proc = kafkaProcess(config);
  const pid = runningPid(proc);
  if (pid !== null || (await isPortOpen(broker.host, broker.port))) {
    await waitForReady(60_000);
    return { pid, started: false };
  }
  const classpath = ensureKafkaJars();
  const home = path.join(config.dataDir, 'kafka');
  const logDir = path.join(home, 'data');
  mkdirSync(logDir, { recursive: true });
  const propertiesFile = path.join(home, 'server.properties');
  writeFileSync(propertiesFile, serverProperties(config, broker, logDir));
  const log4j = `-Dlog4j2.configurationFile=${path.join(KAFKA_PROJECT, 'log4j2.properties')}`;

  if (!existsSync(path.join(logDir, 'meta.properties'))) {
    // KRaft storage is formatted once with a fresh cluster id (16 random bytes, base64url, as Kafka's Uuid).
    const clusterId = randomBytes(16).toString('base64url');
    execFileSync(javaBinary(), ['-cp', classpath, log4j, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', propertiesFile], {
      stdio: 'ignore',
    });
  }
  const started = startDetached(
    proc,
    javaBinary(),
    [`-Xms256m`, `-Xmx${config.stack.heap}`, '-XX:+UseG1GC', '-Djava.awt.headless=true', log4j,
      `-Dkafka.logs.dir=${path.dirname(proc.logFile)}`, '-cp', classpath, 'kafka.Kafka', propertiesFile],
    { cwd: home },
  );
  await waitUntil('Kafka', () => isPortOpen(broker.host, broker.port), {
    timeoutMs: 90_000,
    logFile: proc.logFile,
    alive: () => runningPid(proc) !== null,
  });
  await waitForReady(60_000);
  return { pid: started, started: true };
}
