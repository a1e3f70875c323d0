/**
 * Kafka authentication and ACLs of the local stack, tried with a real Kafka client as an agency and
 * as an attacker would: an agency logs in over SASL/SCRAM-SHA-512 and TLS on the agency listener and
 * reads its own topics `out.<agency>.*` with its own consumer groups `<agency>.*`, and nothing else;
 * clients without credentials or with a wrong password are refused; Truc's services principal
 * stays within the pipeline's own topics.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agencyBootstrap, agencyListeners, ensureKafkaJars, grantAgency, localCredentialsFile, revokeAgency } from '../../infra/stack/kafka-broker.ts';
import { caFile } from '../../infra/stack/kafka-security.ts';
import { REPO_ROOT, type KafkaConfig, type SaslCredentials } from '../../services/platform/config.ts';
import { createKafka } from '../../services/platform/kafka.ts';
import { readLocalKafkaCredentials } from '../../services/platform/kafka-credentials.ts';
import { createLogger } from '../../services/platform/logger.ts';
import { ensureTopics, waitForLeaders } from '../../services/platform/topics.ts';
import { readMessages, testConfig, testKafka, uniqueName } from '../support/kafka.ts';

const config = testConfig();
const A = uniqueName('ag');
const B = uniqueName('ag');
const KIND = 'health-declaration';
const topics = {
  ownA: `out.${A}.${KIND}`,
  ownB: `out.${B}.${KIND}`,
  canonical: uniqueName('canonical.authz'),
  raw: uniqueName('raw.authz'),
  internal: uniqueName('_truc.authz'),
};

/**
 * Kafka's console consumer (the Java client of the stack's jars) on the agency listener, with the
 * client properties README gives agencies; reads at most one message within a few seconds.
 */
/**
 * How long a Java console consumer may take: a JVM start, TLS and SASL, a group join. On a loaded
 * machine (a full suite beside other work) that alone passed a minute, the test's default timeout.
 */
const JAVA_CONSUMER_MS = 150_000;
const JAVA_TEST_MS = JAVA_CONSUMER_MS + 60_000;

