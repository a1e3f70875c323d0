/**
 * The one place configuration is read. Every setting comes from an environment variable with a
 * default that suits the local stack; a wrong value stops start-up with a message naming the variable.
 */
import path from 'node:path';
import { KINDS, type Kind } from './catalog.ts';
import { REPO_ROOT } from './repo-root.ts';
import { isWebhookSecret } from './webhook-signing.ts';
import { webhookUrlProblem } from './webhook-target.ts';

export { REPO_ROOT };


export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
export type SaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';

export interface BrokerAddress {
  host: string;
  port: number;
}

export interface SaslCredentials {
  mechanism: SaslMechanism;
  username: string;
  password: string;
}

export interface KafkaConfig {
  brokers: BrokerAddress[];
  clientId: string;
  /** TLS to the brokers; with `caFile`, the brokers' certificates must chain to that CA (PEM). */
  ssl: boolean;
  caFile: string | null;
  sasl: SaslCredentials | null;
  /** HTTP ingest's producer logs in with these when set (a principal that may only write raw topics). */
  ingestSasl: SaslCredentials | null;
  /**
   * The local stack's credentials file: without KAFKA_SASL_*, clients authenticate as its services
   * principal when it exists (see kafka-credentials.ts). Null: a client that must not authenticate.
   */
  localCredentialsFile: string | null;
  /**
   * Whether `npm start` keeps the agencies' Kafka principals in line with the access file (revoking
   * those of removed agencies). Applies only to a broker the local stack secured.
   */
  manageAgencyAccess: boolean;
}

export interface TopicDefaults {
  partitions: number;
  replicationFactor: number;
  /** Replicas that must have a write before it is acknowledged (acks=all); 2 of 3 on a cluster, so one broker may fail. */
  minInsyncReplicas: number;
}

/** Where data is kept, each with its own retention (README, "Retention"). */
export const RETENTION_STORES = ['raw', 'canonical', 'dead-letters', 'agency-topics', 'clickhouse', 'audit'] as const;
export type RetentionStore = (typeof RETENTION_STORES)[number];

export interface StoreRetention {
  /** How long a record is kept (ms): on topics `retention.ms`, in ClickHouse the table's TTL after `occurred_at`. */
  defaultMs: number;
  /** Kinds kept for another time than the store's default. Dead letters and the audit are kept whole, not per kind. */
  byKind: Partial<Record<Kind, number>>;
}

export type RetentionConfig = Record<RetentionStore, StoreRetention>;

/** The retention of a store for a kind (the store's default where the kind has none of its own). */
export function retentionOf(retention: RetentionConfig, store: RetentionStore, kind?: Kind): number {
  const entry = retention[store];
  return (kind === undefined ? undefined : entry.byKind[kind]) ?? entry.defaultMs;
}

/** What the epidemic's sunset does to a store (README, "Sunset"): topics are emptied or kept; ClickHouse's row-level tables anonymised, emptied or kept. */
export type SunsetAction = 'delete' | 'anonymise' | 'keep';

/** The stores a sunset may erase: every store but the audit, which keeps its own retention. */
export const SUNSET_STORES = ['raw', 'canonical', 'dead-letters', 'agency-topics', 'clickhouse'] as const satisfies readonly RetentionStore[];
export type SunsetStore = (typeof SUNSET_STORES)[number];

export interface SunsetConfig {
  actions: Record<SunsetStore, SunsetAction>;
  /** How long the sunset waits for the normalizer, the sinks and the subscriptions to catch up before it gives up and resumes ingest. */
  drainTimeoutMs: number;
  /** The Ed25519 key that signs sunset receipts (PKCS#8 PEM, made on first use; its public half beside it as .pub). */
  signingKeyFile: string;
}

/** The disclosure audit (README, "Disclosure audit"). */
export interface AuditConfig {
  /** The append-only topic every disclosure, analyst query and reading of the audit is written to. */
  topic: string;
  /** The ClickHouse database of the audit table: never the analysts' one, which is all they may read. */
  database: string;
  /** Consumer group of the writer that copies the audit topic into ClickHouse. */
  groupId: string;
}

export interface SchemaRegistryConfig {
  /** Where clients reach a Confluent-compatible registry. */
  url: string;
  /** Where Truc's own registry service listens (local stack and `npm run registry`). */
  listenHost: string;
  listenPort: number;
  /** The compacted topic holding every registry change. */
  topic: string;
  /**
   * What Truc's clients present (HTTP Basic, Confluent's `basic.auth.user.info` form `user:password`):
   * `userInfo`, else the contents of `userInfoFile` when it exists (a local stack makes it), else nothing.
   */
  userInfo: string | null;
  userInfoFile: string;
  /** Truc's registry: the hashed reader and writer credentials it admits (see README, "Schema registry"). */
  credentialsFile: string;
  /** Truc's registry: whether reads need no credentials (writes always do). */
  anonymousRead: boolean;
}

