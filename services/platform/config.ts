/**
 * The one place configuration is read. Every setting comes from an environment variable with a
 * default that suits the local stack; a wrong value stops start-up with a message naming the variable.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
export type SaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';

export interface BrokerAddress {
  host: string;
  port: number;
}

export interface KafkaConfig {
  brokers: BrokerAddress[];
  clientId: string;
  ssl: boolean;
  sasl: { mechanism: SaslMechanism; username: string; password: string } | null;
}

export interface TopicDefaults {
  partitions: number;
  replicationFactor: number;
  retentionMs: number;
}

export interface SchemaRegistryConfig {
  /** Where clients reach a Confluent-compatible registry. */
  url: string;
  /** Where Truc's own registry service listens (local stack and `npm run registry`). */
  listenHost: string;
  listenPort: number;
  /** The compacted topic holding every registry change. */
  topic: string;
}

export interface ClickHouseConfig {
  /** A ClickHouse server; null means the embedded engine on `dataDir`. */
  url: string | null;
  username: string;
  password: string;
  database: string;
  dataDir: string;
}

export interface LocalStackConfig {
  controllerPort: number;
  heap: string;
}

export interface ApiConfig {
  host: string;
  port: number;
  /** JSON file with the hashed keys of sources, operators and agencies (see README, "Access"). */
  accessFile: string;
}

export interface IngestConfig {
  maxBodyBytes: number;
  maxRecordsPerRequest: number;
  /** Sustained records per second one source may post; bursts up to `burstRecords`. */
  ratePerSource: number;
  burstRecords: number;
  /** How long a request waits for Kafka's acknowledgement before it is answered 503. */
  sendTimeoutMs: number;
  /** How long concurrent requests' records are gathered into one produce request. */
  lingerMs: number;
}

export interface FileConnectorConfig {
  /** Drop folder for checkpoint-ops files; finished files move to its `done/` subfolder. */
  dropDir: string;
  pollIntervalMs: number;
  /** Names the connector's offsets and transactional id; one running instance per name. */
  name: string;
  /** Records (lines) written per Kafka transaction. */
  batchRecords: number;
}

export interface PollConnectorConfig {
  /** The hotline-1022 feed (`GET <url>?since=<cursor>&limit=<n>`); null: no polling connector runs. */
  url: string | null;
  /** Bearer token Truc presents to the polled source, if it needs one. */
  token: string | null;
  intervalMs: number;
  pageSize: number;
  timeoutMs: number;
  /** Names the connector's offsets and transactional id; one running instance per name. */
  name: string;
}

export interface NormalizerConfig {
  /** Consumer group of all normalizer instances; partitions of the raw topics are split among them. */
  groupId: string;
  /** The secret of person_key (keyed HMAC-SHA-256); from PERSON_KEY_SECRET, else this file. */
  personKeySecret: string | null;
  personKeySecretFile: string;
  /** The same declaration arriving through two sources within this window is emitted once. */
  dedupWindowMs: number;
  /** Declaration times this close (the apps stamp one declaration a few minutes apart) count as the same. */
  dedupToleranceMs: number;
  /** Where a standalone normalizer serves /metrics (0: a free port; npm start serves them on the API). */
  metricsPort: number;
}

export interface Config {
  dataDir: string;
  logLevel: LogLevel;
  api: ApiConfig;
  ingest: IngestConfig;
  fileConnector: FileConnectorConfig;
  pollConnector: PollConnectorConfig;
  normalizer: NormalizerConfig;
  kafka: KafkaConfig;
  topics: TopicDefaults;
  schemaRegistry: SchemaRegistryConfig;
  clickhouse: ClickHouseConfig;
  stack: LocalStackConfig;
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

type Env = Record<string, string | undefined>;

/** Collects every problem before failing, so one start-up reports all wrong variables at once. */
class EnvReader {
  readonly problems: string[] = [];
  private readonly env: Env;
  constructor(env: Env) {
    this.env = env;
  }

  private raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  optional(name: string): string | null {
    return this.raw(name) ?? null;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      this.problems.push(`${name}=${JSON.stringify(value)} must be a whole number from ${min} to ${max}`);
      return fallback;
    }
    return Number(value);
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (['1', 'true', 'yes'].includes(value)) return true;
    if (['0', 'false', 'no'].includes(value)) return false;
    this.problems.push(`${name}=${JSON.stringify(value)} must be true or false`);
    return fallback;
  }

  oneOf<T extends string>(name: string, fallback: T, allowed: readonly T[]): T {
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    this.problems.push(`${name}=${JSON.stringify(value)} must be one of ${allowed.join(', ')}`);
    return fallback;
  }

