/**
 * The whole pipeline on a cluster of three brokers of this test's own while brokers fail (issue 16):
 * a steady 1,000 records/s through HTTP ingest with the normalizer, the ClickHouse sink, a webhook
 * and a topic subscription running; the broker leading most partitions is SIGKILLed and later
 * started again, then all three are restarted in turn. Afterwards every acknowledged record is
 * exactly once on its canonical topic (read_committed), in ClickHouse (FINAL) and on the agency
 * topic, and at least once at the webhook receiver; ingest answered only 2xx or 503 meanwhile. A
 * record answered 503 may still have reached Kafka (the write outlived the answer's deadline): such
 * a record is there at most once, and one sent again would be dropped as a replay by its event id.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClickHouseSink, type RunningClickHouseSink } from '../../connectors/clickhouse-sink/sink.ts';
import { EXAMPLES } from '../../connectors/sources/pccovid/examples.ts';
import { startDemoReceiver, type DemoReceiver } from '../../services/demo/demo-receiver.ts';
import { startFanout, type RunningFanout } from '../../services/fanout/fanout.ts';
import { startNormalizer, type RunningNormalizer } from '../../services/normalizer/normalizer.ts';
import { generateKey, hashKey } from '../../services/platform/access.ts';
import { canonicalTopic } from '../../services/platform/catalog.ts';
import { eventId } from '../../services/platform/event-id.ts';
import { createKafka } from '../../services/platform/kafka.ts';
import { createLogger } from '../../services/platform/logger.ts';
import { HEADER, headerString } from '../../services/platform/record-headers.ts';
import { readTopicToEnd } from '../../services/platform/topic-ends.ts';
import { startTestApi, type TestApi } from '../support/api.ts';
import { eventually } from '../support/fanout.ts';
import { privateKafka, type PrivateKafka } from '../support/private-kafka.ts';

// CLUSTER_TEST_LOG=1 shows the stages' warnings and crashes (what to look at when this test fails).
const logger = createLogger('cluster-pipeline', process.env.CLUSTER_TEST_LOG ? 'warn' : 'silent');
const run = randomUUID().slice(0, 8);
const AGENCY = `research-${run}`;
const KIND = 'health-declaration';
const SECRET = `whsec_${Buffer.from('cluster-test-secret-of-32-bytes!').toString('base64')}`;
/** Two posters, each 100 records every 200 ms: 1,000 records/s. */
const BATCH = 100;
const INTERVAL_MS = 200;

