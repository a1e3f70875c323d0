/**
 * Webhook egress on the real stack: subscriptions written straight to the subscriptions topic
 * (bypassing the API) that point at internal addresses deliver nothing — an IP literal in any
 * spelling is refused when the fan-out loads the record, a host name resolving to loopback is
 * refused at connection time — and each one's status says why without naming an address, while
 * an allow-listed receiver in the same run gets every event. A subscription hijacked on the topic
 * while running stops, and so does one overwritten with a record that is no subscription at all;
 * one filtering on a field its delivered tier hides is refused too. Only
 * loopback addresses are targets: 127.0.0.1 is allow-listed, 127.0.0.2 is not.
 */
import { randomUUID } from 'node:crypto';
import net, { type AddressInfo } from 'node:net';
import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoReceiver, type DemoReceiver } from '../../services/demo/demo-receiver.ts';
import { NOT_ALLOWED_DESTINATION } from '../../services/platform/webhook-target.ts';
import { declaration, eventually, startFanoutRig, type FanoutBench, type FanoutRig } from '../support/fanout.ts';

const AGENCY = `egress-${randomUUID().slice(0, 8)}`;
const PSEUDONYMOUS = `egress-p-${randomUUID().slice(0, 8)}`;
const SECRET = `whsec_${Buffer.from('egress-test-secret-of-32-bytes!!').toString('base64')}`;
const T0 = Date.UTC(2021, 9, 1);
const COUNT = 12;