  url(name: string, fallback: string | null): string | null {
    const value = this.raw(name) ?? fallback;
    if (value === null) return null;
    try {
      const parsed = new URL(value);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('protocol');
      return value.replace(/\/+$/, '');
    } catch {
      this.problems.push(`${name}=${JSON.stringify(value)} must be an http:// or https:// URL`);
      return fallback;
    }
  }

  brokers(name: string, fallback: string): BrokerAddress[] {
    const value = this.raw(name) ?? fallback;
    const parsed = value.split(',').map((entry) => parseBrokerAddress(entry.trim()));
    if (parsed.some((entry) => entry === null)) {
      this.problems.push(
        `${name}=${JSON.stringify(value)} must be a comma-separated list of host:port (for example 127.0.0.1:9092)`,
      );
      return fallback.split(',').map((entry) => parseBrokerAddress(entry) as BrokerAddress);
    }
    return parsed as BrokerAddress[];
  }

  /** Cross-field rules report through the same list. */
  require(condition: boolean, problem: string): void {
    if (!condition) this.problems.push(problem);
  }
}

const HOST_PATTERN = /^(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*)$/;

export function parseBrokerAddress(entry: string): BrokerAddress | null {
  const match = /^(.+):(\d{1,5})$/.exec(entry);
  if (!match) return null;
  const [, host, port] = match as unknown as [string, string, string];
  if (!HOST_PATTERN.test(host) || Number(port) < 1 || Number(port) > 65535) return null;
  return { host, port: Number(port) };
}

export function formatBroker(address: BrokerAddress): string {
  return `${address.host}:${address.port}`;
}

