/**
 * How the test run gets its Kafka, schema registry and ClickHouse (TRUC_TEST_STACK):
 *  - native (default): the local stack of infra/stack, started if not running, stopped afterwards
 *    only if this run started it; ClickHouse is the embedded engine. Tests log in to Kafka as the
 *    stack's administrator (they make topics and groups of every name); the agency tests use their own principals.
 *  - containers: Kafka and ClickHouse server in Docker through testcontainers, Truc's registry
 *    in-process against that Kafka.
 *  - cluster: the local stack as a cluster of three brokers (KAFKA_LOCAL_BROKERS=3; topics with three
 *    replicas, two in sync), its data in a folder of its own beside the single broker's.
 *  - external: whatever KAFKA_BROKERS, SCHEMA_REGISTRY_URL and CLICKHOUSE_URL name.
 */
import { freePort } from './ports.ts';
import { formatBroker, loadConfig, type Config } from '../../services/platform/config.ts';
import { registryClientCredentials } from '../../services/platform/registry-credentials.ts';
import { localAdminEnv } from '../../infra/stack/kafka-broker.ts';
import { down, kafkaAnswers, registryAnswers, up } from '../../infra/stack/stack.ts';

export type StackEnv = Record<string, string>;

export interface TestStack {
  env: StackEnv;
  stop(): Promise<void>;
}

/** The registry credentials Truc's clients use, handed to the workers explicitly. */
function registryCredentialsEnv(config: Config): StackEnv {
  const credentials = registryClientCredentials(config.schemaRegistry);
  return credentials ? { SCHEMA_REGISTRY_USER_INFO: `${credentials.username}:${credentials.password}` } : {};
}

export async function nativeStack(): Promise<TestStack> {
  const config = loadConfig();
  const { started } = await up(config);
  return {
    env: {
      KAFKA_LOCAL_BROKERS: String(config.stack.brokers),
      KAFKA_BROKERS: config.kafka.brokers.map(formatBroker).join(','),
      SCHEMA_REGISTRY_URL: config.schemaRegistry.url,
      ...registryCredentialsEnv(config),
      ...localAdminEnv(config),
    },
    stop: async () => {
      await down(config, started);
    },
  };
}

/**
 * The native stack with three brokers. Its data folder is its own (a quorum's size is fixed when
 * its storage is formatted), set before anything reads configuration, so the registry it starts and
 * the workers see the same; the workers get KAFKA_LOCAL_BROKERS, so every topic they make has three replicas.
 */
export async function clusterStack(): Promise<TestStack> {
  process.env.KAFKA_LOCAL_BROKERS = '3';
  process.env.TRUC_DATA_DIR ??= '.truc/cluster';
  const stack = await nativeStack();
  return { env: { ...stack.env, TRUC_DATA_DIR: process.env.TRUC_DATA_DIR }, stop: stack.stop };
}

export async function externalStack(): Promise<TestStack> {
  const config = loadConfig();
  await kafkaAnswers(config, 30_000);
  if (!(await registryAnswers(config.schemaRegistry.url).catch(() => false))) {
    throw new Error(`TRUC_TEST_STACK=external but no schema registry answers at ${config.schemaRegistry.url}`);
  }
  return { env: registryCredentialsEnv(config), stop: async () => {} };
}


export async function containerStack(): Promise<TestStack> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const { ClickHouseContainer } = await import('@testcontainers/clickhouse');
  const { startSchemaRegistry } = await import('../../services/schema-registry/service.ts');
  const { issueRegistryCredential, RegistryCredentials } = await import('../../services/schema-registry/credentials.ts');

  // The broker advertises the address clients use, so the host port is chosen first and the
  // container listens on that same port number inside.
  const port = await freePort();
  const kafka = await new GenericContainer('apache/kafka:4.1.1')
    .withExposedPorts({ container: port, host: port })
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: `PLAINTEXT://0.0.0.0:${port},CONTROLLER://0.0.0.0:9093`,
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://localhost:${port}`,
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
    })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .start();
  const clickhouse = await new ClickHouseContainer('clickhouse/clickhouse-server:25.8').start();

  const env: StackEnv = {
    KAFKA_BROKERS: `localhost:${port}`,
    CLICKHOUSE_URL: clickhouse.getHttpUrl(),
    CLICKHOUSE_USER: clickhouse.getUsername(),
    CLICKHOUSE_PASSWORD: clickhouse.getPassword(),
  };
  // The in-process registry admits one writer credential made for this run.
  const writer = issueRegistryCredential('truc-test');
  env.SCHEMA_REGISTRY_USER_INFO = writer.userInfo;
  const credentials = new RegistryCredentials({ writers: { 'truc-test': [writer.hash] } });
  const config = loadConfig({ ...process.env, ...env });
  const registry = await startSchemaRegistry({ config, port: 0, credentials: () => credentials });
  env.SCHEMA_REGISTRY_URL = registry.url;
  return {
    env,
    stop: async () => {
      await registry.close();
      await Promise.all([kafka.stop(), clickhouse.stop()]);
    },
  };
}
