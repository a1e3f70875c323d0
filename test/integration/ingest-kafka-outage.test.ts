import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawTopic } from '../../services/platform/catalog.ts';
import { createKafka } from '../../services/platform/kafka.ts';
import { createLogger } from '../../services/platform/logger.ts';
import { HEADER, headerString } from '../../services/platform/record-headers.ts';
import { rawExample } from '../fixtures/raw-examples.ts';
import { postRecords, startTestApi, type TestApi } from '../support/api.ts';
import { readTopicToEnd } from '../support/kafka.ts';
import { privateKafka, type PrivateKafka } from '../support/private-kafka.ts';

const CLIENTS = 12;
const RECORDS_PER_REQUEST = 5;
const SEND_TIMEOUT_MS = 2_000;

describe('HTTP ingest while Kafka goes down and comes back', () => {
  let broker: PrivateKafka;
  let t: TestApi;

  beforeAll(async () => {
    broker = await privateKafka();
    t = await startTestApi({ ...broker.env, INGEST_SEND_TIMEOUT_MS: String(SEND_TIMEOUT_MS) });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await broker?.destroy();
  });

  it('answers every request 2xx or 503, and every 2xx record is on its topic exactly once', async () => {
    const url = `${t.url}/v1/ingest/vhd/health-declaration`;
    const acknowledged: string[] = [];
    const statuses = new Map<number, number>();
    let acceptedAfterRestart = 0;
    let phase: 'up' | 'down' | 'back' = 'up';
    let running = true;
    let slowest = 0;

    const client = async () => {
      while (running) {
        const records = Array.from({ length: RECORDS_PER_REQUEST }, () => ({ ...rawExample('vhd', 'health-declaration'), id: randomUUID() }));
        const started = performance.now();
        const response = await postRecords(url, t.sourceKeys.vhd!, records);
        slowest = Math.max(slowest, performance.now() - started);
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        if (response.status === 202) {
          acknowledged.push(...response.body.accepted.map((a: { event_id: string }) => a.event_id));
          if (phase === 'back') acceptedAfterRestart += records.length;
        } else {
          expect(response.status).toBe(503);
          expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
          await sleep(100);
        }
      }
    };
    const clients = Array.from({ length: CLIENTS }, client);

    await sleep(2_000);
    await broker.kill();
    phase = 'down';
    await sleep(6_000);
    await broker.start();
    phase = 'back';
    const deadline = Date.now() + 60_000;
    while (acceptedAfterRestart < 200 && Date.now() < deadline) await sleep(250);
    running = false;
    await Promise.all(clients);

    expect(statuses.get(503) ?? 0).toBeGreaterThan(0);
    expect(acceptedAfterRestart).toBeGreaterThanOrEqual(200);
    expect([...statuses.keys()].sort()).toEqual([202, 503]);
    // A request waits at most the send timeout for Kafka, plus the time to answer.
    expect(slowest).toBeLessThan(SEND_TIMEOUT_MS + 3_000);

    const kafka = createKafka(broker.config.kafka, createLogger('test', 'silent'), 'outage-check');
    const wanted = new Set(acknowledged);
    const onTopic = await readTopicToEnd(kafka, rawTopic('vhd', 'health-declaration'), (m) =>
      wanted.has(headerString(m.headers, HEADER.eventId)!),
    );
    const counts = new Map<string, number>();
    for (const { message } of onTopic) {
      const id = headerString(message.headers, HEADER.eventId)!;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    expect(acknowledged.length).toBeGreaterThan(0);
    expect(new Set(acknowledged).size).toBe(acknowledged.length);
    expect(acknowledged.filter((id) => counts.get(id) !== 1)).toEqual([]);
  }, 120_000);
});
