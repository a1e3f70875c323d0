/**
 * Subscriber fan-out end to end on the real stack: two agencies with different entitlements get,
 * by webhook and on their own topics, exactly what their filters select, masked to their tier;
 * webhooks are signed (checked here with a plain HMAC), redeliveries keep their webhook-id; the
 * subscriptions API keeps agencies to their own subscriptions and entitlement.
 */
import { createHmac } from 'node:crypto';
import { randomUUID } from 'node:crypto';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoReceiver } from '../../services/demo/demo-receiver.ts';
import { registryClientCredentials } from '../../services/platform/registry-credentials.ts';
import { readTopicToEnd } from '../../services/platform/topic-ends.ts';
import { subscriptionDlqTopic, topicRetention } from '../../services/platform/topics.ts';
import { declaration, eventually, passage, startFanoutRig, type FanoutBench, type FanoutRig } from '../support/fanout.ts';

const A = `hn-${randomUUID().slice(0, 8)}`;
const B = `moh-${randomUUID().slice(0, 8)}`;
const SECRET_A = `whsec_${Buffer.from('a-secret-of-at-least-24-bytes!!').toString('base64')}`;
const SECRET_B = `whsec_${Buffer.from('b-secret-of-at-least-24-bytes!!').toString('base64')}`;
const PEOPLE = Array.from({ length: 6 }, (_, i) => String(i).repeat(64));
const T0 = Date.UTC(2021, 7, 1);
const DAY = 86_400_000;

/** The test's own Standard Webhooks check (not the service's code). */
function signatureValid(secret: string, headers: Record<string, string>, body: string): boolean {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`${headers['webhook-id']}.${headers['webhook-timestamp']}.${body}`).digest('base64');
  return headers['webhook-signature']!.split(' ').includes(`v1,${expected}`);
}

async function readAgencyTopic(bench: FanoutBench, topic: string): Promise<Record<string, any>[]> {
  // Any Confluent-compatible deserializer reads the agency topic: here the registry client's own,
  // with registry credentials as an agency would be given.
  const registry = new SchemaRegistry({ host: bench.config.schemaRegistry.url, auth: registryClientCredentials(bench.config.schemaRegistry) ?? undefined });
  const messages = await readTopicToEnd(bench.kafka, topic);
  return Promise.all(messages.map(({ message }) => registry.decode(message.value!) as Promise<Record<string, any>>));
}