export interface ClickHouseConfig {
  /** A ClickHouse server; null means the embedded engine on `dataDir`. */
  url: string | null;
  username: string;
  password: string;
  database: string;
  dataDir: string;
  /** ON CLUSTER name for migrations (replicated engines); null on a single server or the embedded engine. */
  cluster: string | null;
}

export interface ClickHouseSinkConfig {
  /** The analysts' protected views, which the sink creates, show no cell of fewer people than this (README, "Small cells"). */
  smallCellK: number;
  /** Consumer group of every sink instance; the canonical topics' partitions are split among them. */
  groupId: string;
  /** Topics read are `<topicPrefix><kind>` for every canonical kind (tests use their own prefix). */
  topicPrefix: string;
  /** A batch is inserted when it holds this many rows, or `maxWaitMs` after its first record. */
  maxRows: number;
  maxWaitMs: number;
  /**
   * While no insert is running, a batch of at least this many rows is written at once instead of
   * waiting for `maxWaitMs`: with a backlog, ClickHouse starts at once and the batches then grow
   * with what arrives during each insert (up to `maxRows`).
   */
  minRows: number;
  /** Back-off between attempts while ClickHouse fails (exponential from the first to the cap). */
  retryInitialMs: number;
  retryMaxMs: number;
  /** Kafka session timeout of the sink's consumer: how soon a crashed member's partitions move on. */
  sessionTimeoutMs: number;
  /** Where a standalone sink serves /metrics (0: a free port; npm start serves them on the API). */
  metricsPort: number;
}

/** The analysts' read-only ClickHouse-HTTP endpoint served by the process owning the embedded engine. */
export interface ClickHouseEndpointConfig {
  host: string;
  port: number;
  /** The analyst user; its password comes from `password`, else from `passwordFile` (created on a local stack). */
  user: string;
  /** Whether that analyst (the account when the access file lists none) may read the row-level tables. */
  localRowLevel: boolean;
  password: string | null;
  passwordFile: string;
  /** Limits set on every analyst query, so one query cannot stall or exhaust the process that owns the engine. */
  maxExecutionSeconds: number;
  maxMemoryBytes: number;
  maxResultBytes: number;
  /** Engine sessions serving analyst queries at once (each runs one query at a time). */
  sessions: number;
  /** Of those, at most this many for one analyst, so another analyst always finds a slot soon. */
  sessionsPerAnalyst: number;
  /** The operators' log of analyst queries (JSON lines, mode 0600). */
  queryLogFile: string;
}

export interface LocalStackConfig {
  /** Brokers the local stack runs (KRaft, each also a controller): 1, or 3 for a quorum that survives one failure. */
  brokers: number;
  /** The first broker's controller port; broker n (from 0) uses this + 100·n. */
  controllerPort: number;
  /** The agency-facing listener (SASL/SCRAM over TLS) of the first broker; broker n uses this + 100·n. */
  agencyPort: number;
  heap: string;
}

/** Ports of the local stack's broker n (from 0) beyond its client port: a hundred apart per broker. */
export function localBrokerPorts(stack: LocalStackConfig, n: number): { controller: number; agency: number } {
  return { controller: stack.controllerPort + 100 * n, agency: stack.agencyPort + 100 * n };
}

