/**
 * The local Kafka: Apache Kafka 4.x in KRaft mode (each process is broker and controller), its jars
 * resolved from Maven Central by infra/kafka/pom.xml, its data under the stack's data folder, with
 * authentication and ACLs on every listener (kafka-security.ts). One broker by default; three with
 * KAFKA_LOCAL_BROKERS=3: a controller quorum of three, internal topics replicated three times with
 * two in sync, so the cluster keeps serving (and loses nothing acknowledged) when one broker fails.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import kafkajs, { type Admin, type Kafka } from 'kafkajs';
import { AGENCY_ID_PATTERN } from '../../services/platform/access.ts';
import { REPO_ROOT, formatBroker, localBrokerPorts, type Config, type BrokerAddress, type SaslCredentials } from '../../services/platform/config.ts';
import { createKafka } from '../../services/platform/kafka.ts';
import { readLocalKafkaCredentials, type LocalKafkaCredentials } from '../../services/platform/kafka-credentials.ts';
import { createLogger } from '../../services/platform/logger.ts';
import {
  adminClientProperties,
  agencyAcls,
  agencyPrincipal,
  disableScramCredential,
  ensureBrokerTls,
  ensureLocalKafkaCredentials,
  formatScramArguments,
  ingestAcls,
  securityProperties,
  servicesAcls,
  setScramPassword,
  type BrokerTls,
  type ConfigCommandTarget,
} from './kafka-security.ts';
import { runningPid, startDetached, stopProcess, waitUntil, type ManagedProcess } from './processes.ts';

// kafkajs assigns these enums in a way Node's CommonJS export detection misses (as in kafka-security.ts).
const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs;

const KAFKA_PROJECT = path.join(REPO_ROOT, 'infra/kafka');
const KAFKA_LIBS = path.join(KAFKA_PROJECT, 'target/libs');
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);
/** Kafka's Java processes (brokers and tools) log through the project's log4j2 configuration. */
export const LOG4J = `-Dlog4j2.configurationFile=${path.join(KAFKA_PROJECT, 'log4j2.properties')}`;

/** A broker of the local stack: node ids 1…n, the first one's files where a single broker's always were. */
export interface LocalNode {
  id: number;
  client: BrokerAddress;
  controllerPort: number;
  agencyPort: number;
  /** Its folder: server.properties, and its log in data/. */
  home: string;
  process: ManagedProcess;
}

export function kafkaProcess(config: Config, id = 1): ManagedProcess {
  const suffix = id === 1 ? '' : `-${id}`;
  return {
    name: id === 1 ? 'kafka' : `kafka${suffix}`,
    pidFile: path.join(config.dataDir, `run/kafka${suffix}.pid`),
    logFile: path.join(config.dataDir, `logs/kafka${suffix}.log`),
    marker: 'kafka.Kafka',
  };
}

/** The local stack's brokers: KAFKA_BROKERS, one loopback address per broker of KAFKA_LOCAL_BROKERS. */
export function localNodes(config: Config): LocalNode[] {
  const { brokers } = config.kafka;
  if (brokers.length !== config.stack.brokers || brokers.some((broker) => !LOOPBACK_HOSTS.has(broker.host))) {
    throw new Error(
      `KAFKA_BROKERS=${brokers.map(formatBroker).join(',')} is not ${config.stack.brokers} loopback address(es); ` +
        'the local stack runs its brokers on this machine, one address each (unset KAFKA_BROKERS or use 127.0.0.1:<port>)',
    );
  }
  return brokers.map((client, n) => {
    const id = n + 1;
    const ports = localBrokerPorts(config.stack, n);
    const home = path.join(config.dataDir, 'kafka', ...(id === 1 ? [] : [`node-${id}`]));
    return { id, client, controllerPort: ports.controller, agencyPort: ports.agency, home, process: kafkaProcess(config, id) };
  });
}

/**
 * Downloads the broker's jars through Maven on first use (first `npm start`, `npm test` or
 * `stack:up`); later calls find them in place. Maven fills a fresh folder beside the final one,
 * which is renamed into place only once complete: an interrupted download leaves no half-filled
 * folder that would pass for done.
 */