async function javaConsumer(login: SaslCredentials, topic: string, group: string): Promise<{ stdout: string; output: string }> {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'truc-agency-'));
  const properties = path.join(folder, 'agency.properties');
  writeFileSync(
    properties,
    [
      'security.protocol=SASL_SSL',
      'sasl.mechanism=SCRAM-SHA-512',
      `sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="${login.username}" password="${login.password}";`,
      'ssl.truststore.type=PEM',
      `ssl.truststore.location=${caFile(config)}`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  try {
    // The console consumer exits with 1 after a refusal; its output says why.
    const result = await promisify(execFile)(
      'java',
      ['-cp', ensureKafkaJars(), `-Dlog4j2.configurationFile=${path.join(REPO_ROOT, 'infra/kafka/log4j2.properties')}`,
        'org.apache.kafka.tools.consumer.ConsoleConsumer', '--bootstrap-server', agencyBootstrap(config), '--consumer.config', properties,
        '--topic', topic, '--group', group, '--from-beginning', '--max-messages', '1', '--timeout-ms', '15000'],
      { encoding: 'utf8', timeout: JAVA_CONSUMER_MS },
    ).catch((error: { stdout?: string; stderr?: string }) => ({ stdout: error.stdout ?? '', stderr: error.stderr ?? '' }));
    return { stdout: result.stdout, output: `${result.stdout}${result.stderr}` };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** A client of the agency listener, through Truc's one client factory. */
function agencyClient(sasl: SaslCredentials | null, options: { trustCa?: boolean } = {}): Kafka {
  const kafka: KafkaConfig = {
    brokers: agencyListeners(config),
    clientId: 'agency-test',
    ssl: true,
    caFile: options.trustCa === false ? null : caFile(config),
    sasl,
    ingestSasl: null,
    localCredentialsFile: null,
    manageAgencyAccess: false,
  };
  return createKafka({ ...kafka }, createLogger('test', 'silent'), sasl?.username ?? 'anonymous');
}

type KafkaError = Error & { type?: string; cause?: KafkaError; errors?: KafkaError[]; partitions?: { error?: KafkaError }[] };

/** The error a promise fails with (the test fails if it succeeds). */
async function failure(promise: Promise<unknown>): Promise<KafkaError> {
  try {
    await promise;
  } catch (error) {
    return error as KafkaError;
  }
  throw new Error('expected a refusal, but the call succeeded');
}

/** Kafka's error code behind a kafkajs error, which may wrap it (producer retries) or gather several (topic creation, records deleted per partition). */
function kafkaErrorTypes(error: KafkaError | undefined): string[] {
  if (!error) return [];
  return [
    ...(error.type ? [error.type] : []),
    ...kafkaErrorTypes(error.cause),
    ...(error.errors ?? []).flatMap(kafkaErrorTypes),
    ...(error.partitions ?? []).flatMap((partition) => kafkaErrorTypes(partition.error)),
  ];
}

describe.runIf((process.env.TRUC_TEST_STACK ?? 'native') === 'native')('Kafka authentication and ACLs', () => {
  const admin = testKafka(config).admin();
  let loginA: SaslCredentials;
  let loginB: SaslCredentials;
  let agencyA: Kafka;

  beforeAll(async () => {
    expect(readLocalKafkaCredentials(localCredentialsFile(config)), 'the local stack secured its broker').not.toBeNull();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: false, topics: Object.values(topics).map((topic) => ({ topic, numPartitions: 1 })) });
    await waitForLeaders(admin, Object.values(topics));
    const producer = testKafka(config).producer();
    await producer.connect();
    for (const topic of Object.values(topics)) await producer.send({ topic, messages: [{ key: 'k', value: `secret of ${topic}` }] });
    await producer.disconnect();
    loginA = (await grantAgency(config, A, randomBytes(18).toString('base64url')))!;
    loginB = (await grantAgency(config, B, randomBytes(18).toString('base64url')))!;
    agencyA = agencyClient(loginA);
  });

  afterAll(async () => {
    await revokeAgency(config, A).catch(() => {});
    await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => {});
    await admin.disconnect();
  });

  it('gives each agency a SCRAM user of its own', () => {
    expect(loginA.username).toBe(`agency-${A}`);
    expect(loginB.username).toBe(`agency-${B}`);
    expect(loginA.password).not.toBe(loginB.password);
  });

  it('lets agency A read its out.A.* topic over SASL/SCRAM-SHA-512 and TLS with its own consumer group', async () => {
    const messages = await readMessages(agencyA, topics.ownA, 1, 30_000, `${A}.reader`);
    expect(messages.map((message) => message.value?.toString())).toEqual([`secret of ${topics.ownA}`]);
  });

  it('lists to agency A only its own topics', async () => {
    const client = agencyA.admin();
    await client.connect();
    try {
      const visible = await client.listTopics();
      expect(visible).toContain(topics.ownA);
      expect(visible.filter((topic) => !topic.startsWith(`out.${A}.`))).toEqual([]);
    } finally {
      await client.disconnect();
    }
  });

  it.each([
    ['another agency', () => topics.ownB],
    ['canonical', () => topics.canonical],
    ['raw', () => topics.raw],
    ['internal', () => topics.internal],
  ])('refuses agency A the %s topic: TOPIC_AUTHORIZATION_FAILED', async (_name, topic) => {
    const consumer = agencyA.consumer({ groupId: `${A}.${uniqueName('thief')}` });
    await consumer.connect();
    try {
      const error = await failure(consumer.subscribe({ topic: topic(), fromBeginning: true }));
      expect(error.type).toBe('TOPIC_AUTHORIZATION_FAILED');
    } finally {
      await consumer.disconnect();
    }
  });

  it.each([
    ['its own topic', () => topics.ownA],
    ['another agency', () => topics.ownB],
    ['canonical', () => topics.canonical],
    ['raw', () => topics.raw],
    ['internal', () => topics.internal],
  ])('refuses agency A writes to %s: TOPIC_AUTHORIZATION_FAILED', async (_name, topic) => {
    const producer = agencyA.producer({ retry: { retries: 0 } });
    await producer.connect();
    try {
      const error = await failure(producer.send({ topic: topic(), messages: [{ value: 'forged' }] }));
      expect(kafkaErrorTypes(error)).toContain('TOPIC_AUTHORIZATION_FAILED');
    } finally {
      await producer.disconnect();
    }
  });

  // Concurrently: each waits seconds for a Java consumer to start.
  it.concurrent.each([
    ['another agency', () => `${B}.reader`],
    ['Truc', () => 'truc-normalizer'],
    ['no', () => 'reader'],
  ])('refuses agency A a consumer group with %s prefix: GROUP_AUTHORIZATION_FAILED', async (_name, group) => {
    // kafkajs reports only that it found no coordinator (it drops the broker's error code)…
    const consumer = agencyA.consumer({ groupId: group(), retry: { retries: 0 } });
    await consumer.connect();
    let received = 0;
    try {
      await consumer.subscribe({ topic: topics.ownA, fromBeginning: true });
      const crashed = new Promise<KafkaError>((resolve) => {
        consumer.on(consumer.events.CRASH, ({ payload }) => resolve(payload.error as KafkaError));
      });
      await consumer.run({ eachMessage: async () => void received++ });
      expect((await crashed).name).toBe('KafkaJSGroupCoordinatorNotFound');
    } finally {
      await consumer.disconnect();
    }
    expect(received).toBe(0);
    // …so Kafka's own Java consumer, configured as README tells agencies, shows what the broker answers.
    const java = await javaConsumer(loginA, topics.ownA, group());
    expect(java.output).toContain(`GroupAuthorizationException: Not authorized to access group: ${group()}`);
    expect(java.output).toContain('Processed a total of 0 messages');
  }, JAVA_TEST_MS);

  it("lets Kafka's Java consumer read agency A's topic with README's client properties", async () => {
    const java = await javaConsumer(loginA, topics.ownA, `${A}.java`);
    expect(java.stdout.trim()).toBe(`secret of ${topics.ownA}`);
  }, JAVA_TEST_MS);

  it('refuses agency A the cluster: no topic creation, no ACLs', async () => {
    const client = agencyA.admin({ retry: { retries: 0 } });
    await client.connect();
    try {
      const created = await failure(client.createTopics({ topics: [{ topic: `out.${A}.forged` }] }));
      expect(kafkaErrorTypes(created)).toEqual(['TOPIC_AUTHORIZATION_FAILED']);
      const acls = await failure(client.describeAcls({ resourceType: 1, resourcePatternType: 1, operation: 1, permissionType: 1 }));
      expect(acls.type).toBe('CLUSTER_AUTHORIZATION_FAILED');
    } finally {
      await client.disconnect();
    }
  });

  it('refuses a wrong password and an unknown user: SASL authentication failed', async () => {
    for (const sasl of [{ ...loginA, password: `${loginA.password}x` }, { ...loginA, username: 'agency-nobody' }]) {
      const client = agencyClient(sasl).admin({ retry: { retries: 0 } });
      const error = await failure(client.connect());
      expect(error.name).toBe('KafkaJSSASLAuthenticationError');
      expect(error.message).toContain('SCRAM');
    }
  });

  it('refuses a client without credentials on both listeners', async () => {
    const agencyListener = agencyClient(null).admin({ retry: { retries: 0 } });
    const internal = createKafka({ ...config.kafka, sasl: null, localCredentialsFile: null }, createLogger('test', 'silent'), 'anonymous');
    for (const client of [agencyListener, internal.admin({ retry: { retries: 0 } })]) {
      const error = await failure(client.connect().then(() => client.listTopics()));
      // Kafka answers nothing but the SASL handshake on these listeners, so the connection is closed.
      expect(error.name).toMatch(/KafkaJSConnectionClosedError|KafkaJSConnectionError|KafkaJSNumberOfRetriesExceeded/);
      await client.disconnect();
    }
  });

  it('refuses every principal but its own on the controller listener', async () => {
    const controller = { ...config.kafka, brokers: [{ host: '127.0.0.1', port: config.stack.controllerPort }], localCredentialsFile: null };
    for (const sasl of [loginA, readLocalKafkaCredentials(localCredentialsFile(config))!.admin]) {
      const client = createKafka({ ...controller, sasl }, createLogger('test', 'silent'), 'controller').admin({ retry: { retries: 0 } });
      // The controller listener speaks SASL/PLAIN with its one JAAS user; SCRAM logins are not even offered.
      const error = await failure(client.connect());
      expect(error.type).toBe('UNSUPPORTED_SASL_MECHANISM');
    }
  });

  it('refuses a TLS client that does not trust the local CA (the listener is really TLS)', async () => {
    const client = agencyClient(loginA, { trustCa: false }).admin({ retry: { retries: 0 } });
    const error = await failure(client.connect());
    expect(error.message).toMatch(/self[- ]signed|unable to (get|verify)/i);
  });

  it("keeps Truc's services principal within the pipeline's topics: it may empty the timed ones (the sunset), never delete the internal ones", async () => {
    const services = readLocalKafkaCredentials(localCredentialsFile(config))!.services;
    const client = createKafka({ ...config.kafka, sasl: services }, createLogger('test', 'silent'), 'services').admin({ retry: { retries: 0 } });
    await client.connect();
    try {
      const outside = await failure(client.createTopics({ topics: [{ topic: uniqueName('elsewhere') }] }));
      expect(kafkaErrorTypes(outside)).toEqual(['TOPIC_AUTHORIZATION_FAILED']);
      const acls = await failure(client.describeAcls({ resourceType: 1, resourcePatternType: 1, operation: 1, permissionType: 1 }));
      expect(acls.type).toBe('CLUSTER_AUTHORIZATION_FAILED');
      const acl = { resourceType: 2, resourceName: topics.canonical, resourcePatternType: 3, principal: 'User:truc-services', host: '*', operation: 3, permissionType: 3 };
      const grant = await failure(client.createAcls({ acl: [acl] as never }));
      expect(kafkaErrorTypes(grant)).toContain('CLUSTER_AUTHORIZATION_FAILED');
      const deleted = await failure(client.deleteTopics({ topics: [topics.internal], timeout: 5_000 }));
      expect(kafkaErrorTypes(deleted)).toContain('TOPIC_AUTHORIZATION_FAILED');
      const emptiedInternal = await failure(client.deleteTopicRecords({ topic: topics.internal, partitions: [{ partition: 0, offset: '-1' }] }));
      expect(kafkaErrorTypes(emptiedInternal)).toContain('TOPIC_AUTHORIZATION_FAILED');
      // It keeps the pipeline's timed topics to their configured retention (README, "Retention")…
      const kept = await ensureTopics(client, [{ name: topics.canonical, retentionMs: 2 * 86_400_000 }], config.topics);
      expect(kept).toEqual({ created: [], retentionChanged: [topics.canonical], retentionRefused: [] });
      // …but changes no setting of the internal topics or the registry's (checked only: validateOnly).
      for (const topic of [topics.internal, config.schemaRegistry.topic]) {
        const changed = await failure(client.alterConfigs({ validateOnly: true, resources: [{ type: 2, name: topic, configEntries: [{ name: 'retention.ms', value: '1' }] }] }));
        expect(kafkaErrorTypes(changed), topic).toContain('TOPIC_AUTHORIZATION_FAILED');
      }
      expect((await client.fetchTopicOffsets(topics.canonical)).map((p) => p.high)).toEqual(['1']);
      // The sunset empties a timed topic (Kafka's DeleteRecords): its start moves to its end.
      await client.deleteTopicRecords({ topic: topics.canonical, partitions: [{ partition: 0, offset: '1' }] });
      expect((await client.fetchTopicOffsets(topics.canonical)).map((p) => [p.low, p.high])).toEqual([['1', '1']]);
    } finally {
      await client.disconnect();
    }
  });

  it('lets the ingest principal write raw topics, and nothing else', async () => {
    const ingest = readLocalKafkaCredentials(localCredentialsFile(config))!.ingest;
    const kafka = createKafka({ ...config.kafka, sasl: ingest }, createLogger('test', 'silent'), 'ingest');
    const producer = kafka.producer({ idempotent: true, retry: { retries: 2 } });
    await producer.connect();
    try {
      await producer.send({ topic: topics.raw, messages: [{ value: 'posted' }] });
      for (const topic of [topics.canonical, topics.internal, topics.ownA]) {
        const error = await failure(producer.send({ topic, messages: [{ value: 'forged' }] }));
        expect(kafkaErrorTypes(error), topic).toContain('TOPIC_AUTHORIZATION_FAILED');
      }
    } finally {
      await producer.disconnect();
    }
    const client = kafka.admin({ retry: { retries: 0 } });
    await client.connect();
    try {
      const created = await failure(client.createTopics({ topics: [{ topic: uniqueName('raw.forged') }] }));
      expect(kafkaErrorTypes(created)).toEqual(['TOPIC_AUTHORIZATION_FAILED']);
      // Nor may it read or change a topic's settings: a start under such a principal leaves them and says so.
      const retention = await ensureTopics(client, [{ name: topics.raw, retentionMs: 86_400_000 }], config.topics);
      expect(retention).toEqual({ created: [], retentionChanged: [], retentionRefused: [topics.raw] });
    } finally {
      await client.disconnect();
    }
    const reader = kafka.consumer({ groupId: uniqueName('truc-ingest-reader'), retry: { retries: 0 } });
    await reader.connect();
    try {
      await reader.subscribe({ topic: topics.raw, fromBeginning: true });
      const crashed = new Promise<KafkaError>((resolve) => reader.on(reader.events.CRASH, ({ payload }) => resolve(payload.error as KafkaError)));
      await reader.run({ eachMessage: async () => {} });
      // No group ACL: the broker refuses the group (kafkajs: no coordinator), so nothing is read.
      expect((await crashed).name).toBe('KafkaJSGroupCoordinatorNotFound');
    } finally {
      await reader.disconnect();
    }
  });

  it("revokes an agency: its open connection loses access at once, and it cannot log in again", async () => {
    const client = agencyClient(loginB).admin({ retry: { retries: 0 } });
    await client.connect();
    try {
      expect((await client.fetchTopicOffsets(topics.ownB)).map((p) => p.high)).toEqual(['1']);
      await revokeAgency(config, B);
      const refused = await failure(client.fetchTopicOffsets(topics.ownB));
      expect(kafkaErrorTypes(refused)).toContain('TOPIC_AUTHORIZATION_FAILED');
    } finally {
      await client.disconnect();
    }
    const again = await failure(agencyClient(loginB).admin({ retry: { retries: 0 } }).connect());
    expect(again.name).toBe('KafkaJSSASLAuthenticationError');
  });
});