export interface ApiConfig {
  host: string;
  port: number;
  /** JSON file with the hashed keys of sources, operators and agencies (see README, "Access"). */
  accessFile: string;
  /** How often every process looks at the access file for added and revoked keys. */
  accessReloadMs: number;
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

/** Where pull connector instances are kept and what they may reach (connectors/README.md). */
export interface ConnectConfig {
  /** Compacted topic of the connector instances (their type, configuration and target state). */
  configTopic: string;
  /** Every file connector's folder lies inside this one. */
  dropRoot: string;
  /** Hosts a polling connector may reach although private or loopback, and over plain http (POLL_CONNECTOR_URL's host always may). */
  pollAllowHosts: string[];
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

export interface FanoutConfig {
  /** Waits before each retry of a failed webhook batch; after the last, the batch is dead-lettered. */
  retryScheduleMs: number[];
  /** A webhook POST not answered within this is a failure (and retried). */
  webhookTimeoutMs: number;
  /**
   * Hosts (names or IP addresses, as the URL parser writes them: `127.0.0.1`, `::1`) a webhook may
   * reach although private/loopback, and over plain http.
   */
  allowHosts: string[];
  /** The largest maxBatchSize a subscription may ask for. */
  maxBatchSize: number;
  /** Limits of one subscription request and of one agency: beyond them the API answers 413 or 422. */
  maxSubscriptionBodyBytes: number;
  maxPredicates: number;
  maxInValues: number;
  maxSubscriptionsPerAgency: number;
  /** Compacted topic of the subscriptions, and of their delivery status. */
  subscriptionsTopic: string;
  statusTopic: string;
  /** Where canonical topics are read: `<prefix><kind>` (tests point this at topics of their own). */
  canonicalTopicPrefix: string;
  /** Prefix of every consumer group and transactional id of the fan-out. */
  groupPrefix: string;
  /** Each subscription's sequence journal is `<prefix><subscription id>` (sequence number → event position). */
  sequenceTopicPrefix: string;
  /** Sequence numbers per page of GET /v1/subscriptions/{id}/events, and the widest since..until it accepts. */
  eventsPageSize: number;
  eventsMaxRange: number;
  /** Where a standalone fan-out serves /metrics (0: a free port; npm start serves them on the API). */
  metricsPort: number;
}

/** Alerts to operators (services/alerts): where they go, how they are signed, and when a condition fires. */
export interface AlertsConfig {
  /** Destinations, each POSTed every alert (signed like agency webhooks); none: no alerts are sent. */
  webhookUrls: string[];
  /** The Standard Webhooks secret (`whsec_…`), or the file holding it. */
  secret: string | null;
  secretFile: string | null;
  /** Hosts an alert may reach although private/loopback, and over plain http (as FANOUT_WEBHOOK_ALLOW_HOSTS). */
  allowHosts: string[];
  webhookTimeoutMs: number;
  /** Waits before each retry of an alert a destination did not take; after the last, it is logged as undelivered. */
  retryScheduleMs: number[];
  evaluationIntervalMs: number;
  /** A condition must hold this long before its alert fires… */
  forMs: number;
  /** …and be clear this long before the alert is resolved. */
  resolveAfterMs: number;
  /** Lag (records) above which a stage or subscription counts as behind. */
  lagRecords: number;
  /** Dead letters within `deadLetterWindowMs` above which a stage or subscription alerts. */
  deadLetters: number;
  deadLetterWindowMs: number;
}

export interface Config {
  dataDir: string;
  logLevel: LogLevel;
  api: ApiConfig;
  ingest: IngestConfig;
  fileConnector: FileConnectorConfig;
  pollConnector: PollConnectorConfig;
  connect: ConnectConfig;
  normalizer: NormalizerConfig;
  kafka: KafkaConfig;
  topics: TopicDefaults;
  retention: RetentionConfig;
  sunset: SunsetConfig;
  audit: AuditConfig;
  schemaRegistry: SchemaRegistryConfig;
  clickhouse: ClickHouseConfig;
  clickhouseEndpoint: ClickHouseEndpointConfig;
  clickhouseSink: ClickHouseSinkConfig;
  stack: LocalStackConfig;
  fanout: FanoutConfig;
  demoFeed: DemoFeedConfig;
  alerts: AlertsConfig;
}

/** `npm start`'s demo feed: generated records of every source and kind posted through HTTP ingest. */
export interface DemoFeedConfig {
  /** Records per second; 0 turns the feed off. */
  ratePerSecond: number;
  /** Percent of records with a defect (refused at ingest or dead-lettered by the normalizer). */
  invalidPercent: number;
  /** Percent of health declarations that arrive again through another app. */
  duplicatePercent: number;
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

  /** A comma-separated list of hosts, each written as the URL parser writes it (canonicalHost). */
  hosts(name: string): string[] {
    return this.string(name, '')
      .split(',')
      .map((host) => host.trim())
      .filter((host) => host !== '')
      .map((host) => {
        const canonical = canonicalHost(host);
        this.require(canonical !== null, `${name}: ${JSON.stringify(host)} is not a host name or IP address`);
        return canonical ?? host;
      });
  }

  /** How long data is kept: whole days or hours (30d, 12h), at least one hour. */
  keepFor(name: string, fallback: string): number {
    const value = this.string(name, fallback);
    const ms = parseKeepFor(value);
    this.require(ms !== null, `${name}=${JSON.stringify(value)} must be a number of days or hours such as 30d or 12h, at least 1h`);
    return ms ?? parseKeepFor(fallback)!;
  }