export function ensureKafkaJars(): string {
  const hasKafkaJar = (folder: string) => existsSync(folder) && readdirSync(folder).some((file) => file.startsWith('kafka_2.13-'));
  if (!hasKafkaJar(KAFKA_LIBS)) {
    const partial = `${KAFKA_LIBS}.partial-${process.pid}`;
    rmSync(partial, { recursive: true, force: true });
    console.log('Fetching Kafka\'s jars with Maven (first run only)…');
    try {
      execFileSync(
        'mvn',
        ['-B', '-q', '-f', path.join(KAFKA_PROJECT, 'pom.xml'), 'dependency:copy-dependencies',
          `-DoutputDirectory=${partial}`, '-DincludeScope=runtime'],
        { stdio: ['ignore', 'inherit', 'inherit'] },
      );
      if (!hasKafkaJar(partial)) throw new Error(`Maven put no Kafka jar into ${partial}`);
      rmSync(KAFKA_LIBS, { recursive: true, force: true });
      renameSync(partial, KAFKA_LIBS);
    } catch (error) {
      rmSync(partial, { recursive: true, force: true });
      // Another process may have finished the same download first (the rename found the folder there).
      if (hasKafkaJar(KAFKA_LIBS)) return `${KAFKA_LIBS}/*`;
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('fetching Kafka\'s jars needs Maven (`mvn`) and a JDK 17+ on PATH (README, first lines)');
      throw error;
    }
  }
  return `${KAFKA_LIBS}/*`;
}

export function javaBinary(): string {
  return process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin/java') : 'java';
}

/** The first broker's address (the one single-broker tools talk to). */
export function localBroker(config: Config): BrokerAddress {
  return localNodes(config)[0]!.client;
}

function loopback(host: string): string {
  return host === 'localhost' ? '127.0.0.1' : host;
}

/** Where agencies reach the local brokers: each one's agency listener (SASL/SCRAM over TLS). */
export function agencyListeners(config: Config): BrokerAddress[] {
  return localNodes(config).map((node) => ({ host: loopback(node.client.host), port: node.agencyPort }));
}

export function agencyBootstrap(config: Config): string {
  return agencyListeners(config).map(formatBroker).join(',');
}

/** The local stack's credentials file (made on first start; see kafka-security.ts). */
export function localCredentialsFile(config: Config): string {
  if (!config.kafka.localCredentialsFile) throw new Error('the local stack needs KAFKA_CREDENTIALS_FILE');
  return config.kafka.localCredentialsFile;
}

