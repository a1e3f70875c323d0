/**
 * End to end for the test-result kind: FHIR Observations from a laboratory (`lis`) and PC-Covid's
 * results posted through the real HTTP ingest, some twice; the normalizer writes each canonical
 * test result once; ClickHouse holds each row once and the daily positivity view agrees with what
 * was sent; an agency entitled to the kind gets every result by webhook, and an agency without it
 * can neither subscribe to it nor receive it through a subscription an operator made for it.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClickHouseSink, type RunningClickHouseSink } from '../../connectors/clickhouse-sink/sink.ts';
import { startDemoReceiver, type DemoReceiver } from '../../services/demo/demo-receiver.ts';
import { postItems } from '../../services/demo/ingest-poster.ts';
import { startFanout, type RunningFanout } from '../../services/fanout/fanout.ts';
import { generate, type GeneratedItem } from '../../services/generator/index.ts';
import { startNormalizer, type RunningNormalizer } from '../../services/normalizer/normalizer.ts';
import { generateKey, hashKey } from '../../services/platform/access.ts';
import { createAvroSerde } from '../../services/platform/avro-serde.ts';
import { canonicalTopic } from '../../services/platform/catalog.ts';
import { createLogger } from '../../services/platform/logger.ts';
import { readTopicToEnd } from '../../services/platform/topic-ends.ts';
import { startTestApi, type TestApi } from '../support/api.ts';
import { sinkStartsAtEnd } from '../support/clickhouse-sink.ts';
import { eventually } from '../support/fanout.ts';
import { testKafka } from '../support/kafka.ts';
import { deploymentContentId } from '../support/content-id.ts';

const logger = createLogger('e2e-test-results', 'silent');
const run = randomUUID().slice(0, 8);
const LAB_AGENCY = `hcdc-${run}`;
const OTHER_AGENCY = `transport-${run}`;
const SECRET_LAB = `whsec_${Buffer.from('lab-agency-secret-of-24-bytes!!').toString('base64')}`;
const SECRET_OTHER = `whsec_${Buffer.from('other-agency-secret-of-24-bytes').toString('base64')}`;

/** The local (UTC+7) day of an instant, as ClickHouse's toDate(…, 'Asia/Ho_Chi_Minh') gives it. */
function localDay(epochMs: number): string {
  return new Date(epochMs + 7 * 3_600_000).toISOString().slice(0, 10);
}

