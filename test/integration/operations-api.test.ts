/**
 * The operator console's routes on the real stack: the page holds no data, every data route wants
 * the operator key (none, a wrong one, an agency's or a source's get nothing), dead letters are
 * listed with filters and paged, shown in full, and the normalizer's replayed to their raw topic
 * (dry run first), with the attacker's inputs refused.
 */
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKey, hashKey } from '../../services/platform/access.ts';
import { rawTopic } from '../../services/platform/catalog.ts';
import { HEADER, headerString } from '../../services/platform/record-headers.ts';
import { readTopicToEnd } from '../../services/platform/topic-ends.ts';
import { DLQ_NORMALIZER_TOPIC, DLQ_SINK_CLICKHOUSE_TOPIC } from '../../services/platform/topics.ts';
import { rawExample } from '../fixtures/raw-examples.ts';
import { startTestApi, type TestApi } from '../support/api.ts';
import { testKafka } from '../support/kafka.ts';

async function call(url: string, key: string | null, init: { method?: string; body?: string; contentType?: string } = {}) {
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(init.body !== undefined ? { 'content-type': init.contentType ?? 'application/json' } : {}) },
    body: init.body,
  });
  const text = await response.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    // The page and its assets are not JSON.
  }
  return { status: response.status, body, headers: response.headers, text };
}

