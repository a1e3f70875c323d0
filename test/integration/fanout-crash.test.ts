/**
 * The fan-out process killed with SIGKILL in the middle of delivering, then restarted: the webhook
 * receiver still gets every record (at least once) and the agency topic, read read_committed,
 * holds every record exactly once. Sequence numbers stay contiguous 1..N on both, and no number is
 * ever given to two events (a resend after the kill carries the number the event had before).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoReceiver, type DemoReceiver } from '../../services/demo/demo-receiver.ts';
import { readTopicToEnd } from '../../services/platform/topic-ends.ts';
import { HEADER, headerString } from '../../services/platform/record-headers.ts';
import { killAll, startConnectorProcess, type ConnectorProcess } from '../support/connector-process.ts';
import { declaration, eventually, startFanoutBench, type FanoutBench } from '../support/fanout.ts';

const AGENCY = `police-${randomUUID().slice(0, 8)}`;
const SECRET = `whsec_${Buffer.from('crash-test-secret-of-32-bytes!!!').toString('base64')}`;
const PEOPLE = Array.from({ length: 10 }, (_, i) => `${i}`.padStart(64, 'c'));

/** Every (event id, number) seen, resends included: one number per event, one event per number, 1..count without a hole. */
function expectNumbering(seen: readonly (readonly [string, number])[], count: number): void {
  const numberOf = new Map<string, Set<number>>();
  const eventOf = new Map<number, Set<string>>();
  for (const [id, seq] of seen) {
    numberOf.set(id, (numberOf.get(id) ?? new Set()).add(seq));
    eventOf.set(seq, (eventOf.get(seq) ?? new Set()).add(id));
  }
  expect([...numberOf.values()].filter((numbers) => numbers.size !== 1)).toEqual([]);
  expect([...eventOf.values()].filter((ids) => ids.size !== 1)).toEqual([]);
  expect([...eventOf.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
}

describe('fan-out crash', () => {
  let bench: FanoutBench;
  let receiver: DemoReceiver;

  beforeAll(async () => {
    bench = await startFanoutBench({ [AGENCY]: { kinds: 'all', provinces: 'all', tier: 'identified' } });
    receiver = await startDemoReceiver(SECRET);
  });

  afterAll(async () => {
    await killAll();
    await receiver?.close();
    await bench?.close();
  });

  const start = async (): Promise<ConnectorProcess> => {
    const child = startConnectorProcess({ ...bench.env, LOG_LEVEL: 'info' }, 'services/fanout/main.ts');
    await child.waitForLog((line) => line.msg === 'fan-out running', 60_000);
    return child;
  };

  it('loses nothing and duplicates nothing on the agency topic across a SIGKILL', async () => {
    const key = bench.agencyKeys[AGENCY]!;
    const webhook = await bench.call('POST', '/v1/subscriptions', key, {
      kinds: ['health-declaration'],
      tier: 'identified',
      delivery: { type: 'webhook', url: receiver.url, secret: SECRET, maxBatchSize: 5 },
    });
    const topic = await bench.call('POST', '/v1/subscriptions', key, { kinds: ['health-declaration'], tier: 'identified', delivery: { type: 'topic' } });
    expect([webhook.status, topic.status]).toEqual([201, 201]);

    // A receiver that takes its time, so the kill lands in the middle of delivering.
    receiver.setDelay(15);
    const first = Array.from({ length: 600 }, (_, i) => declaration({ occurred_at: Date.UTC(2021, 9, 1) + i * 1_000, person_key: PEOPLE[i % PEOPLE.length] }));
    const second = Array.from({ length: 200 }, (_, i) => declaration({ occurred_at: Date.UTC(2021, 9, 2) + i * 1_000, person_key: PEOPLE[i % PEOPLE.length] }));
    const expected = new Set([...first, ...second].map((record) => record.event_id as string));

    const child = await start();
    // Records keep coming while the process dies, so both deliveries are in the middle of their work.
    const producing = (async () => {
      for (let i = 0; i < first.length; i += 50) {
        await bench.produce('health-declaration', first.slice(i, i + 50));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    const unique = () => new Set(receiver.batches.flatMap((batch) => batch.events.map((event) => event.id)));
    await eventually(() => unique().size >= 150, () => `receiver has ${unique().size}`);
    child.child.kill('SIGKILL');
    await child.exited;
    const atKill = unique().size;
    expect(atKill).toBeLessThan(expected.size);
    await producing;

    await start();
    await bench.produce('health-declaration', second);
    await eventually(() => unique().size >= expected.size, () => `receiver has ${unique().size} of ${expected.size}`, 90_000);
    expect(unique()).toEqual(expected);
    expectNumbering(receiver.batches.flatMap((batch) => batch.events.map((event) => [event.id, event.seq] as const)), expected.size);

    const outTopic = `out.${AGENCY}.health-declaration`;
    let ids: string[] = [];
    await eventually(
      async () => {
        ids = (await readTopicToEnd(bench.kafka, outTopic)).map(({ message }) => headerString(message.headers, HEADER.eventId)!);
        return ids.length >= expected.size;
      },
      () => `agency topic has ${ids.length} of ${expected.size}`,
      90_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const records = await readTopicToEnd(bench.kafka, outTopic);
    ids = records.map(({ message }) => headerString(message.headers, HEADER.eventId)!);
    expect(ids.length).toBe(expected.size);
    expect(new Set(ids)).toEqual(expected);
    const onTopic = records.map(({ message }) => [headerString(message.headers, HEADER.eventId)!, Number(headerString(message.headers, HEADER.sequence))] as const);
    expectNumbering(onTopic, expected.size);

    // The events endpoint names the same event under each number as the topic does.
    const byNumber: [string, number][] = [];
    for (let next: string | null = `/v1/subscriptions/${topic.body.id}/events?since=1&until=${expected.size}`; next; ) {
      const page = await bench.call('GET', next, key);
      expect(page.status).toBe(200);
      expect(page.body.unavailable).toEqual([]);
      byNumber.push(...page.body.events.map((event: { id: string; seq: number }) => [event.id, event.seq] as [string, number]));
      next = page.body.next;
    }
    expect(byNumber.sort((a, b) => a[1] - b[1])).toEqual([...onTopic].sort((a, b) => a[1] - b[1]));
  }, 240_000);
});
