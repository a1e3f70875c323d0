/**
 * Gap detection and refill on the real stack: a receiver that answers 200 but loses some batches
 * finds the holes from the events' sequence numbers (and the heartbeat's last number) and refills
 * them through GET /v1/subscriptions/{id}/events, ending with every event once under contiguous
 * numbers; an idle subscription gets signed heartbeats; the events endpoint answers only the
 * subscription's own agency (or an operator) and refuses malformed or oversize ranges.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoReceiver, type DemoReceiver } from '../../services/demo/demo-receiver.ts';
import { startFanout, type RunningFanout } from '../../services/fanout/fanout.ts';
import { createLogger } from '../../services/platform/logger.ts';
import { declaration, eventually, startFanoutBench, type FanoutBench } from '../support/fanout.ts';
import { startGapReceiver, type GapReceiver } from '../support/gap-receiver.ts';

const A = `sq-${randomUUID().slice(0, 8)}`;
const B = `other-${randomUUID().slice(0, 8)}`;
const SECRET = `whsec_${Buffer.from('sequence-test-secret-of-32-bytes').toString('base64')}`;
const PEOPLE = Array.from({ length: 12 }, (_, i) => `${i}`.padStart(64, 'd'));
const COUNT = 60;
const PAGE_SIZE = 7;
const MAX_RANGE = 1_000;

describe('sequence numbers, heartbeats and refill', () => {
  let bench: FanoutBench;
  let fanout: RunningFanout | undefined;
  let gapReceiver: GapReceiver;
  let idleReceiver: DemoReceiver;
  let subscriptionId = '';

  beforeAll(async () => {
    bench = await startFanoutBench(
      { [A]: { kinds: 'all', provinces: 'all', tier: 'pseudonymous' }, [B]: { kinds: 'all', provinces: 'all', tier: 'pseudonymous' } },
      { FANOUT_EVENTS_PAGE_SIZE: String(PAGE_SIZE), FANOUT_EVENTS_MAX_RANGE: String(MAX_RANGE) },
    );
    // Batches 1, 4 and 5 are answered 200 and lost.
    gapReceiver = await startGapReceiver(SECRET, (batch) => [1, 4, 5].includes(batch));
    idleReceiver = await startDemoReceiver(SECRET);
    fanout = await startFanout({ config: bench.config, logger: createLogger('test-fanout', 'silent') });
  });

  afterAll(async () => {
    await fanout?.close();
    await gapReceiver?.close();
    await idleReceiver?.close();
    await bench?.close();
  });

  it('lets a receiver that lost batches find the holes from seq and refill them through the events endpoint', async () => {
    const created = await bench.call('POST', '/v1/subscriptions', bench.agencyKeys[A]!, {
      kinds: ['health-declaration'],
      delivery: { type: 'webhook', url: gapReceiver.url, secret: SECRET, maxBatchSize: 5, heartbeatSeconds: 1 },
    });
    expect(created.status).toBe(201);
    expect(created.body.delivery.heartbeatSeconds).toBe(1);
    subscriptionId = created.body.id;

    const records = Array.from({ length: COUNT }, (_, i) => declaration({ person_key: PEOPLE[i % PEOPLE.length] }));
    await bench.produce('health-declaration', records);
    // Once everything was sent the subscription is idle, and its heartbeat names the last number.
    await eventually(() => gapReceiver.heartbeats.includes(COUNT), () => `heartbeats ${JSON.stringify(gapReceiver.heartbeats.slice(-5))}, highest ${gapReceiver.highest()}`);
    expect(gapReceiver.lost).toBe(3);
    const holes = gapReceiver.holes();
    expect(holes.length).toBeGreaterThan(0);
    expect(gapReceiver.events.size).toBe(COUNT - holes.length);
    // Kept before the refill: what the webhook delivered, to compare with what the endpoint returns.
    const delivered = new Map(gapReceiver.events);

    const refill = await gapReceiver.refill(bench.api.url, subscriptionId, bench.agencyKeys[A]!);
    expect(refill.unavailable).toEqual([]);
    // Holes of more than PAGE_SIZE numbers take more than one page.
    expect(refill.requests).toBeGreaterThanOrEqual(Math.ceil(holes.length / PAGE_SIZE));
    expect(gapReceiver.holes()).toEqual([]);
    expect([...gapReceiver.events.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: COUNT }, (_, i) => i + 1));
    expect(gapReceiver.ids).toEqual(new Set(records.map((record) => record.event_id as string)));

    // The endpoint shows an event exactly as the webhook did (same projection), under the same number.
    const again = await bench.call('GET', `/v1/subscriptions/${subscriptionId}/events?since=1&until=${PAGE_SIZE}`, bench.agencyKeys[A]!);
    expect(again.status).toBe(200);
    expect(again.body.lastSequence).toBe(COUNT);
    expect(again.body.next).toBeNull();
    for (const event of again.body.events) {
      if (delivered.has(event.seq)) expect(event).toEqual(delivered.get(event.seq));
    }
    expect(again.body.events.map((event: { seq: number }) => event.seq)).toEqual(Array.from({ length: PAGE_SIZE }, (_, i) => i + 1));
    // Pseudonymous: the name never comes back, whichever way.
    expect(again.body.events.map((event: { data: { person: { full_name: unknown } } }) => event.data.person.full_name ?? null)).toEqual(Array(PAGE_SIZE).fill(null));

    await eventually(async () => {
      const status = (await bench.call('GET', `/v1/subscriptions/${subscriptionId}/status`, bench.agencyKeys[A]!)).body.status;
      return status?.lastSequence === COUNT && status?.eventsSinceStart === COUNT;
    }, () => 'status does not show the numbering');
  });

  it('pages with a next link until the range is covered, and lists numbers not given yet nowhere', async () => {
    const pages: { since: number; until: number; next: string | null }[] = [];
    let next: string | null = `/v1/subscriptions/${subscriptionId}/events?since=50&until=500`;
    const seqs: number[] = [];
    while (next) {
      const answer = await bench.call('GET', next, bench.agencyKeys[A]!);
      expect(answer.status).toBe(200);
      pages.push(answer.body);
      seqs.push(...answer.body.events.map((event: { seq: number }) => event.seq));
      next = answer.body.next;
    }
    expect(seqs).toEqual(Array.from({ length: COUNT - 49 }, (_, i) => i + 50));
    expect(pages.map((page) => [page.since, page.until])).toEqual([[50, 56], [57, 60]]);
    // Beyond the last number: nothing, and no next page.
    const beyond = await bench.call('GET', `/v1/subscriptions/${subscriptionId}/events?since=${COUNT + 1}`, bench.agencyKeys[A]!);
    expect(beyond.body).toMatchObject({ events: [], unavailable: [], next: null, lastSequence: COUNT });
  });

  it('sends signed heartbeats with the last number to an idle subscription', async () => {
    const before = Date.now();
    const created = await bench.call('POST', '/v1/subscriptions', bench.agencyKeys[A]!, {
      kinds: ['checkpoint-passage'],
      delivery: { type: 'webhook', url: idleReceiver.url, secret: SECRET, heartbeatSeconds: 1 },
    });
    expect(created.status).toBe(201);
    // The demo receiver keeps only requests whose signature it verified.
    await eventually(() => idleReceiver.heartbeats.length >= 3, () => `${idleReceiver.heartbeats.length} heartbeats`);
    expect(idleReceiver.heartbeats.every((heartbeat) => heartbeat.seq === 0)).toBe(true);
    // One a second at most: the n-th was sent at least n - 1 seconds after the first, itself sent after the subscription was created.
    const received = idleReceiver.heartbeats.map((heartbeat) => heartbeat.receivedAt);
    expect(received[received.length - 1]! - before).toBeGreaterThanOrEqual((received.length - 1) * 1_000);
    expect(idleReceiver.counts().badSignatures).toBe(0);
    expect(idleReceiver.batches).toEqual([]);
  });

  it('answers the events endpoint only to the agency (or an operator), and refuses bad ranges', async () => {
    const route = `/v1/subscriptions/${subscriptionId}/events?since=1&until=3`;
    const none = await bench.call('GET', route, null);
    expect(none.status).toBe(401);
    const wrongKey = await bench.call('GET', route, 'truc_not-a-key');
    expect(wrongKey.status).toBe(401);
    // Another agency: the same answer as a subscription that does not exist.
    const other = await bench.call('GET', route, bench.agencyKeys[B]!);
    const missingId = randomUUID();
    const missing = await bench.call('GET', `/v1/subscriptions/${missingId}/events?since=1&until=3`, bench.agencyKeys[B]!);
    expect(other.status).toBe(404);
    expect(JSON.stringify(other.body).replace(subscriptionId, 'ID')).toBe(JSON.stringify(missing.body).replace(missingId, 'ID'));
    const operator = await bench.call('GET', route, bench.operatorKey);
    expect(operator.status).toBe(200);
    expect(operator.body.events.map((event: { seq: number }) => event.seq)).toEqual([1, 2, 3]);

    const bad = async (query: string) => (await bench.call('GET', `/v1/subscriptions/${subscriptionId}/events${query}`, bench.agencyKeys[A]!));
    for (const query of ['', '?until=5', '?since=abc', '?since=0', '?since=-1', '?since=1.5', '?since=1e3', '?since=9999999999999999', '?since=5&until=4', '?since=1&until=x', `?since=1&until=${MAX_RANGE + 1}`]) {
      const answer = await bad(query);
      expect({ query, status: answer.status, code: answer.body.error.code }).toEqual({ query, status: 400, code: 'invalid_range' });
    }
    expect((await bad(`?since=1&until=${MAX_RANGE + 1}`)).body.error.message).toMatch(/at most 1000/);
  });

  it('lists numbers the subscription no longer covers as withheld instead of skipping them', async () => {
    // The declarations are of province 79: narrowed to 01, the subscription no longer covers them.
    const narrowed = await bench.call('PATCH', `/v1/subscriptions/${subscriptionId}`, bench.agencyKeys[A]!, { filter: { provinces: ['01'] } });
    expect(narrowed.status).toBe(200);
    const answer = await bench.call('GET', `/v1/subscriptions/${subscriptionId}/events?since=1&until=3`, bench.agencyKeys[A]!);
    expect(answer.status).toBe(200);
    expect(answer.body.events).toEqual([]);
    expect(answer.body.unavailable).toEqual([1, 2, 3].map((seq) => ({ seq, reason: 'withheld' })));
  });
});