describe('operations API', () => {
  let t: TestApi;
  let kafka: Kafka;
  const agencyKey = generateKey();
  const errorClass = `ConsoleTest${randomUUID().slice(0, 8)}`;
  const source = 'vhd';
  const kind = 'health-declaration' as const;
  const raw = rawTopic(source, kind);
  const eventIds: string[] = [];
  const snapshotUrl = () => `${t.url}/v1/operations/snapshot`;
  const listUrl = (query: Record<string, string>) => `${t.url}/v1/operations/dead-letters?${new URLSearchParams(query)}`;

  beforeAll(async () => {
    t = await startTestApi({}, { access: { agencies: { 'console-agency': { keys: [hashKey(agencyKey)], kinds: 'all', provinces: 'all', tier: 'identified' } } } });
    kafka = testKafka(t.config);
    // Three dead letters as the normalizer writes them: the raw record with its headers, and where and why it failed.
    const codec = t.api.pipeline.rawCodecs.get(raw)!;
    const messages = [0, 1, 2].map((i) => {
      const conversion = codec.convert({ ...rawExample(source, kind), id: randomUUID() }, Date.now(), 'test');
      if (!conversion.ok) throw new Error(JSON.stringify(conversion.problems));
      const { message } = conversion.record;
      eventIds.push(headerString(message.headers, HEADER.eventId)!);
      return {
        ...message,
        headers: {
          ...message.headers,
          [HEADER.dlqReason]: `province_code: test defect ${i}`,
          [HEADER.dlqErrorClass]: errorClass,
          [HEADER.dlqStage]: 'normalizer',
          [HEADER.dlqSource]: source,
          [HEADER.dlqKind]: kind,
          [HEADER.dlqTopic]: raw,
          [HEADER.dlqPartition]: '0',
          [HEADER.dlqOffset]: String(1000 + i),
        },
      };
    });
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    await producer.send({ topic: DLQ_NORMALIZER_TOPIC, acks: -1, messages });
    await producer.disconnect();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('serves the console page and its assets without data, with a strict content policy', async () => {
    const page = await call(`${t.url}/console`, null);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.text).toContain('/console/console.js');
    // Nothing loaded from elsewhere.
    expect(page.text).not.toMatch(/(src|href)="(https?:)?\/\//);
    const script = await call(`${t.url}/console/console.js`, null);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toContain('javascript');
    expect((await call(`${t.url}/console/console.css`, null)).status).toBe(200);
    expect((await call(`${t.url}/console/..%2Froutes.ts`, null)).status).toBe(404);
    expect((await call(`${t.url}/console/secret.json`, null)).status).toBe(404);
  });

  it('gives the snapshot and dead letters to the operator key only', async () => {
    const wrong = generateKey();
    const keys: [string, string | null, number][] = [
      ['none', null, 401],
      ['wrong', wrong, 401],
      ['agency', agencyKey, 403],
      ['source', t.sourceKeys.vhd!, 403],
    ];
    for (const [who, key, status] of keys) {
      for (const url of [snapshotUrl(), listUrl({}), `${t.url}/v1/operations/dead-letters/normalizer/0:0`]) {
        const answer = await call(url, key);
        expect(answer.status, `${who} ${url}`).toBe(status);
        expect(Object.keys(answer.body), `${who} ${url}`).toEqual(['error']);
      }
      const replay = await call(`${t.url}/v1/operations/dead-letters/replay`, key, { method: 'POST', body: JSON.stringify({ dryRun: true }) });
      expect(replay.status, who).toBe(status);
      // Even a malformed body is answered by the key check first.
      expect((await call(`${t.url}/v1/operations/dead-letters/replay`, key, { method: 'POST', body: '{nope' })).status, who).toBe(status);
    }
  });

  it('shows the live picture: stages, the ingest connector, no sink or normalizer in this process', async () => {
    const snapshot = await call(snapshotUrl(), t.operatorKey);
    expect(snapshot.status).toBe(200);
    expect(snapshot.body.stages.map((s: { name: string }) => s.name)).toEqual(['ingest', 'fan-out']);
    expect(snapshot.body.connectors).toEqual([expect.objectContaining({ name: 'http-ingest', state: 'RUNNING' })]);
    expect(snapshot.body.sink).toBeNull();
    expect(snapshot.body.crashes).toEqual([]);
    expect(snapshot.body.alerts).toEqual({ firing: [], resolved: [] });
    expect(snapshot.body.history).toEqual({ stepSeconds: 10, samples: expect.any(Array) });
  });

  it('lists dead letters with filters, newest first and paged, without record contents', async () => {
    const all = await call(listUrl({ errorClass }), t.operatorKey);
    expect(all.status).toBe(200);
    expect(all.body.total).toBe(3);
    expect(all.body.replayable).toBe(true);
    expect(all.body.deadLetters.map((d: { reason: string }) => d.reason)).toEqual(['province_code: test defect 2', 'province_code: test defect 1', 'province_code: test defect 0']);
    expect(all.body.deadLetters[0]).toEqual({
      partition: expect.any(Number), offset: expect.any(String), at: expect.any(String), eventId: eventIds[2], source, kind, errorClass,
      reason: 'province_code: test defect 2', origin: `${raw}/0@1002`,
    });
    expect(JSON.stringify(all.body)).not.toContain(rawExample(source, kind).fullName as string);

    const first = await call(listUrl({ errorClass, limit: '2' }), t.operatorKey);
    expect(first.body.deadLetters).toHaveLength(2);
    expect(first.body.nextSkip).toBe(2);
    const second = await call(listUrl({ errorClass, limit: '2', skip: '2' }), t.operatorKey);
    expect(second.body.deadLetters.map((d: { reason: string }) => d.reason)).toEqual(['province_code: test defect 0']);
    expect(second.body.nextSkip).toBeNull();

    expect((await call(listUrl({ errorClass, source: 'nobody' }), t.operatorKey)).body.total).toBe(0);
    expect((await call(listUrl({ errorClass, kind: 'citizen-report' }), t.operatorKey)).body.total).toBe(0);
    expect((await call(listUrl({ errorClass, source, kind }), t.operatorKey)).body.total).toBe(3);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await call(listUrl({ errorClass, from: future }), t.operatorKey)).body.total).toBe(0);
    expect((await call(listUrl({ errorClass, to: future }), t.operatorKey)).body.total).toBe(3);
  });

  it('shows one dead letter in full to the operator', async () => {
    const [newest] = (await call(listUrl({ errorClass, limit: '1' }), t.operatorKey)).body.deadLetters;
    const shown = await call(`${t.url}/v1/operations/dead-letters/normalizer/${newest.partition}:${newest.offset}`, t.operatorKey);
    expect(shown.status).toBe(200);
    expect(shown.body.headers[HEADER.dlqErrorClass]).toBe(errorClass);
    expect(JSON.stringify(shown.body.record)).toContain(rawExample(source, kind).fullName as string);
    expect((await call(`${t.url}/v1/operations/dead-letters/normalizer/${newest.partition}:999999999`, t.operatorKey)).status).toBe(404);
  });

  it('replays normalizer dead letters to their raw topic, dry run first, with their original headers', async () => {
    const dry = await call(`${t.url}/v1/operations/dead-letters/replay`, t.operatorKey, { method: 'POST', body: JSON.stringify({ errorClass, dryRun: true }) });
    expect(dry.status).toBe(200);
    expect(dry.body).toEqual({ stage: 'normalizer', dryRun: true, replayed: 3, topics: [{ topic: raw, count: 3 }], skipped: 0 });
    const found = async () =>
      (await readTopicToEnd(kafka, raw, (m) => eventIds.includes(headerString(m.headers, HEADER.eventId) ?? ''))).map((m) => m.message);
    expect(await found()).toEqual([]);

    const done = await call(`${t.url}/v1/operations/dead-letters/replay`, t.operatorKey, { method: 'POST', body: JSON.stringify({ errorClass, dryRun: false }) });
    expect(done.body).toEqual({ stage: 'normalizer', dryRun: false, replayed: 3, topics: [{ topic: raw, count: 3 }], skipped: 0 });
    const replayed = await found();
    expect(replayed.map((m) => headerString(m.headers, HEADER.eventId)).sort()).toEqual([...eventIds].sort());
    for (const message of replayed) expect(headerString(message.headers, HEADER.dlqErrorClass)).toBeUndefined();
  });

  it('refuses replays of other stages, and oversize or malformed input', async () => {
    const post = (body: string) => call(`${t.url}/v1/operations/dead-letters/replay`, t.operatorKey, { method: 'POST', body });
    const sink = await post(JSON.stringify({ stage: 'sink.clickhouse', dryRun: true }));
    expect(sink.status).toBe(422);
    expect(sink.body.error.code).toBe('not_replayable');
    expect((await post(JSON.stringify({ stage: 'ingest', dryRun: true }))).status).toBe(422);
    expect((await post('{nope')).status).toBe(400);
    expect((await post(JSON.stringify({ errorClass }))).status).toBe(400);
    expect((await post(JSON.stringify({ dryRun: 'yes' }))).status).toBe(400);
    expect((await post(JSON.stringify({ dryRun: true, source: '../x' }))).status).toBe(400);
    expect((await post(JSON.stringify({ dryRun: true, stage: 'normalizer; DROP' }))).status).toBe(400);
    expect((await post(JSON.stringify({ dryRun: true, from: 'yesterday' }))).status).toBe(400);
    const oversize = await post(JSON.stringify({ dryRun: true, source: 'x'.repeat(5_000) }));
    expect(oversize.status).toBe(413);
    expect((await call(`${t.url}/v1/operations/dead-letters/replay`, t.operatorKey, { method: 'POST', body: 'dryRun=true', contentType: 'text/plain' })).status).toBe(400);

    const list = (query: Record<string, string>) => call(listUrl(query), t.operatorKey);
    expect((await list({ stage: 'nowhere' })).status).toBe(400);
    expect((await list({ stage: 'sink.never-was' })).status).toBe(404);
    expect((await list({ limit: '0' })).status).toBe(400);
    expect((await list({ limit: '100000' })).status).toBe(400);
    expect((await list({ skip: '-1' })).status).toBe(400);
    expect((await list({ errorClass: 'x'.repeat(65) })).status).toBe(400);
    expect((await list({ from: 'not a time' })).status).toBe(400);
    expect((await call(`${t.url}/v1/operations/dead-letters/normalizer/0-0`, t.operatorKey)).status).toBe(400);
    expect((await call(`${t.url}/v1/operations/dead-letters/normalizer/0:${'9'.repeat(30)}`, t.operatorKey)).status).toBe(400);
    expect((await call(`${t.url}/v1/operations/dead-letters/${encodeURIComponent('../etc')}/0:0`, t.operatorKey)).status).toBe(400);
    // The sink's dead letters are listed (not replayed): their topic exists on every stack.
    const sinkList = await list({ stage: 'sink.clickhouse', limit: '1' });
    expect(sinkList.status).toBe(200);
    expect(sinkList.body).toEqual(expect.objectContaining({ topic: DLQ_SINK_CLICKHOUSE_TOPIC, replayable: false }));
  });

  it('documents its routes in the OpenAPI document', async () => {
    const document = (await call(`${t.url}/openapi.json`, null)).body;
    for (const path of ['/console', '/v1/operations/snapshot', '/v1/operations/dead-letters', '/v1/operations/dead-letters/{stage}/{position}', '/v1/operations/dead-letters/replay']) {
      expect(document.paths[path], path).toBeDefined();
    }
  });
});