  /** A list of waits such as 5s,5m,30m,2h (units ms, s, m, h). */
  durations(name: string, fallback: string): number[] {
    const value = this.string(name, fallback);
    const parsed = parseDurationList(value);
    this.require(parsed !== null, `${name}=${JSON.stringify(value)} must be a comma-separated list of waits such as 5s,5m,30m,2h (units ms, s, m, h)`);
    return parsed ?? parseDurationList(fallback)!;
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

// A type, not an interface: clients taking `{ [key: string]: string }` (the registry client's auth) accept it.
export type BasicCredentials = { username: string; password: string };

/**
 * Confluent's `basic.auth.user.info` form, `user:password`, split at the first colon as HTTP Basic
 * does (RFC 7617: a user name cannot hold one). Null when either part is missing.
 */
export function parseUserInfo(text: string): BasicCredentials | null {
  const colon = text.indexOf(':');
  if (colon <= 0 || colon === text.length - 1) return null;
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

export function formatBroker(address: BrokerAddress): string {
  return `${address.host}:${address.port}`;
}

const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/**
 * A host as the WHATWG URL parser writes it (lower case, IPv4 in dotted decimal, IPv6 compressed,
 * without brackets), so an allow-list entry matches the host of a URL however either is spelled;
 * null when it is not a host.
 */
export function canonicalHost(host: string): string | null {
  if (/[/?#@\\]/.test(host)) return null;
  const bracketed = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  try {
    const parsed = new URL(`http://${bracketed}/`);
    return parsed.host === parsed.hostname ? parsed.hostname.replace(/^\[|\]$/g, '') : null;
  } catch {
    return null;
  }
}

/** "30d" or "12h" → milliseconds; null when not such a number or under an hour. */
export function parseKeepFor(value: string): number | null {
  const match = /^(\d+)(d|h)$/.exec(value);
  if (!match) return null;
  const ms = Number(match[1]) * (match[2] === 'd' ? 86_400_000 : 3_600_000);
  return ms >= 3_600_000 && Number.isSafeInteger(ms) ? ms : null;
}

/** "5s,5m,30m,2h" → milliseconds; null when any entry is not a number with ms, s, m or h. */
export function parseDurationList(value: string): number[] | null {
  const entries = value.split(',').map((entry) => /^(\d+)(ms|s|m|h)$/.exec(entry.trim()));
  if (entries.length === 0 || entries.some((match) => match === null)) return null;
  return entries.map((match) => Number(match![1]) * DURATION_UNITS_MS[match![2]!]!);
}

/**
 * Defaults, shortest where data is most identifying and least needed (README, "Retention"): raw
 * records hold each source's own fields, needed only to replay after a mapping fix; dead letters
 * wait for an operator; agency topics are a delivery channel; canonical topics feed refills and
 * rebuilds; ClickHouse, pseudonymous, is the analysts' history; the audit is the longest, since a
 * person may ask who received their records long after the records themselves are gone.
 */
const RETENTION_DEFAULTS: Record<RetentionStore, string> = {
  raw: '7d',
  canonical: '30d',
  'dead-letters': '14d',
  'agency-topics': '7d',
  clickhouse: '730d',
  audit: '1825d',
};

/** Dead letters are kept per stage and the audit whole; the other stores may keep a kind for its own time. */
export function storeHasKinds(store: RetentionStore): boolean {
  return store !== 'dead-letters' && store !== 'audit';
}

/** SUNSET_<STORE>: delete (default) or keep for topics; anonymise (default), delete or keep for ClickHouse. */
function readSunsetActions(read: EnvReader): Record<SunsetStore, SunsetAction> {
  const action = (store: SunsetStore): SunsetAction => {
    const name = `SUNSET_${store.toUpperCase().replaceAll('-', '_')}`;
    return store === 'clickhouse' ? read.oneOf<SunsetAction>(name, 'anonymise', ['anonymise', 'delete', 'keep']) : read.oneOf<SunsetAction>(name, 'delete', ['delete', 'keep']);
  };
  return Object.fromEntries(SUNSET_STORES.map((store) => [store, action(store)])) as Record<SunsetStore, SunsetAction>;
}

/** Variable names: RETENTION_<STORE>, and RETENTION_<STORE>_<KIND> for one kind (RETENTION_CLICKHOUSE_TEST_RESULT). */
const envName = (...parts: string[]) => ['RETENTION', ...parts].join('_').toUpperCase().replaceAll('-', '_');

function readRetention(read: EnvReader): RetentionConfig {
  const stores = RETENTION_STORES.map((store): [RetentionStore, StoreRetention] => {
    const defaultMs = read.keepFor(envName(store), RETENTION_DEFAULTS[store]);
    const kinds = storeHasKinds(store) ? KINDS : [];
    const byKind = Object.fromEntries(
      kinds.flatMap((kind) => (read.optional(envName(store, kind)) === null ? [] : [[kind, read.keepFor(envName(store, kind), RETENTION_DEFAULTS[store])]])),
    );
    return [store, { defaultMs, byKind }];
  });
  return Object.fromEntries(stores) as RetentionConfig;
}

export function loadConfig(env: Env = process.env): Config {
  const read = new EnvReader(env);
  const dataDir = path.resolve(REPO_ROOT, read.string('TRUC_DATA_DIR', '.truc'));
  const localBrokers = Number(read.oneOf('KAFKA_LOCAL_BROKERS', '1', ['1', '3']));
  // On a cluster of three, every topic has three replicas unless told otherwise.
  const replicationFactor = read.integer('TOPIC_REPLICATION_FACTOR', localBrokers, 1, 10);

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
  const ingestUsername = read.optional('KAFKA_INGEST_SASL_USERNAME');
  const ingestPassword = read.optional('KAFKA_INGEST_SASL_PASSWORD');
  read.require(
    (ingestUsername === null) === (ingestPassword === null),
    'KAFKA_INGEST_SASL_USERNAME and KAFKA_INGEST_SASL_PASSWORD go together',
  );
  read.require(ingestUsername === null || sasl !== null, 'KAFKA_INGEST_SASL_USERNAME needs KAFKA_SASL_MECHANISM (and the services\' KAFKA_SASL_USERNAME/PASSWORD)');
  const ingestSasl: KafkaConfig['ingestSasl'] =
    sasl && ingestUsername && ingestPassword ? { mechanism: sasl.mechanism, username: ingestUsername, password: ingestPassword } : null;

  const kafkaCaFile = read.optional('KAFKA_SSL_CA_FILE');

  const registryUrl = read.url('SCHEMA_REGISTRY_URL', 'http://127.0.0.1:8081') as string;
  const registryPortDefault = Number(new URL(registryUrl).port || 8081);

  const config: Config = {
    dataDir,
    logLevel: read.oneOf<LogLevel>('LOG_LEVEL', 'info', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    api: {
      host: read.string('API_HOST', '127.0.0.1'),
      port: read.integer('API_PORT', 8080, 0, 65535),
      accessFile: path.resolve(dataDir, read.string('TRUC_ACCESS_FILE', 'access.json')),
      accessReloadMs: read.integer('TRUC_ACCESS_RELOAD_MS', 1_000, 100, 60_000),
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
    connect: {
      configTopic: read.string('CONNECT_CONFIG_TOPIC', '_truc.connect-configs'),
      // By default the parent of FILE_CONNECTOR_DIR (`drop/` in the data folder), so the default drop folder lies inside it.
      dropRoot: path.resolve(dataDir, read.string('CONNECT_DROP_ROOT', path.dirname(path.resolve(dataDir, read.string('FILE_CONNECTOR_DIR', 'drop/checkpoint-ops'))))),
      pollAllowHosts: read.hosts('POLL_CONNECTOR_ALLOW_HOSTS'),
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
      // A local cluster's brokers listen a hundred ports apart: 9092, 9192, 9292.
      brokers: read.brokers('KAFKA_BROKERS', Array.from({ length: localBrokers }, (_, n) => `127.0.0.1:${9092 + 100 * n}`).join(',')),
      clientId: read.string('KAFKA_CLIENT_ID', 'truc'),
      ssl: read.boolean('KAFKA_SSL', false) || kafkaCaFile !== null,
      caFile: kafkaCaFile === null ? null : path.resolve(REPO_ROOT, kafkaCaFile),
      sasl,
      ingestSasl,
      localCredentialsFile: path.resolve(dataDir, read.string('KAFKA_CREDENTIALS_FILE', 'kafka-credentials.json')),
      manageAgencyAccess: read.boolean('KAFKA_MANAGE_AGENCY_ACCESS', true),
    },
    topics: {
      partitions: read.integer('TOPIC_PARTITIONS', 6, 1, 1000),
      replicationFactor,
      minInsyncReplicas: read.integer('TOPIC_MIN_INSYNC_REPLICAS', replicationFactor >= 3 ? 2 : 1, 1, 10),
    },
    retention: readRetention(read),
    sunset: {
      actions: readSunsetActions(read),
      drainTimeoutMs: read.integer('SUNSET_DRAIN_TIMEOUT_MS', 300_000, 1_000, 86_400_000),
      signingKeyFile: path.resolve(dataDir, read.string('SUNSET_SIGNING_KEY_FILE', 'sunset-signing.key')),
    },
    audit: {
      topic: read.string('AUDIT_TOPIC', 'audit.disclosures'),
      database: read.string('AUDIT_DATABASE', 'truc_audit'),
      groupId: read.string('AUDIT_SINK_GROUP_ID', 'truc-audit-sink'),
    },
    schemaRegistry: {
      url: registryUrl,
      listenHost: read.string('SCHEMA_REGISTRY_LISTEN_HOST', '127.0.0.1'),
      listenPort: read.integer('SCHEMA_REGISTRY_PORT', registryPortDefault, 1, 65535),
      topic: read.string('SCHEMA_REGISTRY_TOPIC', '_schemas'),
      userInfo: read.optional('SCHEMA_REGISTRY_USER_INFO'),
      userInfoFile: path.resolve(dataDir, read.string('SCHEMA_REGISTRY_USER_INFO_FILE', 'schema-registry-user-info.secret')),
      credentialsFile: path.resolve(dataDir, read.string('SCHEMA_REGISTRY_CREDENTIALS_FILE', 'schema-registry-credentials.json')),
      anonymousRead: read.boolean('SCHEMA_REGISTRY_ANONYMOUS_READ', false),
    },
    clickhouse: {
      url: read.url('CLICKHOUSE_URL', null),
      username: read.string('CLICKHOUSE_USER', 'default'),
      password: read.string('CLICKHOUSE_PASSWORD', ''),
      database: read.string('CLICKHOUSE_DATABASE', 'truc'),
      dataDir: path.resolve(dataDir, read.string('CLICKHOUSE_DATA_DIR', 'clickhouse')),
      cluster: read.optional('CLICKHOUSE_CLUSTER'),
    },
    clickhouseSink: {
      groupId: read.string('CLICKHOUSE_SINK_GROUP_ID', 'truc-clickhouse-sink'),
      smallCellK: read.integer('CLICKHOUSE_SMALL_CELL_K', 5, 2, 1000),
      topicPrefix: read.string('CLICKHOUSE_SINK_TOPIC_PREFIX', 'canonical.'),
      maxRows: read.integer('CLICKHOUSE_SINK_MAX_ROWS', 50_000, 1, 1_000_000),
      maxWaitMs: read.integer('CLICKHOUSE_SINK_MAX_WAIT_MS', 1_000, 10, 600_000),
      minRows: read.integer('CLICKHOUSE_SINK_MIN_ROWS', 5_000, 1, 1_000_000),
      retryInitialMs: read.integer('CLICKHOUSE_SINK_RETRY_INITIAL_MS', 250, 1, 600_000),
      retryMaxMs: read.integer('CLICKHOUSE_SINK_RETRY_MAX_MS', 30_000, 1, 3_600_000),
      sessionTimeoutMs: read.integer('CLICKHOUSE_SINK_SESSION_TIMEOUT_MS', 30_000, 6_000, 300_000),
      metricsPort: read.integer('CLICKHOUSE_SINK_METRICS_PORT', 9465, 0, 65535),
    },
    clickhouseEndpoint: {
      host: read.string('CLICKHOUSE_ENDPOINT_HOST', '127.0.0.1'),
      port: read.integer('CLICKHOUSE_ENDPOINT_PORT', 8123, 0, 65535),
      user: read.string('CLICKHOUSE_ANALYST_USER', 'analyst'),
      localRowLevel: read.boolean('CLICKHOUSE_ANALYST_ROW_LEVEL', false),
      password: read.optional('CLICKHOUSE_ANALYST_PASSWORD'),
      passwordFile: path.resolve(dataDir, read.string('CLICKHOUSE_ANALYST_PASSWORD_FILE', 'clickhouse-analyst.secret')),
      maxExecutionSeconds: read.integer('CLICKHOUSE_ENDPOINT_MAX_EXECUTION_SECONDS', 60, 1, 86_400),
      maxMemoryBytes: read.integer('CLICKHOUSE_ENDPOINT_MAX_MEMORY_BYTES', 2 * 1024 ** 3, 16 * 1024 ** 2, 1024 ** 4),
      maxResultBytes: read.integer('CLICKHOUSE_ENDPOINT_MAX_RESULT_BYTES', 256 * 1024 ** 2, 1024, 64 * 1024 ** 3),
      sessions: read.integer('CLICKHOUSE_ENDPOINT_SESSIONS', 2, 1, 64),
      sessionsPerAnalyst: read.integer('CLICKHOUSE_ENDPOINT_SESSIONS_PER_ANALYST', 1, 1, 64),
      queryLogFile: path.resolve(dataDir, read.string('CLICKHOUSE_ENDPOINT_QUERY_LOG', 'logs/analyst-queries.jsonl')),
    },
    demoFeed: {
      ratePerSecond: read.integer('DEMO_FEED_RATE', 300, 0, 100_000),
      invalidPercent: read.integer('DEMO_FEED_INVALID_PERCENT', 3, 0, 100),
      duplicatePercent: read.integer('DEMO_FEED_DUPLICATE_PERCENT', 10, 0, 100),
    },
    stack: {
      brokers: localBrokers,
      controllerPort: read.integer('KAFKA_CONTROLLER_PORT', 9093, 1, 65535),
      agencyPort: read.integer('KAFKA_AGENCY_PORT', 9094, 1, 65535),
      heap: read.string('KAFKA_HEAP', '1g'),
    },
    fanout: {
      retryScheduleMs: read.durations('FANOUT_RETRY_SCHEDULE', '5s,5m,30m,2h,5h,10h'),
      webhookTimeoutMs: read.integer('FANOUT_WEBHOOK_TIMEOUT_MS', 10_000, 10, 600_000),
      allowHosts: read.hosts('FANOUT_WEBHOOK_ALLOW_HOSTS'),
      maxBatchSize: read.integer('FANOUT_MAX_BATCH_SIZE', 1_000, 1, 100_000),
      maxSubscriptionBodyBytes: read.integer('FANOUT_SUBSCRIPTION_MAX_BODY_BYTES', 64 * 1024, 1024, 16 * 1024 * 1024),
      maxPredicates: read.integer('FANOUT_SUBSCRIPTION_MAX_PREDICATES', 50, 1, 10_000),
      maxInValues: read.integer('FANOUT_SUBSCRIPTION_MAX_IN_VALUES', 500, 1, 100_000),
      maxSubscriptionsPerAgency: read.integer('FANOUT_MAX_SUBSCRIPTIONS_PER_AGENCY', 100, 1, 100_000),
      subscriptionsTopic: read.string('FANOUT_SUBSCRIPTIONS_TOPIC', '_truc.subscriptions'),
      statusTopic: read.string('FANOUT_STATUS_TOPIC', '_truc.subscription-status'),
      canonicalTopicPrefix: read.string('FANOUT_CANONICAL_TOPIC_PREFIX', 'canonical.'),
      groupPrefix: read.string('FANOUT_GROUP_PREFIX', 'truc-fanout'),
      sequenceTopicPrefix: read.string('FANOUT_SEQUENCE_TOPIC_PREFIX', '_truc.sequence.'),
      eventsPageSize: read.integer('FANOUT_EVENTS_PAGE_SIZE', 500, 1, 10_000),
      eventsMaxRange: read.integer('FANOUT_EVENTS_MAX_RANGE', 1_000_000, 1, 100_000_000),
      metricsPort: read.integer('FANOUT_METRICS_PORT', 9466, 0, 65535),
    },
    alerts: {
      webhookUrls: read
        .string('ALERT_WEBHOOK_URLS', '')
        .split(',')
        .map((url) => url.trim())
        .filter((url) => url !== ''),
      secret: read.optional('ALERT_WEBHOOK_SECRET'),
      secretFile: read.optional('ALERT_WEBHOOK_SECRET_FILE'),
      allowHosts: read.hosts('ALERT_WEBHOOK_ALLOW_HOSTS'),
      webhookTimeoutMs: read.integer('ALERT_WEBHOOK_TIMEOUT_MS', 10_000, 10, 600_000),
      retryScheduleMs: read.durations('ALERT_RETRY_SCHEDULE', '5s,30s,2m,10m,30m,1h'),
      evaluationIntervalMs: read.integer('ALERT_EVALUATION_INTERVAL_MS', 15_000, 10, 3_600_000),
      forMs: read.integer('ALERT_FOR_MS', 60_000, 0, 86_400_000),
      resolveAfterMs: read.integer('ALERT_RESOLVE_AFTER_MS', 120_000, 0, 86_400_000),
      lagRecords: read.integer('ALERT_LAG_RECORDS', 10_000, 1, Number.MAX_SAFE_INTEGER),
      deadLetters: read.integer('ALERT_DEAD_LETTERS', 100, 0, Number.MAX_SAFE_INTEGER),
      deadLetterWindowMs: read.integer('ALERT_DEAD_LETTER_WINDOW_MS', 300_000, 1_000, 86_400_000),
    },
  };
  const alerts = config.alerts;
  if (alerts.secretFile !== null) alerts.secretFile = path.resolve(dataDir, alerts.secretFile);
  for (const url of alerts.webhookUrls) {
    const problem = webhookUrlProblem(url, alerts.allowHosts, 'ALERT_WEBHOOK_ALLOW_HOSTS');
    read.require(problem === null, `ALERT_WEBHOOK_URLS: ${JSON.stringify(url)} ${problem}`);
  }
  read.require(
    alerts.webhookUrls.length === 0 || (alerts.secret === null) !== (alerts.secretFile === null),
    'ALERT_WEBHOOK_URLS needs exactly one of ALERT_WEBHOOK_SECRET and ALERT_WEBHOOK_SECRET_FILE (alerts are signed like agency webhooks)',
  );
  read.require(
    alerts.secret === null || isWebhookSecret(alerts.secret),
    'ALERT_WEBHOOK_SECRET must be "whsec_" followed by the base64 of 24 to 64 random bytes (Standard Webhooks)',
  );
  read.require(
    /^[A-Za-z_][A-Za-z0-9_]*$/.test(config.clickhouse.database),
    `CLICKHOUSE_DATABASE=${JSON.stringify(config.clickhouse.database)} must be a plain identifier (letters, digits, _)`,
  );
  read.require(
    /^[A-Za-z_][A-Za-z0-9_]*$/.test(config.audit.database) && config.audit.database !== config.clickhouse.database,
    `AUDIT_DATABASE=${JSON.stringify(config.audit.database)} must be a plain identifier (letters, digits, _) other than CLICKHOUSE_DATABASE, which analysts read`,
  );
  read.require(
    config.clickhouse.cluster === null || /^[A-Za-z_][A-Za-z0-9_]*$/.test(config.clickhouse.cluster),
    `CLICKHOUSE_CLUSTER=${JSON.stringify(config.clickhouse.cluster)} must be a plain identifier (letters, digits, _)`,
  );
  read.require(
    config.clickhouseSink.retryInitialMs <= config.clickhouseSink.retryMaxMs,
    `CLICKHOUSE_SINK_RETRY_INITIAL_MS=${config.clickhouseSink.retryInitialMs} must not exceed CLICKHOUSE_SINK_RETRY_MAX_MS=${config.clickhouseSink.retryMaxMs}`,
  );
  read.require(
    /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/.test(config.clickhouseEndpoint.user),
    `CLICKHOUSE_ANALYST_USER=${JSON.stringify(config.clickhouseEndpoint.user)} must be 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or '_'`,
  );
  read.require(
    config.clickhouseEndpoint.sessionsPerAnalyst <= config.clickhouseEndpoint.sessions,
    `CLICKHOUSE_ENDPOINT_SESSIONS_PER_ANALYST=${config.clickhouseEndpoint.sessionsPerAnalyst} must not exceed CLICKHOUSE_ENDPOINT_SESSIONS=${config.clickhouseEndpoint.sessions}`,
  );
  read.require(
    config.clickhouseEndpoint.password === null || config.clickhouseEndpoint.password.length >= 12,
    'CLICKHOUSE_ANALYST_PASSWORD must be at least 12 characters',
  );
  read.require(
    config.schemaRegistry.userInfo === null || parseUserInfo(config.schemaRegistry.userInfo) !== null,
    'SCHEMA_REGISTRY_USER_INFO must be user:password (a user name without ":", then a non-empty password)',
  );
  read.require(
    config.ingest.burstRecords >= config.ingest.maxRecordsPerRequest,
    `INGEST_RATE_BURST=${config.ingest.burstRecords} must be at least INGEST_MAX_RECORDS=${config.ingest.maxRecordsPerRequest}, or a full request could never pass`,
  );
  read.require(
    config.topics.minInsyncReplicas <= config.topics.replicationFactor,
    `TOPIC_MIN_INSYNC_REPLICAS=${config.topics.minInsyncReplicas} must not exceed TOPIC_REPLICATION_FACTOR=${config.topics.replicationFactor} (no write could ever be acknowledged)`,
  );
  read.require(
    config.normalizer.personKeySecret === null || config.normalizer.personKeySecret.length >= 32,
    'PERSON_KEY_SECRET must be at least 32 characters (it keys the HMAC that pseudonymises people)',
  );
  read.require(/^\d+[mg]$/i.test(config.stack.heap), `KAFKA_HEAP=${JSON.stringify(config.stack.heap)} must look like 512m or 1g`);
  for (const [variable, name] of [['FILE_CONNECTOR_NAME', config.fileConnector.name], ['POLL_CONNECTOR_NAME', config.pollConnector.name]] as const) {
    read.require(/^[A-Za-z0-9._-]{1,100}$/.test(name), `${variable}=${JSON.stringify(name)} must be 1 to 100 letters, digits, '.', '_' or '-'`);
  }
  const dropDirInRoot = path.relative(config.connect.dropRoot, config.fileConnector.dropDir);
  read.require(
    dropDirInRoot !== '' && !dropDirInRoot.startsWith('..') && !path.isAbsolute(dropDirInRoot),
    `FILE_CONNECTOR_DIR=${config.fileConnector.dropDir} must lie inside CONNECT_DROP_ROOT=${config.connect.dropRoot}, where every drop folder is`,
  );
  read.require(
    config.fileConnector.name !== config.pollConnector.name,
    `FILE_CONNECTOR_NAME and POLL_CONNECTOR_NAME are both ${JSON.stringify(config.fileConnector.name)}; the name keys a connector's offsets, so they must differ`,
  );

  if (read.problems.length > 0) throw new ConfigError(read.problems);
  return config;
}
