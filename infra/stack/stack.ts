/**
 * The local stack: Kafka and Truc's schema registry as background processes. `up` starts what is
 * not already serving and waits until both answer; `down` stops only what `up` started.
 */
import path from 'node:path';
import { REPO_ROOT, formatBroker, type Config } from '../../services/platform/config.ts';
import { createKafka } from '../../services/platform/kafka.ts';
import { createLogger } from '../../services/platform/logger.ts';
import { ensureLocalRegistryCredentials } from './local-registry-credentials.ts';
import { localNodes, startKafka, stopBroker, isPortOpen } from './kafka-broker.ts';
import { runningPid, startDetached, stopProcess, waitUntil, type ManagedProcess } from './processes.ts';

export type ComponentName = 'kafka' | 'schema-registry';

export interface ComponentStatus {
  name: ComponentName;
  address: string;
  serving: boolean;
  /** Our pid when this stack started it; null when it is not ours (or not running). */
  pid: number | null;
  logFile: string;
}

export interface UpResult {
  /** Components this call started (and a matching `down` will stop). */
  started: ComponentName[];
  status: ComponentStatus[];
}

function registryProcess(config: Config): ManagedProcess {
  return {
    name: 'schema-registry',
    pidFile: path.join(config.dataDir, 'run/schema-registry.pid'),
    logFile: path.join(config.dataDir, 'logs/schema-registry.log'),
    marker: 'services/schema-registry/main.ts',
  };
}

export async function kafkaAnswers(config: Config, timeoutMs: number): Promise<void> {
  const logger = createLogger('stack', 'silent');
  const admin = createKafka(config.kafka, logger, 'stack').admin();
  await waitUntil(
    `Kafka at ${config.kafka.brokers.map(formatBroker).join(',')}`,
    async () => {
      await admin.connect();
      const cluster = await admin.describeCluster();
      // A local cluster is ready once every broker has joined it.
      return cluster.brokers.length >= config.stack.brokers;
    },
    { timeoutMs },
  ).finally(() => admin.disconnect());
}

/** A registry serves once it answers in Confluent's way: the subjects, or a demand for credentials. */
export async function registryAnswers(url: string): Promise<boolean> {
  const response = await fetch(`${url}/subjects`, { signal: AbortSignal.timeout(2000) });
  return response.ok || (response.status === 401 && response.headers.get('www-authenticate') !== null);
}

function registryPort(config: Config): number {
  return Number(new URL(config.schemaRegistry.url).port || 80);
}

async function startRegistry(config: Config): Promise<boolean> {
  const proc = registryProcess(config);
  if (runningPid(proc) !== null || (await isPortOpen('127.0.0.1', registryPort(config)))) {
    await waitUntil('schema registry', () => registryAnswers(config.schemaRegistry.url), { timeoutMs: 30_000 });
    return false;
  }
  ensureLocalRegistryCredentials(config.schemaRegistry);
  startDetached(proc, process.execPath, [path.join(REPO_ROOT, 'services/schema-registry/main.ts')], {
    cwd: REPO_ROOT,
    env: { ...process.env, SCHEMA_REGISTRY_PORT: String(registryPort(config)) },
  });
  await waitUntil(`schema registry at ${config.schemaRegistry.url}`, () => registryAnswers(config.schemaRegistry.url), {
    timeoutMs: 60_000,
    logFile: proc.logFile,
    alive: () => runningPid(proc) !== null,
  });
  return true;
}

export async function up(config: Config): Promise<UpResult> {
  const started: ComponentName[] = [];
  const kafka = await startKafka(config, (timeoutMs) => kafkaAnswers(config, timeoutMs));
  if (kafka.started) started.push('kafka');
  if (await startRegistry(config)) started.push('schema-registry');
  return { started, status: await status(config) };
}

/** Stops the named components (default: every one this stack started), registry before Kafka. */
export async function down(config: Config, only?: readonly ComponentName[]): Promise<ComponentName[]> {
  const stopped: ComponentName[] = [];
  const wanted = (name: ComponentName) => !only || only.includes(name);
  if (wanted('schema-registry') && (await stopProcess(registryProcess(config), 10_000))) stopped.push('schema-registry');
  // A clean broker shutdown writes a clean-shutdown marker, so the next start skips log recovery.
  // The brokers of a cluster stop together: one left alone would wait for a quorum that is gone.
  if (wanted('kafka')) {
    const nodes = localNodes(config);
    const running = nodes.filter((node) => runningPid(node.process) !== null);
    await Promise.all(running.map((node) => stopBroker(config, node.id)));
    if (running.length > 0) stopped.push('kafka');
  }
  return stopped;
}

/** One entry per broker (all named kafka), then the registry. */
export async function status(config: Config): Promise<ComponentStatus[]> {
  const registry = registryProcess(config);
  const brokers = await Promise.all(
    localNodes(config).map(async (node): Promise<ComponentStatus> => ({
      name: 'kafka',
      address: formatBroker(node.client),
      serving: await isPortOpen(node.client.host, node.client.port),
      pid: runningPid(node.process),
      logFile: node.process.logFile,
    })),
  );
  return [
    ...brokers,
    {
      name: 'schema-registry',
      address: config.schemaRegistry.url,
      serving: await registryAnswers(config.schemaRegistry.url).catch(() => false),
      pid: runningPid(registry),
      logFile: registry.logFile,
    },
  ];
}
