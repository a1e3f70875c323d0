import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, REPO_ROOT, loadConfig, parseBrokerAddress } from '../../services/platform/config.ts';

describe('configuration', () => {
  it('has defaults for the local stack', () => {
    const config = loadConfig({});
    expect(config.kafka.brokers).toEqual([{ host: '127.0.0.1', port: 9092 }]);
    expect(config.schemaRegistry.url).toBe('http://127.0.0.1:8081');
    expect(config.schemaRegistry.listenPort).toBe(8081);
    expect(config.clickhouse.url).toBeNull();
    expect(config.clickhouse.dataDir).toBe(path.join(REPO_ROOT, '.truc/clickhouse'));
    expect(config.kafka.sasl).toBeNull();
    expect(config.kafka.localCredentialsFile).toBe(path.join(REPO_ROOT, '.truc/kafka-credentials.json'));
    expect(config.kafka.ssl).toBe(false);
    expect(config.kafka.caFile).toBeNull();
    expect(config.stack.agencyPort).toBe(9094);
  });

  it("takes ingest's own Kafka login, with the services' mechanism, only as a pair", () => {
    const sasl = { KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'truc', KAFKA_SASL_PASSWORD: 'secret' };
    const config = loadConfig({ ...sasl, KAFKA_INGEST_SASL_USERNAME: 'ingest', KAFKA_INGEST_SASL_PASSWORD: 'ingest-secret' });
    expect(config.kafka.ingestSasl).toEqual({ mechanism: 'scram-sha-512', username: 'ingest', password: 'ingest-secret' });
    expect(loadConfig(sasl).kafka.ingestSasl).toBeNull();
    expect(() => loadConfig({ ...sasl, KAFKA_INGEST_SASL_USERNAME: 'ingest' })).toThrow(/KAFKA_INGEST_SASL_USERNAME and KAFKA_INGEST_SASL_PASSWORD go together/);
    expect(() => loadConfig({ KAFKA_INGEST_SASL_USERNAME: 'ingest', KAFKA_INGEST_SASL_PASSWORD: 'x' })).toThrow(/needs KAFKA_SASL_MECHANISM/);
  });

  it('takes a CA file for TLS to the brokers (which implies TLS)', () => {
    const config = loadConfig({ KAFKA_SSL_CA_FILE: 'certs/ca.pem', KAFKA_AGENCY_PORT: '19094' });
    expect(config.kafka.ssl).toBe(true);
    expect(config.kafka.caFile).toBe(path.join(REPO_ROOT, 'certs/ca.pem'));
    expect(config.stack.agencyPort).toBe(19094);
  });

  it('reads every kind of value', () => {
    const config = loadConfig({
      KAFKA_BROKERS: 'kafka-1.internal:9092, kafka-2.internal:9093',
      SCHEMA_REGISTRY_URL: 'https://registry.internal:8443/',
      CLICKHOUSE_URL: 'http://clickhouse.internal:8123',
      TOPIC_PARTITIONS: '12',
      KAFKA_SSL: 'true',
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: 'truc',
      KAFKA_SASL_PASSWORD: 'secret',
      LOG_LEVEL: 'debug',
    });
    expect(config.kafka.brokers).toEqual([
      { host: 'kafka-1.internal', port: 9092 },
      { host: 'kafka-2.internal', port: 9093 },
    ]);
    expect(config.schemaRegistry.url).toBe('https://registry.internal:8443');
    expect(config.clickhouse.url).toBe('http://clickhouse.internal:8123');
    expect(config.topics.partitions).toBe(12);
    expect(config.kafka.ssl).toBe(true);
    expect(config.kafka.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'truc', password: 'secret' });
    expect(config.logLevel).toBe('debug');
  });

  it.each([
    ['KAFKA_BROKERS', 'not a host'],
    ['KAFKA_BROKERS', '127.0.0.1'],
    ['KAFKA_BROKERS', '127.0.0.1:99999'],
    ['SCHEMA_REGISTRY_URL', 'localhost:8081'],
    ['CLICKHOUSE_URL', 'ftp://clickhouse'],
    ['TOPIC_PARTITIONS', 'many'],
    ['TOPIC_PARTITIONS', '0'],
    ['KAFKA_SSL', 'perhaps'],
    ['LOG_LEVEL', 'loud'],
    ['CLICKHOUSE_DATABASE', 'truc; DROP TABLE x'],
    ['KAFKA_HEAP', 'lots'],
    ['KAFKA_AGENCY_PORT', '70000'],
  ])('rejects %s=%j with a message naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`${name}=`));
  });

  it('reports every wrong variable at once', () => {
    try {
      loadConfig({ KAFKA_BROKERS: 'nope', TOPIC_PARTITIONS: '-1', KAFKA_SASL_MECHANISM: 'plain' });
      expect.unreachable();
    } catch (error) {
      expect((error as ConfigError).problems).toEqual([
        expect.stringMatching(/^KAFKA_SASL_USERNAME is required/),
        expect.stringMatching(/^KAFKA_SASL_PASSWORD is required/),
        expect.stringMatching(/^KAFKA_BROKERS="nope"/),
        expect.stringMatching(/^TOPIC_PARTITIONS="-1"/),
      ]);
    }
  });

  it('parses broker addresses strictly', () => {
    expect(parseBrokerAddress('[::1]:9092')).toEqual({ host: '[::1]', port: 9092 });
    expect(parseBrokerAddress('a_b:9092')).toBeNull();
    expect(parseBrokerAddress(':9092')).toBeNull();
  });

  it('stops npm start at once with the variable named, before touching anything', () => {
    const result = spawnSync(process.execPath, [path.join(REPO_ROOT, 'services/main.ts')], {
      env: { ...process.env, KAFKA_BROKERS: 'not a host' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('KAFKA_BROKERS="not a host"');
    expect(result.stdout).not.toContain('Truc is running');
  });
});

describe('configuration of the analysts\' ClickHouse endpoint', () => {
  it('listens on 127.0.0.1:8123 as analyst, with the password from a file under the data folder by default', () => {
    const { clickhouseEndpoint } = loadConfig({});
    expect(clickhouseEndpoint).toMatchObject({ host: '127.0.0.1', port: 8123, user: 'analyst', password: null, sessions: 2 });
    expect(clickhouseEndpoint.passwordFile).toBe(path.join(REPO_ROOT, '.truc/clickhouse-analyst.secret'));
  });

  it('names a bad analyst user, a short password or an out-of-range limit', () => {
    const read = (): unknown =>
      loadConfig({ CLICKHOUSE_ANALYST_USER: 'an alyst', CLICKHOUSE_ANALYST_PASSWORD: 'short', CLICKHOUSE_ENDPOINT_MAX_EXECUTION_SECONDS: '0' });
    expect(read).toThrow(ConfigError);
    try {
      read();
    } catch (error) {
      const problems = (error as ConfigError).problems.join('\n');
      expect(problems).toContain('CLICKHOUSE_ANALYST_USER="an alyst"');
      expect(problems).toContain('CLICKHOUSE_ANALYST_PASSWORD must be at least 12 characters');
      expect(problems).toContain('CLICKHOUSE_ENDPOINT_MAX_EXECUTION_SECONDS="0"');
    }
  });
});

describe('fan-out configuration', () => {
  it('reads the retry schedule with units, and names a bad one', () => {
    expect(loadConfig({}).fanout.retryScheduleMs).toEqual([5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000]);
    expect(loadConfig({ FANOUT_RETRY_SCHEDULE: '20ms, 1s,2m' }).fanout.retryScheduleMs).toEqual([20, 1_000, 120_000]);
    expect(loadConfig({ FANOUT_WEBHOOK_ALLOW_HOSTS: 'Receiver.local, 127.0.0.1' }).fanout.allowHosts).toEqual(['receiver.local', '127.0.0.1']);
    expect(() => loadConfig({ FANOUT_RETRY_SCHEDULE: '5 minutes' })).toThrow(/FANOUT_RETRY_SCHEDULE="5 minutes"/);
  });

  it('writes allow-listed hosts as the URL parser writes a URL\'s host, and names one that is not a host', () => {
    expect(loadConfig({ FANOUT_WEBHOOK_ALLOW_HOSTS: '0x7f000001,[::1],0:0::2' }).fanout.allowHosts).toEqual(['127.0.0.1', '::1', '::2']);
    expect(() => loadConfig({ FANOUT_WEBHOOK_ALLOW_HOSTS: 'a.example/path' })).toThrow(/FANOUT_WEBHOOK_ALLOW_HOSTS: "a.example\/path" is not a host/);
    expect(() => loadConfig({ FANOUT_WEBHOOK_ALLOW_HOSTS: 'user@a.example' })).toThrow(/"user@a.example" is not a host/);
  });

  it('reads the subscription limits, and refuses ones out of range', () => {
    expect(loadConfig({}).fanout).toMatchObject({ maxSubscriptionBodyBytes: 65_536, maxPredicates: 50, maxInValues: 500, maxSubscriptionsPerAgency: 100 });
    expect(loadConfig({ FANOUT_SUBSCRIPTION_MAX_PREDICATES: '5', FANOUT_MAX_SUBSCRIPTIONS_PER_AGENCY: '2' }).fanout).toMatchObject({ maxPredicates: 5, maxSubscriptionsPerAgency: 2 });
    expect(() => loadConfig({ FANOUT_SUBSCRIPTION_MAX_IN_VALUES: '0' })).toThrow(/FANOUT_SUBSCRIPTION_MAX_IN_VALUES/);
    expect(() => loadConfig({ FANOUT_SUBSCRIPTION_MAX_BODY_BYTES: '10' })).toThrow(/FANOUT_SUBSCRIPTION_MAX_BODY_BYTES/);
  });
});

describe('ClickHouse sink configuration', () => {
  it('defaults to batches of 50,000 rows or 1 s, and checks its values', () => {
    const config = loadConfig({});
    expect(config.clickhouseSink).toMatchObject({ groupId: 'truc-clickhouse-sink', topicPrefix: 'canonical.', maxRows: 50_000, maxWaitMs: 1_000 });
    expect(config.clickhouse.cluster).toBeNull();
    expect(loadConfig({ CLICKHOUSE_SINK_MAX_ROWS: '2000', CLICKHOUSE_CLUSTER: 'analytics' })).toMatchObject({ clickhouseSink: { maxRows: 2_000 }, clickhouse: { cluster: 'analytics' } });
    try {
      loadConfig({ CLICKHOUSE_SINK_MAX_ROWS: '0', CLICKHOUSE_CLUSTER: 'a b', CLICKHOUSE_SINK_RETRY_INITIAL_MS: '5000', CLICKHOUSE_SINK_RETRY_MAX_MS: '100' });
      expect.unreachable();
    } catch (error) {
      expect((error as ConfigError).problems).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^CLICKHOUSE_SINK_MAX_ROWS="0"/),
          expect.stringMatching(/^CLICKHOUSE_CLUSTER="a b"/),
          expect.stringMatching(/^CLICKHOUSE_SINK_RETRY_INITIAL_MS=5000 must not exceed/),
        ]),
      );
    }
  });
});