describe('webhook egress guard', () => {
  let rig: FanoutRig | undefined;
  let bench: FanoutBench;
  let allowed: DemoReceiver;
  let untouched: DemoReceiver;
  let blocked: DemoReceiver | undefined;
  let trap: net.Server | undefined;
  let trapConnections = 0;
  let producer: Producer | undefined;
  const stored: Record<'literal' | 'hex' | 'mapped' | 'hostname' | 'identifying' | 'aboveTier', string> = { literal: '', hex: '', mapped: '', hostname: '', identifying: '', aboveTier: '' };
  let allowedId = '';
  let hijackedId = '';
  let garbledId = '';

  const status = async (id: string) => (await bench.call('GET', `/v1/subscriptions/${id}/status`, bench.operatorKey)).body.status;

  /** A subscription record as the API would store it, written to the topic directly. */
  async function writeStored(id: string, url: string, overrides: Record<string, unknown> = {}): Promise<void> {
    const now = Date.now();
    const record = {
      id,
      agency: AGENCY,
      kinds: ['health-declaration'],
      filter: { provinces: null, where: [] },
      tier: 'identified',
      delivery: { type: 'webhook', url, secret: SECRET, maxBatchSize: 100 },
      state: 'active',
      startFrom: now - 1_000,
      generation: 0,
      createdAt: now,
      updatedAt: now,
      ...overrides,
    };
    await producer!.send({ topic: bench.config.fanout.subscriptionsTopic, acks: -1, messages: [{ key: id, value: JSON.stringify(record) }] });
  }

  beforeAll(async () => {
    rig = await startFanoutRig({
      [AGENCY]: { kinds: 'all', provinces: 'all', tier: 'identified' },
      [PSEUDONYMOUS]: { kinds: 'all', provinces: 'all', tier: 'pseudonymous' },
    }, [SECRET, SECRET]);
    bench = rig.bench;
    [allowed, untouched] = rig.receivers as [DemoReceiver, DemoReceiver];
    blocked = await startDemoReceiver(SECRET, 0, { host: '127.0.0.2' });
    trap = net.createServer((socket) => {
      trapConnections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => trap!.listen(0, '127.0.0.1', resolve));
    const trapPort = (trap.address() as AddressInfo).port;
    producer = bench.kafka.producer({ idempotent: true });
    await producer.connect();

    const key = bench.agencyKeys[AGENCY]!;
    const subscribe = async (url: string) => {
      const answer = await bench.call('POST', '/v1/subscriptions', key, { kinds: ['health-declaration'], tier: 'identified', delivery: { type: 'webhook', url, secret: SECRET, maxBatchSize: 100 } });
      expect(answer.status, JSON.stringify(answer.body)).toBe(201);
      return answer.body.id as string;
    };
    allowedId = await subscribe(allowed.url);
    // Made through the API to an allowed receiver, running, then rewritten on the topic to point inside.
    hijackedId = await subscribe(untouched.url);
    await eventually(async () => (await status(hijackedId))?.state === 'delivering', () => 'the subscription to hijack never started');
    await writeStored(hijackedId, `http://127.0.0.2:${blocked.port}/webhook`);
    // Overwritten with a record that is not a subscription at all: the older, valid value must not stay in force.
    garbledId = await subscribe(untouched.url);
    await eventually(async () => (await status(garbledId))?.state === 'delivering', () => 'the subscription to garble never started');
    await producer.send({ topic: bench.config.fanout.subscriptionsTopic, acks: -1, messages: [{ key: garbledId, value: JSON.stringify({ id: garbledId, agency: AGENCY, delivery: 'x' }) }] });

    for (const name of Object.keys(stored) as (keyof typeof stored)[]) stored[name] = randomUUID();
    await writeStored(stored.literal, `http://127.0.0.2:${blocked.port}/webhook`);
    await writeStored(stored.hex, `https://0x7f000002:${blocked.port}/webhook`);
    await writeStored(stored.mapped, `https://[::ffff:127.0.0.2]:${blocked.port}/webhook`);
    // Passes every check of the URL alone: only the connection guard stands between it and loopback.
    await writeStored(stored.hostname, `https://localhost:${trapPort}/webhook`);
    // An allowed receiver, but a filter on a field its tier hides: refused as the API would refuse it.
    await writeStored(stored.identifying, untouched.url, { tier: 'pseudonymous', filter: { provinces: null, where: [{ field: 'person.phone', op: 'not empty' }] } });
    // The same filter claiming a tier above its agency's: delivered pseudonymous, so refused alike.
    await writeStored(stored.aboveTier, untouched.url, { agency: PSEUDONYMOUS, filter: { provinces: null, where: [{ field: 'person.phone', op: 'not empty' }] } });
  });

  afterAll(async () => {
    await producer?.disconnect();
    await rig?.close();
    await blocked?.close();
    if (trap) await new Promise((resolve) => trap!.close(resolve));
  });

  it('delivers nothing to internal addresses, says why without naming them, and still delivers to the allow-listed receiver', async () => {
    for (const id of [hijackedId, stored.literal, stored.hex, stored.mapped, stored.identifying, stored.aboveTier]) {
      await eventually(async () => /stored subscription is invalid/.test((await status(id))?.lastError?.message ?? ''), () => `subscription ${id} was not refused`);
    }
    await eventually(async () => (await bench.call('GET', `/v1/subscriptions/${garbledId}`, bench.operatorKey)).status === 404, () => 'the garbled subscription is still listed');
    const records = Array.from({ length: COUNT }, (_, i) => declaration({ occurred_at: T0 + i * 60_000, person_key: String(i % 4).repeat(64) }));
    await bench.produce('health-declaration', records);

    await eventually(() => allowed.counts().uniqueEvents === COUNT, () => `allowed receiver got ${allowed.counts().uniqueEvents} of ${COUNT}`);
    await eventually(async () => (await status(stored.hostname))?.deadLetters === COUNT, () => 'the localhost subscription did not dead-letter its records');

    const hostname = await status(stored.hostname);
    expect(hostname).toMatchObject({ state: 'failing', delivered: 0 });
    expect(hostname.lastError.message).toBe(NOT_ALLOWED_DESTINATION);
    expect(trapConnections).toBe(0);

    for (const [id, field] of [[hijackedId, 'delivery.url'], [stored.literal, 'delivery.url'], [stored.hex, 'delivery.url'], [stored.mapped, 'delivery.url'], [stored.identifying, 'filter.where[0].field'], [stored.aboveTier, 'filter.where[0].field']] as const) {
      const refused = await status(id);
      expect(refused, id).toMatchObject({ state: 'failing', delivered: 0 });
      expect(refused.lastError.message, id).toContain(`not delivered: the stored subscription is invalid (${field}: `);
      expect(refused.lastError.message, id).not.toMatch(/127\.0\.0\.|::ffff|localhost/);
    }
    // The records were there for every subscription; the allowed one got them, the others nothing.
    expect(blocked!.counts().requests).toBe(0);
    expect(untouched.counts().requests).toBe(0);
    expect((await status(allowedId))).toMatchObject({ delivered: COUNT, deadLetters: 0 });
  });
});