/** Posts batches at a steady rate until stopped; keeps the accepted event ids, the event ids of records not acknowledged, and every status answered. */
function steadyIngest(url: string, key: string) {
  // One person per record: the same person's same answers twice would be one declaration to the normalizer.
  let person = randomInt(10 ** 7);
  const accepted = new Set<string>();
  const unacknowledged = new Set<string>();
  /** Acknowledged records whose event id is not the one derived here (it would make the 503 check blind). */
  let derivedWrong = 0;
  const statuses = new Map<number, number>();
  let running = true;
  const loop = async () => {
    while (running) {
      const started = Date.now();
      const records = Array.from({ length: BATCH }, () => ({
        ...EXAMPLES[`pccovid/${KIND}`],
        id: `KBYT-${randomUUID()}`,
        identityNumber: `0790${String(person++).padStart(8, '0')}`,
      }));
      try {
        const response = await fetch(`${url}/v1/ingest/pccovid/${KIND}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
          body: JSON.stringify(records),
        });
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        const body = (await response.json()) as { accepted?: { index: number; event_id: string }[] };
        // pccovid records carry their own id: the event id is derived from it, as ingest answers it.
        if (response.status === 202) {
          for (const entry of body.accepted ?? []) {
            accepted.add(entry.event_id);
            if (entry.event_id !== eventId('pccovid', KIND, records[entry.index]!.id)) derivedWrong += 1;
          }
        } else for (const record of records) unacknowledged.add(eventId('pccovid', KIND, record.id));
      } catch {
        statuses.set(0, (statuses.get(0) ?? 0) + 1);
        for (const record of records) unacknowledged.add(eventId('pccovid', KIND, record.id));
      }
      await sleep(Math.max(0, INTERVAL_MS - (Date.now() - started)));
    }
  };
  // Two posters, so one request waiting on Kafka does not stop the flow.
  const posters = [loop(), loop()];
  return {
    accepted,
    unacknowledged,
    get derivedWrong() {
      return derivedWrong;
    },
    statuses,
    async stop() {
      running = false;
      await Promise.all(posters);
    },
  };
}

describe('the pipeline on a cluster of three brokers under broker failure', () => {
  let cluster: PrivateKafka;
  let kafka: Kafka;
  let t: TestApi;
  let normalizer: RunningNormalizer;
  let sink: RunningClickHouseSink;
  let fanout: RunningFanout;
  let receiver: DemoReceiver;
  const agencyKey = generateKey();

  beforeAll(async () => {
    cluster = await privateKafka({ brokers: 3 });
    const env = {
      ...cluster.env,
      CLICKHOUSE_DATABASE: `cluster_${run}`,
      FANOUT_WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
      FANOUT_RETRY_SCHEDULE: '200ms,500ms,1s,2s,5s',
    };
    t = await startTestApi(env, { access: { agencies: { [AGENCY]: { keys: [hashKey(agencyKey)], kinds: [KIND], provinces: 'all', tier: 'pseudonymous' } } } });
    kafka = createKafka(t.config.kafka, logger, 'cluster-test');
    normalizer = await startNormalizer({ config: t.config, logger });
    sink = await startClickHouseSink({ config: t.config, logger });
    receiver = await startDemoReceiver(SECRET);
    fanout = await startFanout({ config: t.config, logger });
  }, 300_000);
  afterAll(async () => {
    await fanout?.close();
    await receiver?.close();
    await sink?.close();
    await normalizer?.close();
    await t?.close();
    await cluster?.destroy();
  });

  const subscribe = (delivery: Record<string, unknown>) =>
    fetch(`${t.url}/v1/subscriptions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${agencyKey}` },
      body: JSON.stringify({ kinds: [KIND], tier: 'pseudonymous', delivery }),
    });

  /** The broker that leads most partitions of the pipeline's topics now. */
  const busiestBroker = async (): Promise<number> => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata();
      const counts = new Map<number, number>();
      for (const { partitions } of topics) for (const { leader } of partitions) counts.set(leader, (counts.get(leader) ?? 0) + 1);
      return [...counts].sort((a, b) => b[1] - a[1])[0]![0];
    } finally {
      await admin.disconnect();
    }
  };
  const allInSync = async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata();
      return topics.every(({ partitions }) => partitions.every((partition) => partition.isr.length === 3));
    } finally {
      await admin.disconnect();
    }
  };

  it('keeps every acknowledged record exactly once through a SIGKILL of the busiest broker and a rolling restart', async () => {
    expect((await subscribe({ type: 'webhook', url: receiver.url, secret: SECRET, maxBatchSize: 200 })).status).toBe(201);
    expect((await subscribe({ type: 'topic' })).status).toBe(201);
    const ingest = steadyIngest(t.url, t.sourceKeys.pccovid!);
    await sleep(5_000);

    const victim = await busiestBroker();
    await cluster.kill(victim);
    await sleep(10_000);
    await cluster.startBroker(victim);
    await expect.poll(allInSync, { timeout: 120_000, interval: 1_000 }).toBe(true);
    for (const id of [1, 2, 3]) {
      await cluster.stopBroker(id);
      await sleep(3_000);
      await cluster.startBroker(id);
      await expect.poll(allInSync, { timeout: 120_000, interval: 1_000 }).toBe(true);
    }
    await sleep(3_000);
    await ingest.stop();

    // Only 202 or 503 (Kafka did not acknowledge in time: nothing accepted, send again).
    expect([...ingest.statuses.keys()].filter((status) => status !== 202 && status !== 503)).toEqual([]);
    const { accepted, unacknowledged } = ingest;
    expect(ingest.derivedWrong).toBe(0);
    expect(accepted.size).toBeGreaterThan(30_000);

    /** A topic's records by event id, read_committed. */
    const eventsOn = async (topic: string) =>
      (await readTopicToEnd(kafka, topic, () => true, 120_000)).map(({ message }) => headerString(message.headers, HEADER.eventId)!);
    /** Each accepted record once; anything else once, and only if its request was not acknowledged. */
    const expectExactlyOnce = (events: string[], where: string) => {
      const ids = new Set(events);
      expect(events.length - ids.size, `${where}: records twice`).toBe(0);
      expect([...accepted].filter((id) => !ids.has(id)), `${where}: acknowledged records missing`).toEqual([]);
      expect(events.filter((id) => !accepted.has(id) && !unacknowledged.has(id)), `${where}: records nobody sent`).toEqual([]);
      return ids;
    };

    // Canonical, read_committed.
    let onCanonical: string[] = [];
    await eventually(async () => {
      onCanonical = await eventsOn(canonicalTopic(KIND));
      return onCanonical.length >= accepted.size;
    }, () => `canonical has ${onCanonical.length} of ${accepted.size}; normalizer ${JSON.stringify(normalizer.status())}`, 180_000);
    await sleep(2_000);
    onCanonical = await eventsOn(canonicalTopic(KIND));
    const written = expectExactlyOnce(onCanonical, 'canonical');

    // ClickHouse, FINAL: what the canonical topic holds, each once.
    const table = `${t.config.clickhouse.database}.health_declarations`;
    const count = async (sql: string) => Number((await (await sink.clickhouse.client.query({ query: sql, format: 'JSONEachRow' })).json<{ n: string }>())[0]!.n);
    await expect.poll(() => count(`SELECT count() AS n FROM ${table} FINAL`), { timeout: 180_000, interval: 1_000 }).toBe(written.size);
    expect(await count(`SELECT uniqExact(event_id) AS n FROM ${table}`)).toBe(written.size);

    // The agency topic: each once; the webhook receiver: each at least once.
    const outTopic = `out.${AGENCY}.${KIND}`;
    let onAgencyTopic: string[] = [];
    await eventually(async () => {
      onAgencyTopic = await eventsOn(outTopic);
      return onAgencyTopic.length >= written.size;
    }, () => `agency topic has ${onAgencyTopic.length} of ${written.size}`, 180_000);
    const delivered = new Set(onAgencyTopic);
    expect(onAgencyTopic.length - delivered.size, 'agency topic: records twice').toBe(0);
    expect(delivered).toEqual(written);
    const atReceiver = () => new Set(receiver.batches.flatMap((batch) => batch.events.map((event) => event.id)));
    await eventually(() => atReceiver().size >= written.size, () => `webhook receiver has ${atReceiver().size} of ${written.size}`, 180_000);
    expect(atReceiver()).toEqual(written);
    console.info(`cluster under failure: ${accepted.size} acknowledged, ${written.size - accepted.size} more written of ${unacknowledged.size} answered 503; answers ${JSON.stringify(Object.fromEntries(ingest.statuses))}`);
  }, 900_000);
});
