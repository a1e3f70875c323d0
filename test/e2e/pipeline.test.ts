/**
 * End to end: generated records of every source and kind posted through the real HTTP ingest, the
 * normalizer, the ClickHouse sink, and the analysts' tables and views.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClickHouseSink, type RunningClickHouseSink } from '../../connectors/clickhouse-sink/sink.ts';
import { PROJECTIONS } from '../../connectors/clickhouse-sink/projection.ts';
import { postItems } from '../../services/demo/ingest-poster.ts';
import { CHECKPOINTS, generate, type GeneratedItem } from '../../services/generator/index.ts';
import { startNormalizer, type RunningNormalizer } from '../../services/normalizer/normalizer.ts';
import { KINDS, type Kind } from '../../services/platform/catalog.ts';
import { loadConfig } from '../../services/platform/config.ts';
import { createLogger } from '../../services/platform/logger.ts';
import { startTestApi, type TestApi } from '../support/api.ts';
import { identifyingColumns, sinkStartsAtEnd, VIEW_TOTALS_QUERY, viewPairs } from '../support/clickhouse-sink.ts';
import { expectedCanonical } from '../support/expected-canonical.ts';
import { testKafka } from '../support/kafka.ts';
import { deploymentContentId } from '../support/content-id.ts';

const logger = createLogger('e2e', 'silent');
/** Items posted at once: some 400 records per request over the ten (source, kind) pairs. */
const SLICE = 4_000;

/** Posts items through ingest in batches per (source, kind); returns the event ids ingest accepted. */
async function post(t: TestApi, items: GeneratedItem[]): Promise<Set<string>> {
  const accepted = new Set<string>();
  for (let i = 0; i < items.length; i += SLICE) {
    for (const result of await postItems(t.url, t.sourceKeys, items.slice(i, i + SLICE))) {
      expect([202, 207, 422]).toContain(result.status);
      for (const eventId of result.accepted) accepted.add(eventId);
    }
  }
  return accepted;
}

describe('the whole pipeline', () => {
  const id = randomUUID().slice(0, 8);
  const config = loadConfig({ ...process.env, CLICKHOUSE_DATABASE: `e2e_${id}`, CLICKHOUSE_SINK_GROUP_ID: `e2e-sink-${id}` });
  const kafka = testKafka(config);
  let t: TestApi;
  let normalizer: RunningNormalizer;
  let sink: RunningClickHouseSink;

  beforeAll(async () => {
    await sinkStartsAtEnd(kafka, config.clickhouseSink.groupId);
    t = await startTestApi();
    normalizer = await startNormalizer({ config, logger });
    sink = await startClickHouseSink({ config, logger });
  });
  afterAll(async () => {
    await sink?.close();
    await normalizer?.close();
    await t?.close();
  });

  it('takes 20,000+ mixed records from HTTP ingest to ClickHouse: every expected row once, nothing identifying, views agreeing', async () => {
    const seed = randomInt(2 ** 31);
    const registry = generate({ seed, counts: { 'checkpoint-ops/checkpoint': CHECKPOINTS.length }, invalid: 0, duplicates: 0, contentId: deploymentContentId() });
    await post(t, registry);
    await expect.poll(() => CHECKPOINTS.every((c) => normalizer.checkpoints.get(c.code)), { timeout: 60_000, interval: 250 }).toBe(true);

    const items = generate({ seed: seed + 1, count: 22_000, kinds: KINDS.filter((kind) => kind !== 'checkpoint'), invalid: 0.05, duplicates: 0.1, contentId: deploymentContentId() });
    const accepted = await post(t, items);
    // Ingest accepts exactly the records without an ingest-stage defect.
    const reachNormalizer = items.filter((item) => item.label.valid || item.label.stage === 'normalizer');
    expect(accepted.size).toBe(reachNormalizer.length);
    expect(accepted.size).toBeGreaterThanOrEqual(20_000);

    const { singles, groups } = expectedCanonical(reachNormalizer);
    const { client } = sink.clickhouse;
    for (const kind of KINDS.filter((k) => k !== 'checkpoint') as Kind[]) {
      const table = PROJECTIONS[kind].table;
      const ofKind = singles.filter((item) => item.kind === kind).map((item) => item.eventId!);
      const groupsOfKind = groups.filter((group) => group[0]!.kind === kind);
      const candidates = [...ofKind, ...groupsOfKind.flat().map((item) => item.eventId!)];
      const expected = ofKind.length + groupsOfKind.length;
      const count = async (query: string) =>
        Number((await (await client.query({ query, query_params: { ids: candidates }, format: 'JSONEachRow' })).json<{ n: string }>())[0]!.n);
      await expect.poll(() => count(`SELECT uniqExact(event_id) AS n FROM ${table} WHERE event_id IN {ids:Array(UUID)}`), { timeout: 180_000, interval: 1_000 }).toBe(expected);
      expect(await count(`SELECT count() AS n FROM ${table} FINAL WHERE event_id IN {ids:Array(UUID)}`)).toBe(expected);
      // Each row inserted once (no repeat waiting for a merge to hide it).
      expect(await count(`SELECT count() AS n FROM ${table} WHERE event_id IN {ids:Array(UUID)}`)).toBe(expected);
      // Every single is there, and one of each group of cross-source copies.
      const present = new Set(
        (await (await client.query({ query: `SELECT toString(event_id) AS id FROM ${table} WHERE event_id IN {ids:Array(UUID)}`, query_params: { ids: candidates }, format: 'JSONEachRow' })).json<{ id: string }>()).map((r) => r.id),
      );
      expect(ofKind.filter((eventId) => !present.has(eventId))).toEqual([]);
      expect(groupsOfKind.filter((group) => group.filter((item) => present.has(item.eventId!)).length !== 1)).toEqual([]);
    }
    const checkpoints = await (await client.query({ query: 'SELECT uniqExact(checkpoint_id) AS n FROM checkpoints FINAL', format: 'JSONEachRow' })).json<{ n: string }>();
    expect(Number(checkpoints[0]!.n)).toBeGreaterThanOrEqual(CHECKPOINTS.length);

    const columns = await (await client.query({ query: 'SELECT table, name FROM system.columns WHERE database = currentDatabase()', format: 'JSONEachRow' })).json<{ table: string; name: string }>();
    expect(columns.length).toBeGreaterThan(50);
    expect(identifyingColumns(columns)).toEqual([]);

    const [totals] = await (await client.query({ query: VIEW_TOTALS_QUERY, format: 'JSONEachRow' })).json<Record<string, string>>();
    for (const [name, [view, base]] of Object.entries(viewPairs(totals!))) expect(view, name).toBe(base);
  }, 600_000);
});