describe('test results from a laboratory and PC-Covid', () => {
  const keys = { [LAB_AGENCY]: generateKey(), [OTHER_AGENCY]: generateKey() };
  let t: TestApi;
  let normalizer: RunningNormalizer;
  let sink: RunningClickHouseSink;
  let fanout: RunningFanout;
  let labReceiver: DemoReceiver;
  let otherReceiver: DemoReceiver;

  beforeAll(async () => {
    const env = {
      CLICKHOUSE_DATABASE: `e2e_tr_${run}`,
      CLICKHOUSE_SINK_GROUP_ID: `e2e-tr-sink-${run}`,
      FANOUT_SUBSCRIPTIONS_TOPIC: `test-subscriptions-${run}`,
      FANOUT_STATUS_TOPIC: `test-subscription-status-${run}`,
      FANOUT_GROUP_PREFIX: `test-fanout-${run}`,
      FANOUT_WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
    };
    t = await startTestApi(env, {
      access: {
        agencies: {
          [LAB_AGENCY]: { keys: [hashKey(keys[LAB_AGENCY]!)], kinds: ['test-result', 'health-declaration'], provinces: 'all', tier: 'pseudonymous' },
          [OTHER_AGENCY]: { keys: [hashKey(keys[OTHER_AGENCY]!)], kinds: ['health-declaration'], provinces: 'all', tier: 'identified' },
        },
      },
    });
    await sinkStartsAtEnd(testKafka(t.config), t.config.clickhouseSink.groupId);
    normalizer = await startNormalizer({ config: t.config, logger });
    sink = await startClickHouseSink({ config: t.config, logger });
    labReceiver = await startDemoReceiver(SECRET_LAB);
    otherReceiver = await startDemoReceiver(SECRET_OTHER);
    fanout = await startFanout({ config: t.config, logger });
  });
  afterAll(async () => {
    await fanout?.close();
    await labReceiver?.close();
    await otherReceiver?.close();
    await sink?.close();
    await normalizer?.close();
    await t?.close();
  });

  const call = async (method: string, route: string, key: string, body: unknown) => {
    const response = await fetch(`${t.url}${route}`, { method, headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };

  it('maps lis and pccovid results to canonical test results once, into ClickHouse and its positivity view, and to the entitled agency only', async () => {
    // The agency without the kind cannot ask for it; an operator asking for it on its behalf gets a
    // subscription whose delivery is narrowed to what the agency may see.
    const refused = await call('POST', '/v1/subscriptions', keys[OTHER_AGENCY]!, { kinds: ['test-result'], delivery: { type: 'webhook', url: otherReceiver.url, secret: SECRET_OTHER } });
    expect(refused.status).toBe(403);
    expect(JSON.stringify(refused.body)).toContain('test-result');
    const created = await Promise.all([
      call('POST', '/v1/subscriptions', keys[LAB_AGENCY]!, { kinds: ['test-result'], tier: 'pseudonymous', delivery: { type: 'webhook', url: labReceiver.url, secret: SECRET_LAB } }),
      call('POST', '/v1/subscriptions', t.operatorKey, {
        agency: OTHER_AGENCY,
        kinds: ['test-result', 'health-declaration'],
        tier: 'identified',
        delivery: { type: 'webhook', url: otherReceiver.url, secret: SECRET_OTHER },
      }),
    ]);
    for (const answer of created) expect(answer.status, JSON.stringify(answer.body)).toBe(201);

    const items = generate({ seed: randomInt(2 ** 31), counts: { 'lis/test-result': 120, 'pccovid/test-result': 80 }, invalid: 0, duplicates: 0, contentId: deploymentContentId() });
    expect(new Set(items.map((item) => item.source))).toEqual(new Set(['lis', 'pccovid']));
    const lisObservation = items.find((item) => item.source === 'lis')!.record;
    expect(lisObservation).toMatchObject({ resourceType: 'Observation', code: { coding: [{ system: 'http://loinc.org' }] } });
    // Every result is posted, and the first fifty a second time (a lab resending its batch).
    const accepted = new Set<string>();
    for (const batch of [items, items.slice(0, 50)]) {
      for (const result of await postItems(t.url, t.sourceKeys, batch)) {
        expect(result.status).toBe(202);
        for (const eventId of result.accepted) accepted.add(eventId);
      }
    }
    const ours = new Set(items.map((item) => item.eventId!));
    expect(accepted).toEqual(ours);

    // Canonical: each result once, though fifty were ingested twice.
    const serde = createAvroSerde(t.config.schemaRegistry);
    let canonical: Record<string, any>[] = [];
    await eventually(
      async () => {
        const messages = await readTopicToEnd(testKafka(t.config), canonicalTopic('test-result'));
        const decoded = await Promise.all(messages.map(({ message }) => serde.decode(message.value!)));
        canonical = decoded.filter((record) => ours.has(record.event_id as string));
        return canonical.length >= ours.size;
      },
      () => `canonical test results ${canonical.length}/${ours.size}`,
      120_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(canonical).toHaveLength(ours.size);
    expect(new Set(canonical.map((record) => record.event_id))).toEqual(ours);
    const truthOf = new Map(items.map((item: GeneratedItem) => [item.eventId!, item.truth as Record<string, any>]));
    for (const record of canonical) {
      const truth = truthOf.get(record.event_id)!;
      expect([record.kind, record.source, record.test_type, record.result, record.loinc_code]).toEqual(['test-result', truth.source, truth.test_type, truth.result, truth.loinc_code]);
    }

    // ClickHouse: every row once, without the person's identity, and the positivity view agreeing.
    const { client } = sink.clickhouse;
    const query = async <T>(sql: string) => (await (await client.query({ query: sql, query_params: { ids: [...ours] }, format: 'JSONEachRow' })).json<T>());
    await expect
      .poll(async () => Number((await query<{ n: string }>('SELECT count() AS n FROM test_results WHERE event_id IN {ids:Array(UUID)}'))[0]!.n), { timeout: 120_000, interval: 1_000 })
      .toBe(ours.size);
    expect(Number((await query<{ n: string }>('SELECT uniqExact(event_id) AS n FROM test_results'))[0]!.n)).toBe(ours.size);
    const columns = (await query<{ name: string }>("SELECT name FROM system.columns WHERE database = currentDatabase() AND table = 'test_results'")).map((c) => c.name);
    expect(columns).toContain('ct_value');
    expect(columns.filter((name) => /full_name|document|phone/.test(name))).toEqual([]);

    const expected = new Map<string, { results: number; positive: number; inconclusive: number }>();
    for (const record of canonical) {
      const key = `${localDay(record.sampled_at)}|${record.province_code ?? ''}|${record.test_type}`;
      const counts = expected.get(key) ?? { results: 0, positive: 0, inconclusive: 0 };
      counts.results += 1;
      if (record.result === 'POSITIVE') counts.positive += 1;
      if (record.result === 'INCONCLUSIVE') counts.inconclusive += 1;
      expected.set(key, counts);
    }
    const view = await query<{ day: string; province_code: string; test_type: string; results: string; positive_results: string; positivity: number | null }>(
      'SELECT toString(day) AS day, province_code, test_type, results, positive_results, positivity FROM test_positivity_daily',
    );
    expect(view).toHaveLength(expected.size);
    for (const row of view) {
      const counts = expected.get(`${row.day}|${row.province_code}|${row.test_type}`);
      expect(counts, `${row.day} ${row.province_code} ${row.test_type}`).toBeDefined();
      expect([Number(row.results), Number(row.positive_results)]).toEqual([counts!.results, counts!.positive]);
      const conclusive = counts!.results - counts!.inconclusive;
      expect(row.positivity).toBe(conclusive === 0 ? null : Math.round((10_000 * counts!.positive) / conclusive) / 10_000);
    }

    // Agencies: the entitled one gets every result once, pseudonymous; the other gets none.
    const deliveredOurs = (receiver: DemoReceiver) => receiver.batches.flatMap((batch) => batch.events).filter((event) => ours.has(event.id));
    await eventually(() => new Set(deliveredOurs(labReceiver).map((event) => event.id)).size >= ours.size, () => `lab agency ${deliveredOurs(labReceiver).length}/${ours.size}`, 90_000);
    const delivered = deliveredOurs(labReceiver);
    expect(delivered).toHaveLength(ours.size);
    for (const event of delivered) {
      const data = event.data as Record<string, any>;
      expect(data.kind).toBe('test-result');
      expect(data.person?.full_name ?? null).toBeNull();
      expect(data.person?.document ?? null).toBeNull();
    }
    expect(deliveredOurs(otherReceiver)).toEqual([]);
  }, 600_000);
});