export function loadConfig(env: Env = process.env): Config {
  const read = new EnvReader(env);
  const dataDir = path.resolve(REPO_ROOT, read.string('TRUC_DATA_DIR', '.truc'));

  const saslMechanism = read.optional('KAFKA_SASL_MECHANISM');
  let sasl: KafkaConfig['sasl'] = null;
  if (saslMechanism !== null) {
    const mechanism = read.oneOf<SaslMechanism>('KAFKA_SASL_MECHANISM', 'plain', ['plain', 'scram-sha-256', 'scram-sha-512']);
    const username = read.optional('KAFKA_SASL_USERNAME');
    const password = read.optional('KAFKA_SASL_PASSWORD');
    read.require(username !== null, 'KAFKA_SASL_USERNAME is required when KAFKA_SASL_MECHANISM is set');
    read.require(password !== null, 'KAFKA_SASL_PASSWORD is required when KAFKA_SASL_MECHANISM is set');
    sasl = { mechanism, username: username ?? '', password: password ?? '' };
  }

  const registryUrl = read.url('SCHEMA_REGISTRY_URL', 'http://127.0.0.1:8081') as string;
  const registryPortDefault = Number(new URL(registryUrl).port || 8081);

  const config: Config = {
    dataDir,
    logLevel: read.oneOf<LogLevel>('LOG_LEVEL', 'info', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    api: {
      host: read.string('API_HOST', '127.0.0.1'),
      port: read.integer('API_PORT', 8080, 0, 65535),
      accessFile: path.resolve(dataDir, read.string('TRUC_ACCESS_FILE', 'access.json')),
    },
    ingest: {
      maxBodyBytes: read.integer('INGEST_MAX_BODY_BYTES', 10 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
      maxRecordsPerRequest: read.integer('INGEST_MAX_RECORDS', 5_000, 1, 1_000_000),
      ratePerSource: read.integer('INGEST_RATE_PER_SOURCE', 50_000, 1, 10_000_000),
      burstRecords: read.integer('INGEST_RATE_BURST', 100_000, 1, 100_000_000),
      sendTimeoutMs: read.integer('INGEST_SEND_TIMEOUT_MS', 10_000, 100, 600_000),
      lingerMs: read.integer('INGEST_LINGER_MS', 5, 0, 1_000),
    },
    fileConnector: {
      dropDir: path.resolve(dataDir, read.string('FILE_CONNECTOR_DIR', 'drop/checkpoint-ops')),
      pollIntervalMs: read.integer('FILE_CONNECTOR_POLL_MS', 1_000, 50, 3_600_000),
      name: read.string('FILE_CONNECTOR_NAME', 'file-checkpoint-ops'),
      batchRecords: read.integer('FILE_CONNECTOR_BATCH', 500, 1, 10_000),
    },
    pollConnector: {
      url: read.url('POLL_CONNECTOR_URL', null),
      token: read.optional('POLL_CONNECTOR_TOKEN'),
      intervalMs: read.integer('POLL_CONNECTOR_INTERVAL_MS', 2_000, 50, 3_600_000),
      pageSize: read.integer('POLL_CONNECTOR_PAGE_SIZE', 500, 1, 10_000),
      timeoutMs: read.integer('POLL_CONNECTOR_TIMEOUT_MS', 10_000, 100, 600_000),
      name: read.string('POLL_CONNECTOR_NAME', 'poll-hotline-1022'),
    },
    normalizer: {
      groupId: read.string('NORMALIZER_GROUP_ID', 'truc-normalizer'),
      personKeySecret: read.optional('PERSON_KEY_SECRET'),
      personKeySecretFile: path.resolve(dataDir, read.string('PERSON_KEY_SECRET_FILE', 'person-key.secret')),
      dedupWindowMs: read.integer('DEDUP_WINDOW_MS', 24 * 3600 * 1000, 0, 30 * 24 * 3600 * 1000),
      dedupToleranceMs: read.integer('DEDUP_TIME_TOLERANCE_MS', 30 * 60 * 1000, 0, 24 * 3600 * 1000),
      metricsPort: read.integer('NORMALIZER_METRICS_PORT', 9464, 0, 65535),
    },
    kafka: {
      brokers: read.brokers('KAFKA_BROKERS', '127.0.0.1:9092'),
      clientId: read.string('KAFKA_CLIENT_ID', 'truc'),
      ssl: read.boolean('KAFKA_SSL', false),
      sasl,
    },
    topics: {
      partitions: read.integer('TOPIC_PARTITIONS', 6, 1, 1000),
      replicationFactor: read.integer('TOPIC_REPLICATION_FACTOR', 1, 1, 10),
      retentionMs: read.integer('TOPIC_RETENTION_MS', 7 * 24 * 3600 * 1000, 60_000, Number.MAX_SAFE_INTEGER),
    },
    schemaRegistry: {
      url: registryUrl,
      listenHost: read.string('SCHEMA_REGISTRY_LISTEN_HOST', '127.0.0.1'),
      listenPort: read.integer('SCHEMA_REGISTRY_PORT', registryPortDefault, 1, 65535),
      topic: read.string('SCHEMA_REGISTRY_TOPIC', '_schemas'),
    },
    clickhouse: {
      url: read.url('CLICKHOUSE_URL', null),
      username: read.string('CLICKHOUSE_USER', 'default'),
      password: read.string('CLICKHOUSE_PASSWORD', ''),
      database: read.string('CLICKHOUSE_DATABASE', 'truc'),
      dataDir: path.resolve(dataDir, read.string('CLICKHOUSE_DATA_DIR', 'clickhouse')),
    },
    stack: {
      controllerPort: read.integer('KAFKA_CONTROLLER_PORT', 9093, 1, 65535),
      heap: read.string('KAFKA_HEAP', '1g'),
    },
  };
  read.require(
    /^[A-Za-z_][A-Za-z0-9_]*$/.test(config.clickhouse.database),
    `CLICKHOUSE_DATABASE=${JSON.stringify(config.clickhouse.database)} must be a plain identifier (letters, digits, _)`,
  );
  read.require(
    config.ingest.burstRecords >= config.ingest.maxRecordsPerRequest,
    `INGEST_RATE_BURST=${config.ingest.burstRecords} must be at least INGEST_MAX_RECORDS=${config.ingest.maxRecordsPerRequest}, or a full request could never pass`,
  );
  read.require(
    config.normalizer.personKeySecret === null || config.normalizer.personKeySecret.length >= 32,
    'PERSON_KEY_SECRET must be at least 32 characters (it keys the HMAC that pseudonymises people)',
  );
  read.require(/^\d+[mg]$/i.test(config.stack.heap), `KAFKA_HEAP=${JSON.stringify(config.stack.heap)} must look like 512m or 1g`);
  for (const [variable, name] of [['FILE_CONNECTOR_NAME', config.fileConnector.name], ['POLL_CONNECTOR_NAME', config.pollConnector.name]] as const) {
    read.require(/^[A-Za-z0-9._-]{1,100}$/.test(name), `${variable}=${JSON.stringify(name)} must be 1 to 100 letters, digits, '.', '_' or '-'`);
  }
  read.require(
    config.fileConnector.name !== config.pollConnector.name,
    `FILE_CONNECTOR_NAME and POLL_CONNECTOR_NAME are both ${JSON.stringify(config.fileConnector.name)}; the name keys a connector's offsets, so they must differ`,
  );

  if (read.problems.length > 0) throw new ConfigError(read.problems);
  return config;
}