describe('subscriber fan-out', () => {
  let rig: FanoutRig | undefined;
  let bench: FanoutBench;
  let receiverA: DemoReceiver;
  let receiverB: DemoReceiver;

  beforeAll(async () => {
    rig = await startFanoutRig({
      [A]: { kinds: ['health-declaration', 'checkpoint-passage'], provinces: ['01'], tier: 'pseudonymous' },
      [B]: { kinds: ['health-declaration'], provinces: 'all', tier: 'identified' },
    }, [SECRET_A, SECRET_B], { FANOUT_RETRY_SCHEDULE: '200ms,400ms,800ms,1600ms,3200ms', RETENTION_AGENCY_TOPICS_CHECKPOINT_PASSAGE: '3d' });
    bench = rig.bench;
    [receiverA, receiverB] = rig.receivers as [DemoReceiver, DemoReceiver];
  });

  afterAll(async () => {
    await rig?.close();
  });

  it('delivers to each agency exactly what its filters and entitlement select, masked to its tier, signed', async () => {
    const keyA = bench.agencyKeys[A]!;
    const keyB = bench.agencyKeys[B]!;
    const created = await Promise.all([
      bench.call('POST', '/v1/subscriptions', keyA, {
        kinds: ['health-declaration'],
        tier: 'pseudonymous',
        delivery: { type: 'webhook', url: receiverA.url, secret: SECRET_A, maxBatchSize: 4 },
      }),
      bench.call('POST', '/v1/subscriptions', keyA, {
        kinds: ['checkpoint-passage'],
        filter: { where: [{ field: 'outcome', op: '!=', value: 'ALLOWED' }] },
        delivery: { type: 'topic' },
      }),
      // An operator may ask wider than B's entitlement (passages, which B may not see): delivery narrows it.
      bench.call('POST', '/v1/subscriptions', bench.operatorKey, {
        agency: B,
        kinds: ['health-declaration', 'checkpoint-passage'],
        tier: 'identified',
        filter: { provinces: ['01', '79'] },
        delivery: { type: 'webhook', url: receiverB.url, secret: SECRET_B, maxBatchSize: 1 },
      }),
      bench.call('POST', '/v1/subscriptions', keyB, {
        kinds: ['health-declaration'],
        tier: 'identified',
        filter: { where: [{ field: 'symptoms', op: 'not empty' }] },
        delivery: { type: 'topic' },
      }),
    ]);
    for (const answer of created) expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    const [webhookA] = created.map((answer) => answer.body.id as string);

    // The receiver of A fails at first: its batches are redelivered.
    receiverA.setMode('error');
    const declarations = Array.from({ length: 36 }, (_, i) =>
      declaration({
        occurred_at: T0 + i * 60_000,
        province_code: ['01', '79', '48'][i % 3],
        person_key: PEOPLE[i % 6],
        symptoms: i % 2 === 0 ? ['FEVER'] : [],
      }),
    );
    const passages = Array.from({ length: 24 }, (_, i) =>
      passage({
        occurred_at: T0 + i * 60_000,
        passed_at: T0 + i * 60_000,
        province_code: ['01', '79'][i % 2],
        person_key: PEOPLE[i % 6],
        outcome: ['ALLOWED', 'TURNED_BACK', 'SENT_TO_TESTING'][i % 3],
      }),
    );
    await bench.produce('health-declaration', declarations);
    await bench.produce('checkpoint-passage', passages);
    await eventually(() => receiverA.requests.length >= 3, () => `receiver A got ${receiverA.requests.length} requests`);
    receiverA.setMode('ok');

    const ids = (records: Record<string, unknown>[]) => new Set(records.map((r) => r.event_id as string));
    const expectedWebhookA = ids(declarations.filter((d) => d.province_code === '01'));
    const expectedTopicA = ids(passages.filter((p) => p.province_code === '01' && p.outcome !== 'ALLOWED'));
    const expectedWebhookB = ids(declarations.filter((d) => d.province_code === '01' || d.province_code === '79'));
    const expectedTopicB = ids(declarations.filter((d) => (d.symptoms as string[]).length > 0));

    const received = (receiver: DemoReceiver) => new Set(receiver.batches.flatMap((batch) => batch.events.map((event) => event.id)));
    await eventually(
      () => received(receiverA).size >= expectedWebhookA.size && received(receiverB).size >= expectedWebhookB.size,
      () => `A ${received(receiverA).size}/${expectedWebhookA.size}, B ${received(receiverB).size}/${expectedWebhookB.size}`,
    );
    let topicA: Record<string, any>[] = [];
    let topicB: Record<string, any>[] = [];
    await eventually(
      async () => {
        topicA = await readAgencyTopic(bench, `out.${A}.checkpoint-passage`);
        topicB = await readAgencyTopic(bench, `out.${B}.health-declaration`);
        return topicA.length >= expectedTopicA.size && topicB.length >= expectedTopicB.size;
      },
      () => `topic A ${topicA.length}/${expectedTopicA.size}, topic B ${topicB.length}/${expectedTopicB.size}`,
    );
    // Let anything that should not arrive have the chance to.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    topicA = await readAgencyTopic(bench, `out.${A}.checkpoint-passage`);
    topicB = await readAgencyTopic(bench, `out.${B}.health-declaration`);

    // Agency topics and a webhook's dead letters are kept as configured (RETENTION_AGENCY_TOPICS_CHECKPOINT_PASSAGE=3d here).
    const admin = bench.kafka.admin();
    await admin.connect();
    try {
      const retention = await topicRetention(admin, [`out.${A}.checkpoint-passage`, `out.${B}.health-declaration`, subscriptionDlqTopic(webhookA!)]);
      expect(Object.fromEntries(retention)).toEqual({
        [`out.${A}.checkpoint-passage`]: 3 * DAY,
        [`out.${B}.health-declaration`]: 7 * DAY,
        [subscriptionDlqTopic(webhookA!)]: 14 * DAY,
      });
    } finally {
      await admin.disconnect();
    }

    // Exactly the selected records: nothing outside the provinces, kinds or predicates.
    expect(received(receiverA)).toEqual(expectedWebhookA);
    expect(received(receiverB)).toEqual(expectedWebhookB);
    expect(topicA.map((r) => r.event_id).sort()).toEqual([...expectedTopicA].sort());
    expect(topicB.map((r) => r.event_id).sort()).toEqual([...expectedTopicB].sort());

    // Pseudonymous: no name, document, phone or address line; person_key kept.
    for (const event of receiverA.batches.flatMap((batch) => batch.events)) {
      const data = event.data as Record<string, any>;
      expect(data.province_code).toBe('01');
      expect(event.kind).toBe('health-declaration');
      expect(data.person_key).toMatch(/^[0-9]{64}$/);
      expect(Object.keys(data.person).sort()).toEqual(['birth_year', 'gender', 'nationality']);
      expect(data.address).not.toHaveProperty('line');
    }
    for (const record of topicA) {
      expect(record).not.toHaveProperty('document');
      expect(record.person_key).toMatch(/^[0-9]{64}$/);
    }
    // Identified: the identifying fields travel.
    for (const event of receiverB.batches.flatMap((batch) => batch.events)) {
      expect((event.data as Record<string, any>).person.full_name).toBe('Nguyễn Thị Thu Hà');
      expect(event.kind).toBe('health-declaration');
    }
    expect(topicB.every((record) => record.person.document.number === '079190012345')).toBe(true);

    // Signatures verify; every attempt of one webhook-id carried the same events; A's batches were redelivered.
    for (const [receiver, secret] of [[receiverA, SECRET_A], [receiverB, SECRET_B]] as const) {
      expect(receiver.counts().badSignatures).toBe(0);
      const eventsById = new Map<string, string>();
      for (const request of receiver.requests) {
        expect(signatureValid(secret, request.headers, request.body)).toBe(true);
        const events = JSON.stringify((JSON.parse(request.body) as { events: { id: string }[] }).events.map((event) => event.id));
        const id = request.headers['webhook-id']!;
        expect(eventsById.get(id) ?? events).toBe(events);
        eventsById.set(id, events);
      }
    }
    const attemptsA = receiverA.requests.filter((request) => request.answered === 500).map((request) => request.headers['webhook-id']);
    expect(attemptsA.length).toBeGreaterThanOrEqual(3);
    for (const id of attemptsA) expect(receiverA.batches.some((batch) => batch.webhookId === id)).toBe(true);
    // A batch of one event is sent under the event's id.
    for (const batch of receiverB.batches) expect(batch.webhookId).toBe(batch.events[0]!.id);

    // Order per key: each person's declarations reached A in the order they were written.
    const firstSeen = receiverA.batches.flatMap((batch) => batch.events).filter((event, i, all) => all.findIndex((e) => e.id === event.id) === i);
    for (const person of PEOPLE) {
      const times = firstSeen.filter((event) => event.key === person).map((event) => Date.parse(event.time));
      expect(times).toEqual([...times].sort((a, b) => a - b));
    }

    // Delivery status through the API.
    await eventually(async () => (await bench.call('GET', `/v1/subscriptions/${webhookA}/status`, keyA)).body?.status?.delivered >= expectedWebhookA.size, () => 'status of A');
    const status = (await bench.call('GET', `/v1/subscriptions/${webhookA}/status`, keyA)).body.status;
    expect(status).toMatchObject({ subscription: webhookA, state: 'delivering', deadLetters: 0 });
    expect(status.retries).toBeGreaterThanOrEqual(3);
    expect(status.lastSuccessAt).not.toBeNull();
  });

  it('keeps agencies to their own subscriptions and entitlement, and names the field of a malformed one', async () => {
    const keyA = bench.agencyKeys[A]!;
    const keyB = bench.agencyKeys[B]!;
    const own = await bench.call('POST', '/v1/subscriptions', keyB, { kinds: ['health-declaration'], tier: 'identified', delivery: { type: 'webhook', url: receiverB.url, maxBatchSize: 10 } });
    expect(own.status).toBe(201);
    // Truc made the secret and shows it this once; afterwards it is never echoed.
    expect(own.body.delivery.secret).toMatch(/^whsec_/);
    const id = own.body.id as string;
    expect((await bench.call('GET', `/v1/subscriptions/${id}`, keyB)).body.delivery.secret).toBe('(set)');

    for (const [method, route, body] of [
      ['GET', `/v1/subscriptions/${id}`, undefined],
      ['GET', `/v1/subscriptions/${id}/status`, undefined],
      ['PATCH', `/v1/subscriptions/${id}`, { kinds: ['health-declaration'] }],
      ['POST', `/v1/subscriptions/${id}/pause`, {}],
      ['POST', `/v1/subscriptions/${id}/reset`, { from: 0 }],
      ['DELETE', `/v1/subscriptions/${id}`, undefined],
    ] as const) {
      // Another agency's subscription is answered like a missing one (404), so ids cannot be probed.
      const answer = await bench.call(method, route, keyA, body);
      expect(answer.status, `${method} ${route}`).toBe(404);
      expect(answer.body.error.code).toBe('unknown_subscription');
    }
    const listA = await bench.call('GET', '/v1/subscriptions', keyA);
    expect(listA.body.subscriptions.every((s: { agency: string }) => s.agency === A)).toBe(true);
    expect((await bench.call('GET', '/v1/subscriptions', bench.operatorKey)).body.subscriptions.some((s: { id: string }) => s.id === id)).toBe(true);

    const webhook = { type: 'webhook', url: receiverA.url, secret: SECRET_A };
    const forbidden: [unknown, string][] = [
      [{ kinds: ['health-declaration'], tier: 'identified', delivery: webhook }, 'tier'],
      [{ kinds: ['movement-declaration'], delivery: webhook }, 'kinds[0]'],
      [{ kinds: ['health-declaration'], filter: { provinces: ['79'] }, delivery: webhook }, 'filter.provinces[0]'],
      [{ agency: B, kinds: ['health-declaration'], delivery: webhook }, 'agency'],
      [{ kinds: ['health-declaration'], filter: { where: [{ field: 'person.phone', op: 'not empty' }] }, delivery: webhook }, 'filter.where[0].field'],
    ];
    for (const [body, field] of forbidden) {
      const answer = await bench.call('POST', '/v1/subscriptions', keyA, body);
      expect(answer.status, field).toBe(403);
      expect(answer.body.error.details.problems.map((p: { path: string }) => p.path)).toContain(field);
    }
    // Raising one's own subscription's tier is refused too.
    const pseudo = await bench.call('POST', '/v1/subscriptions', keyA, { kinds: ['health-declaration'], delivery: webhook });
    expect((await bench.call('PATCH', `/v1/subscriptions/${pseudo.body.id}`, keyA, { tier: 'identified' })).status).toBe(403);

    const malformed: [unknown, string][] = [
      [{ kinds: ['nope'], delivery: webhook }, 'kinds[0]'],
      [{ kinds: [], delivery: webhook }, 'kinds'],
      [{ kinds: ['health-declaration'], tier: 'secret', delivery: webhook }, 'tier'],
      [{ kinds: ['health-declaration'], filter: { where: [{ field: 'outcome', op: '!=', value: 'ALLOWED' }] }, delivery: webhook }, 'filter.where[0].field'],
      [{ kinds: ['health-declaration'], filter: { where: [{ field: 'declaration_type', op: '=', value: 'HOLIDAY' }] }, delivery: webhook }, 'filter.where[0].value'],
      [{ kinds: ['health-declaration'], filter: { where: [{ field: 'symptoms', op: 'like' }] }, delivery: webhook }, 'filter.where[0].op'],
      [{ kinds: ['health-declaration'], filter: { provinces: ['99'] }, delivery: webhook }, 'filter.provinces[0]'],
      [{ kinds: ['health-declaration'] }, 'delivery'],
      [{ kinds: ['health-declaration'], delivery: { type: 'email' } }, 'delivery.type'],
      [{ kinds: ['health-declaration'], delivery: { ...webhook, url: 'http://example.com/hook' } }, 'delivery.url'],
      [{ kinds: ['health-declaration'], delivery: { ...webhook, url: 'https://10.1.2.3/hook' } }, 'delivery.url'],
      [{ kinds: ['health-declaration'], delivery: { ...webhook, url: 'https://[::1]/hook' } }, 'delivery.url'],
      [{ kinds: ['health-declaration'], delivery: { ...webhook, secret: 'short' } }, 'delivery.secret'],
      [{ kinds: ['health-declaration'], delivery: { ...webhook, maxBatchSize: 0 } }, 'delivery.maxBatchSize'],
    ];
    for (const [body, field] of malformed) {
      const answer = await bench.call('POST', '/v1/subscriptions', keyA, body);
      expect(answer.status, field).toBe(422);
      expect(answer.body.error.code).toBe('invalid_subscription');
      expect(answer.body.error.details.problems.map((p: { path: string }) => p.path), JSON.stringify(answer.body)).toContain(field);
      expect(answer.body.error.message).toContain(field);
    }

    expect((await bench.call('GET', '/v1/subscriptions', null)).status).toBe(401);
    expect((await bench.call('DELETE', `/v1/subscriptions/${id}`, keyB)).status).toBe(204);
    expect((await bench.call('GET', `/v1/subscriptions/${id}`, keyB)).status).toBe(404);
  });
});
