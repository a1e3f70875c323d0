/**
 * A fan-out test bench on the run's stack: canonical topics of its own (a unique prefix), its own
 * subscriptions and status topics, an access file with an operator and the given agencies, the
 * API (for the subscriptions routes) and canonical records written with the platform serde.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Kafka } from 'kafkajs';
import { Partitioners } from 'kafkajs';
import { startApi, type RunningApi } from '../../services/api/api-service.ts';
import { startDemoReceiver, type DemoReceiver } from '../../services/demo/demo-receiver.ts';
import { startFanout, type RunningFanout } from '../../services/fanout/fanout.ts';
import { generateKey, hashKey, type AccessFile } from '../../services/platform/access.ts';
import { createAvroSerde, type AvroSerde } from '../../services/platform/avro-serde.ts';
import { KINDS, type Kind } from '../../services/platform/catalog.ts';
import { loadConfig, type Config } from '../../services/platform/config.ts';
import { createKafka } from '../../services/platform/kafka.ts';
import { createLogger } from '../../services/platform/logger.ts';
import { registerCanonicalSchemas } from '../../services/platform/schema-registration.ts';
import { ensureTopics } from '../../services/platform/topics.ts';
import { sampleHealthDeclaration } from '../fixtures/health-declaration.ts';

export interface AgencySpec {
  kinds: Kind[] | 'all';
  provinces: string[] | 'all';
  tier: 'identified' | 'pseudonymous';
}

export interface FanoutBench {
  config: Config;
  /** Environment for a fan-out child process with the same settings. */
  env: Record<string, string>;
  kafka: Kafka;
  serde: AvroSerde;
  api: RunningApi;
  operatorKey: string;
  agencyKeys: Record<string, string>;
  topic(kind: Kind): string;
  produce(kind: Kind, records: Record<string, unknown>[]): Promise<void>;
  call(method: string, route: string, key: string | null, body?: unknown): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

export async function startFanoutBench(agencies: Record<string, AgencySpec>, env: Record<string, string> = {}, partitions = 3): Promise<FanoutBench> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'truc-fanout-'));
  const run = randomUUID().slice(0, 8);
  const operatorKey = generateKey();
  const agencyKeys: Record<string, string> = {};
  const file: AccessFile = { operators: [hashKey(operatorKey)], agencies: {} };
  for (const [id, spec] of Object.entries(agencies)) {
    agencyKeys[id] = generateKey();
    file.agencies![id] = { keys: [hashKey(agencyKeys[id]!)], kinds: spec.kinds, provinces: spec.provinces, tier: spec.tier };
  }
  const accessFile = path.join(dir, 'access.json');
  writeFileSync(accessFile, JSON.stringify(file));
  const benchEnv: Record<string, string> = {
    TRUC_ACCESS_FILE: accessFile,
    FANOUT_SUBSCRIPTIONS_TOPIC: `test-subscriptions-${run}`,
    FANOUT_STATUS_TOPIC: `test-subscription-status-${run}`,
    FANOUT_CANONICAL_TOPIC_PREFIX: `test-canonical-${run}.`,
    FANOUT_GROUP_PREFIX: `test-fanout-${run}`,
    FANOUT_WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
    FANOUT_RETRY_SCHEDULE: '20ms,40ms,80ms',
    FANOUT_WEBHOOK_TIMEOUT_MS: '1000',
    ...env,
  };
  const config = loadConfig({ ...process.env, ...benchEnv });
  const logger = createLogger('test-fanout', 'silent');
  const kafka = createKafka(config.kafka, logger, 'test');
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, KINDS.map((kind) => ({ name: `${config.fanout.canonicalTopicPrefix}${kind}`, partitions })), config.topics);
  await admin.disconnect();
  const serde = createAvroSerde(config.schemaRegistry);
  const schemaIds = await registerCanonicalSchemas(serde);
  const api = await startApi({ config, logger, port: 0 });
  const producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();

  return {
    config,
    env: benchEnv,
    kafka,
    serde,
    api,
    operatorKey,
    agencyKeys,
    topic: (kind) => `${config.fanout.canonicalTopicPrefix}${kind}`,
    async produce(kind, records) {
      const writer = await serde.writer(schemaIds.get(kind)!);
      await producer.send({
        topic: `${config.fanout.canonicalTopicPrefix}${kind}`,
        acks: -1,
        messages: records.map((record) => ({ key: String(record.person_key ?? record.event_id), value: writer.encode(record) })),
      });
    },
    async call(method, route, key, body) {
      const response = await fetch(`${api.url}${route}`, {
        method,
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(key ? { authorization: `Bearer ${key}` } : {}) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null };
    },
    async close() {
      await producer.disconnect();
      await api.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface FanoutRig {
  bench: FanoutBench;
  /** The fan-out service running in this process on the bench's settings. */
  fanout: RunningFanout;
  /** One signature-checking receiver per secret given, in that order. */
  receivers: DemoReceiver[];
  /** Stops the fan-out, then the receivers, then the bench. */
  close(): Promise<void>;
}

/** A bench, a receiver per webhook secret and the fan-out; what started is closed again when a later step fails. */
export async function startFanoutRig(agencies: Record<string, AgencySpec>, secrets: string[], env: Record<string, string> = {}): Promise<FanoutRig> {
  const bench = await startFanoutBench(agencies, env);
  const receivers: DemoReceiver[] = [];
  let fanout: RunningFanout | undefined;
  const close = async () => {
    await fanout?.close();
    for (const receiver of receivers) await receiver.close();
    await bench.close();
  };
  try {
    for (const secret of secrets) receivers.push(await startDemoReceiver(secret));
    fanout = await startFanout({ config: bench.config, logger: createLogger('test-fanout', 'silent') });
  } catch (error) {
    await close().catch(() => {});
    throw error;
  }
  return { bench, fanout, receivers, close };
}

/** A canonical health declaration with a fresh event id. */
export function declaration(overrides: Record<string, unknown>): Record<string, unknown> {
  return sampleHealthDeclaration({ event_id: randomUUID(), source_record_id: randomUUID(), ...overrides });
}

/** A canonical checkpoint passage with a fresh event id. */
export function passage(overrides: Record<string, unknown>): Record<string, unknown> {
  const at = Date.UTC(2021, 7, 14, 3, 0, 0);
  return {
    event_id: randomUUID(),
    kind: 'checkpoint-passage',
    source: 'checkpoint-ops',
    source_record_id: randomUUID(),
    occurred_at: at,
    received_at: at + 1_000,
    normalized_at: at + 2_000,
    province_code: '01',
    person_key: 'a'.repeat(64),
    checkpoint_id: 'CP-01-0001',
    checkpoint_name: 'Chốt cầu Thanh Trì',
    checkpoint_type: 'ROAD',
    checkpoint_province_code: '01',
    document: { type: 'CCCD', number: '001190012345' },
    vehicle_plate: '29A-12345',
    direction: 'IN',
    passed_at: at,
    identification_method: 'CHIP_ID_CARD',
    health_status: 'GREEN',
    outcome: 'ALLOWED',
    quality_flags: [],
    ...overrides,
  };
}

/** Polls `check` until it returns true, failing with `describe()` after `timeoutMs`. */
export async function eventually(check: () => boolean | Promise<boolean>, describe: () => string, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