function serverProperties(node: LocalNode, nodes: readonly LocalNode[], credentials: LocalKafkaCredentials, tls: BrokerTls): string {
  const host = loopback(node.client.host);
  const replicas = nodes.length;
  // A write is acknowledged by two replicas of three, so one broker may fail without losing it.
  const inSync = replicas >= 3 ? 2 : 1;
  return [
    '# Written by infra/stack on every start; edit infra/stack/kafka-broker.ts instead.',
    'process.roles=broker,controller',
    `node.id=${node.id}`,
    ...securityProperties({
      host,
      broker: node.client,
      controllerPort: node.controllerPort,
      agencyPort: node.agencyPort,
      voters: nodes.map((voter) => `${voter.id}@${loopback(voter.client.host)}:${voter.controllerPort}`).join(','),
      credentials,
      tls,
    }),
    `log.dirs=${path.join(node.home, 'data')}`,
    `offsets.topic.replication.factor=${replicas}`,
    `transaction.state.log.replication.factor=${replicas}`,
    `transaction.state.log.min.isr=${inSync}`,
    `share.coordinator.state.topic.replication.factor=${replicas}`,
    `share.coordinator.state.topic.min.isr=${inSync}`,
    `default.replication.factor=${replicas}`,
    `min.insync.replicas=${inSync}`,
    // A replica that was not in sync never becomes leader: that would drop acknowledged writes.
    'unclean.leader.election.enable=false',
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

/**
 * A fresh KRaft cluster id: 16 random bytes in base64url, as Kafka's Uuid. Like Kafka's own
 * generator it never begins with '-', which the storage tool's argument parser would take for an
 * option (one id in 64 did, and the format failed).
 */
export function newClusterId(random: (size: number) => Buffer = randomBytes): string {
  for (;;) {
    const id = random(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

export interface KafkaStart {
  pid: number | null;
  /** false when a broker was already serving the address (ours or someone else's). */
  started: boolean;
}

/** How many brokers a formatted local storage was made for (a stack made before clusters: one). */
function formattedBrokers(config: Config): number {
  const file = path.join(config.dataDir, 'kafka', 'brokers');
  return existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : 1;
}

function nodeServing(node: LocalNode): Promise<boolean> {
  return runningPid(node.process) !== null ? Promise.resolve(true) : isPortOpen(node.client.host, node.client.port);
}

/** Starts one broker of the local stack on its formatted storage, and waits until it listens. */
export async function startBroker(config: Config, id: number): Promise<number | null> {
  const node = localNodes(config).find((candidate) => candidate.id === id);
  if (!node) throw new Error(`the local stack has no broker ${id}`);
  if (await nodeServing(node)) return null;
  const classpath = ensureKafkaJars();
  const pid = startDetached(
    node.process,
    javaBinary(),
    [`-Xms256m`, `-Xmx${config.stack.heap}`, '-XX:+UseG1GC', '-Djava.awt.headless=true', LOG4J,
      `-Dkafka.logs.dir=${path.dirname(node.process.logFile)}`, '-cp', classpath, 'kafka.Kafka', path.join(node.home, 'server.properties')],
    { cwd: node.home },
  );
  await waitUntil(`Kafka broker ${id}`, () => isPortOpen(node.client.host, node.client.port), {
    timeoutMs: 90_000,
    logFile: node.process.logFile,
    alive: () => runningPid(node.process) !== null,
  });
  return pid;
}

/** Stops one broker: SIGTERM (a controlled shutdown), or SIGKILL as a crash would. */
export async function stopBroker(config: Config, id: number, how: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
  const proc = kafkaProcess(config, id);
  if (how === 'SIGTERM') {
    await stopProcess(proc, 60_000);
    return;
  }
  const pid = runningPid(proc);
  if (pid === null) return;
  process.kill(pid, 'SIGKILL');
  await waitUntil(`Kafka broker ${id} to die`, async () => runningPid(proc) === null, { timeoutMs: 10_000 });
}

export async function startKafka(config: Config, waitForReady: (timeoutMs: number) => Promise<void>): Promise<KafkaStart> {
  const nodes = localNodes(config);
  const serving = await Promise.all(nodes.map(nodeServing));
  if (serving.every(Boolean)) {
    await waitForReady(60_000);
    return { pid: runningPid(nodes[0]!.process), started: false };
  }
  const classpath = ensureKafkaJars();
  const formatted = existsSync(path.join(nodes[0]!.home, 'data', 'meta.properties'));
  if (formatted && !existsSync(localCredentialsFile(config))) {
    throw new Error(
      `the Kafka storage in ${path.join(nodes[0]!.home, 'data')} was formatted before Kafka required authentication (or ` +
        `${localCredentialsFile(config)} is gone), so no credentials would log in; \`npm start -- --reset\` deletes the local Kafka data and starts afresh`,
    );
  }
  if (formatted && formattedBrokers(config) !== nodes.length) {
    throw new Error(
      `the local Kafka was made for ${formattedBrokers(config)} broker(s), and KAFKA_LOCAL_BROKERS asks for ${nodes.length}: ` +
        'a controller quorum cannot change its size here; `npm start -- --reset` deletes the local Kafka data and starts afresh',
    );
  }
  const newCredentials = !existsSync(localCredentialsFile(config));
  const credentials = ensureLocalKafkaCredentials(localCredentialsFile(config));
  const tls = ensureBrokerTls(config, credentials, newCredentials);
  // Every broker of a new cluster is formatted with the same cluster id (16 random bytes, as Kafka's Uuid).
  const clusterId = newClusterId();
  for (const node of nodes) {
    mkdirSync(path.join(node.home, 'data'), { recursive: true });
    const propertiesFile = path.join(node.home, 'server.properties');
    // It holds passwords: readable by this user only.
    writeFileSync(propertiesFile, serverProperties(node, nodes, credentials, tls), { mode: 0o600 });
    chmodSync(propertiesFile, 0o600);
    if (formatted) continue;
    // KRaft storage is formatted once, with the SCRAM users that must exist before anyone can log in.
    try {
      execFileSync(
        javaBinary(),
        ['-cp', classpath, LOG4J, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', propertiesFile, ...formatScramArguments(credentials)],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
    } catch (error) {
      const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
      throw new Error(`could not format the Kafka storage in ${path.join(node.home, 'data')}: ${stderr || (error as Error).message}`);
    }
  }
  if (!formatted) writeFileSync(path.join(config.dataDir, 'kafka', 'brokers'), `${nodes.length}\n`);
  writeFileSync(adminPropertiesFile(config), adminClientProperties(credentials), { mode: 0o600 });
  // The brokers start together: a quorum of three elects its leader once two controllers answer.
  const pids = await Promise.all(nodes.map((node) => startBroker(config, node.id)));
  await waitForReady(90_000);
  await grantServices(config, credentials);
  return { pid: pids[0] ?? runningPid(nodes[0]!.process), started: true };
}

/** Properties of a Java admin client (Kafka's own tools) logged in as the local administrator. */
export function adminPropertiesFile(config: Config): string {
  return path.join(config.dataDir, 'kafka', 'admin-client.properties');
}

/** A kafkajs client logged in as the local stack's administrator (a super user), for the stack's own work. */
export function localAdminKafka(config: Config, credentials: LocalKafkaCredentials): Kafka {
  return createKafka({ ...config.kafka, sasl: credentials.admin }, createLogger('stack', 'silent'), 'stack');
}

async function withLocalAdmin<T>(config: Config, credentials: LocalKafkaCredentials, work: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = localAdminKafka(config, credentials).admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}

/** The services' and ingest's ACLs; creating an ACL that exists changes nothing, so every start applies them. */
async function grantServices(config: Config, credentials: LocalKafkaCredentials): Promise<void> {
  const acl = [...servicesAcls(config, credentials.services.username), ...ingestAcls(credentials.ingest.username)];
  await withLocalAdmin(config, credentials, (admin) => admin.createAcls({ acl }));
}

function configCommandTarget(config: Config): ConfigCommandTarget {
  return { classpath: ensureKafkaJars(), bootstrap: formatBroker(localBroker(config)), adminProperties: adminPropertiesFile(config) };
}

/**
 * Gives an agency its own Kafka login on the local stack: a SCRAM user `agency-<id>` with this password
 * (created, or its password reset) and the ACLs of agencyAcls. Idempotent; null when the broker
 * serving the address is not one this stack secured (no local credentials file).
 */
export async function grantAgency(config: Config, agency: string, password: string): Promise<SaslCredentials | null> {
  const credentials = readLocalKafkaCredentials(localCredentialsFile(config));
  if (!credentials) return null;
  const username = agencyPrincipal(agency);
  setScramPassword(configCommandTarget(config), username, password);
  await withLocalAdmin(config, credentials, (admin) => admin.createAcls({ acl: agencyAcls(agency) }));
  return { mechanism: 'scram-sha-512', username, password };
}

/**
 * Takes an agency's Kafka access away: its ACLs first (the authorizer checks every request, so open
 * connections lose access once the broker has applied the deletion), then its SCRAM credential (no
 * new login: replaced by an unknown password, see disableScramCredential). The controller commits
 * the deletion before it answers, but each broker applies it from the metadata log a moment later
 * (seconds on a loaded machine), so this returns only once the broker answering DescribeAcls, which
 * reads its own authorizer, lists none of the agency's ACLs.
 */
export async function revokeAgency(config: Config, agency: string): Promise<void> {
  const credentials = readLocalKafkaCredentials(localCredentialsFile(config));
  if (!credentials) throw new Error(`no local Kafka credentials in ${localCredentialsFile(config)}: this stack did not secure the broker`);
  await withLocalAdmin(config, credentials, async (admin) => {
    await admin.deleteAcls({ filters: agencyAcls(agency) });
    await waitUntil(`the deletion of ${agencyPrincipal(agency)}'s ACLs`, async () => (await admin.describeAcls(aclsOf(agency))).resources.length === 0, {
      timeoutMs: ACL_APPLIED_TIMEOUT_MS,
    });
  });
  disableScramCredential(configCommandTarget(config), agencyPrincipal(agency));
}

const ACL_APPLIED_TIMEOUT_MS = 30_000;

/** A DescribeAcls filter matching every ACL of an agency's principal. */
function aclsOf(agency: string) {
  return {
    principal: `User:${agencyPrincipal(agency)}`,
    resourceType: AclResourceTypes.ANY,
    resourcePatternType: ResourcePatternTypes.ANY,
    operation: AclOperationTypes.ANY,
    permissionType: AclPermissionTypes.ANY,
  };
}

/**
 * The agencies that hold ACLs on the local broker (principals `User:agency-<id>`), as the broker
 * lists them; null when the broker is not one this stack secured.
 */
export async function agenciesWithAcls(config: Config): Promise<string[] | null> {
  const credentials = readLocalKafkaCredentials(localCredentialsFile(config));
  if (!credentials) return null;
  const prefix = `User:${agencyPrincipal('')}`;
  const { resources } = await withLocalAdmin(config, credentials, (admin) =>
    admin.describeAcls({
      resourceType: AclResourceTypes.ANY,
      resourcePatternType: ResourcePatternTypes.ANY,
      operation: AclOperationTypes.ANY,
      permissionType: AclPermissionTypes.ANY,
    }),
  );
  const agencies = new Set<string>();
  for (const resource of resources) {
    for (const acl of resource.acls) {
      const agency = acl.principal.startsWith(prefix) ? acl.principal.slice(prefix.length) : '';
      // Only principals that name a valid agency id are agency ones; anything else is left alone.
      if (AGENCY_ID_PATTERN.test(agency)) agencies.add(agency);
    }
  }
  return [...agencies].sort();
}

/** KAFKA_SASL_* naming the local administrator, for tests and tools that need every right; empty without a credentials file. */
export function localAdminEnv(config: Config): Record<string, string> {
  const credentials = readLocalKafkaCredentials(localCredentialsFile(config));
  if (!credentials) return {};
  const { mechanism, username, password } = credentials.admin;
  return { KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_USERNAME: username, KAFKA_SASL_PASSWORD: password };
}
