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
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClickHouseSink, type RunningClickHouseSink } from '../../connectors/clickhouse-sink/sink.ts';
import { startDemoReceiver, type DemoReceiver } from '../../services/demo/demo-receiver.ts';
import { startFanout, type RunningFanout } from '../../services/fanout/fanout.ts';
import { startNormalizer, type RunningNormalizer } from '../../services/normalizer/normalizer.ts';
import { generateKey, hashKey } from '../../services/platform/access.ts';
import { createKafka } from '../../services/platform/kafka.ts';
import { createLogger } from '../../services/platform/logger.ts';
import { startTestApi, type TestApi } from '../support/api.ts';
import { allInSync, busiestBroker } from '../support/cluster-leaders.ts';
import { expectPipelineExactlyOnce } from '../support/pipeline-outcome.ts';
import { privateKafka, type PrivateKafka } from '../support/private-kafka.ts';
import { steadyIngest } from '../support/steady-ingest.ts';

// CLUSTER_TEST_LOG=1 shows the stages' warnings and crashes (what to look at when this test fails).
const logger = createLogger('cluster-pipeline', process.env.CLUSTER_TEST_LOG ? 'warn' : 'silent');
const run = randomUUID().slice(0, 8);
const AGENCY = `research-${run}`;
const KIND = 'health-declaration';
const SECRET = `whsec_${Buffer.from('cluster-test-secret-of-32-bytes!').toString('base64')}`;

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

  it('keeps every acknowledged record exactly once through a SIGKILL of the busiest broker and a rolling restart', async () => {
    expect((await subscribe({ type: 'webhook', url: receiver.url, secret: SECRET, maxBatchSize: 200 })).status).toBe(201);
    expect((await subscribe({ type: 'topic' })).status).toBe(201);
    // Two posters, each 100 records every 200 ms: 1,000 records/s.
    const ingest = steadyIngest({ urls: [t.url], key: t.sourceKeys.pccovid!, kinds: [KIND], posters: 2, batch: 100, intervalMs: 200 });
    await sleep(5_000);

    const victim = await busiestBroker(kafka);
    await cluster.kill(victim);
    await sleep(10_000);
    await cluster.startBroker(victim);
    await expect.poll(() => allInSync(kafka), { timeout: 120_000, interval: 1_000 }).toBe(true);
    for (const id of [1, 2, 3]) {
      await cluster.stopBroker(id);
      await sleep(3_000);
      await cluster.startBroker(id);
      await expect.poll(() => allInSync(kafka), { timeout: 120_000, interval: 1_000 }).toBe(true);
    }
    await sleep(3_000);
    await ingest.stop();

    // Only 202 or 503 (Kafka did not acknowledge in time: nothing accepted, send again).
    expect([...ingest.statuses.keys()].filter((status) => status !== 202 && status !== 503)).toEqual([]);
    expect(ingest.derivedWrong).toBe(0);
    const accepted = ingest.accepted.get(KIND)!;
    expect(accepted.size).toBeGreaterThan(30_000);

    const atReceiver = () => new Set(receiver.batches.flatMap((batch) => batch.events.map((event) => event.id)));
    const written = (await expectPipelineExactlyOnce({
      kafka, clickhouse: sink.clickhouse, agency: AGENCY, ingests: [ingest], atReceiver, context: () => `normalizer ${JSON.stringify(normalizer.status())}`,
    })).get(KIND)!;
    console.info(`cluster under failure: ${accepted.size} acknowledged, ${written.size - accepted.size} more written of ${ingest.unacknowledged.size} answered 503; answers ${JSON.stringify(Object.fromEntries(ingest.statuses))}`);
  }, 900_000);
});
