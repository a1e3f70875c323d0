/**
 * Webhook failures: a receiver that is down (connection refused), then answers 500, then answers
 * too late, gets everything in order per key once it recovers, while another subscription on the
 * same records is delivered meanwhile; a receiver that never recovers ends in the dead-letter topic.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoReceiver, type DemoReceiver } from '../../services/demo/demo-receiver.ts';
import { HEADER, headerString } from '../../services/platform/record-headers.ts';
import { readTopicToEnd } from '../../services/platform/topic-ends.ts';
import { declaration, eventually, startFanoutRig, type FanoutBench, type FanoutRig } from '../support/fanout.ts';
import { freePort } from '../support/ports.ts';

const AGENCY = `cdc-${randomUUID().slice(0, 8)}`;
const SECRET = `whsec_${Buffer.from('failure-test-secret-of-32-bytes!').toString('base64')}`;
const PEOPLE = Array.from({ length: 5 }, (_, i) => String(i + 1).repeat(64));
const T0 = Date.UTC(2021, 8, 1);

describe('webhook delivery failures', () => {
  let rig: FanoutRig | undefined;
  let bench: FanoutBench;
  let healthy: DemoReceiver;
  let flaky: DemoReceiver | null = null;
  let flakyPort: number;
  let deadPort: number;
  const ids: Record<'flaky' | 'healthy' | 'dead', string> = { flaky: '', healthy: '', dead: '' };
  const records = Array.from({ length: 30 }, (_, i) =>
    declaration({ occurred_at: T0 + i * 60_000, province_code: '01', person_key: PEOPLE[i % PEOPLE.length] }),
  );

  beforeAll(async () => {
    // About 16 s of retries per batch: longer than the outage below, short enough to see a dead receiver give up.
    rig = await startFanoutRig(
      { [AGENCY]: { kinds: 'all', provinces: 'all', tier: 'identified' } },
      [SECRET],
      { FANOUT_RETRY_SCHEDULE: `100ms,200ms,400ms,${Array(15).fill('1s').join(',')}`, FANOUT_WEBHOOK_TIMEOUT_MS: '300' },
    );
    bench = rig.bench;
    healthy = rig.receivers[0]!;
    [flakyPort, deadPort] = await Promise.all([freePort(), freePort()]);
    const key = bench.agencyKeys[AGENCY]!;
    const subscribe = async (port: number) => {
      const answer = await bench.call('POST', '/v1/subscriptions', key, {
        kinds: ['health-declaration'],
        tier: 'identified',
        delivery: { type: 'webhook', url: `http://127.0.0.1:${port}/webhook`, secret: SECRET, maxBatchSize: 3 },
      });
      expect(answer.status, JSON.stringify(answer.body)).toBe(201);
      return answer.body.id as string;
    };
    ids.flaky = await subscribe(flakyPort);
    ids.healthy = await subscribe(healthy.port);
    ids.dead = await subscribe(deadPort);
  });

  afterAll(async () => {
    await rig?.close();
    await flaky?.close();
  });

  const unique = (receiver: DemoReceiver) => new Set(receiver.batches.flatMap((batch) => batch.events.map((event) => event.id)));
  const status = async (id: string) => (await bench.call('GET', `/v1/subscriptions/${id}/status`, bench.operatorKey)).body.status;

  it('delivers everything in order per key after an outage, without delaying the other subscription', async () => {
    await bench.produce('health-declaration', records);

    // Connection refused: the other subscription gets everything meanwhile.
    await eventually(() => unique(healthy).size === records.length, () => `healthy receiver has ${unique(healthy).size}`);
    await eventually(async () => (await status(ids.flaky))?.retries > 0, () => 'flaky subscription retrying');
    expect((await status(ids.flaky)).lastError.message).toMatch(/ECONNREFUSED/);

    // Then the receiver answers 500, then too slowly for the sender's timeout.
    flaky = await startDemoReceiver(SECRET, flakyPort);
    flaky.setMode('error');
    await eventually(() => flaky!.requests.filter((r) => r.answered === 500).length >= 3, () => `flaky got ${flaky!.requests.length} requests`);
    flaky.setMode('slow', 1_500);
    const before = flaky.requests.length;
    await eventually(() => flaky!.requests.length >= before + 3, () => 'slow requests');
    expect((await status(ids.flaky)).lastError.message).toMatch(/no answer within 300 ms|receiver answered 500/);
    flaky.setMode('ok');

    await eventually(() => unique(flaky!).size === records.length, () => `flaky receiver has ${unique(flaky!).size}`);
    expect(unique(flaky)).toEqual(new Set(records.map((r) => r.event_id)));
    // In order per key: a person's declarations were first accepted in the order written.
    const accepted = flaky.batches.flatMap((batch) => batch.events);
    for (const person of PEOPLE) {
      const firstTimes = accepted.filter((event, i) => event.key === person && accepted.findIndex((e) => e.id === event.id) === i).map((event) => Date.parse(event.time));
      expect(firstTimes.length).toBe(records.length / PEOPLE.length);
      expect(firstTimes).toEqual([...firstTimes].sort((a, b) => a - b));
    }
    // The healthy subscription had everything before the flaky one had anything.
    const healthyDone = Math.max(...healthy.batches.map((batch) => batch.receivedAt));
    const flakyFirst = Math.min(...flaky.batches.map((batch) => batch.receivedAt));
    expect(healthyDone).toBeLessThan(flakyFirst);

    await eventually(async () => (await status(ids.flaky))?.state === 'delivering' && (await status(ids.flaky)).delivered >= records.length, () => 'flaky status');
    const final = await status(ids.flaky);
    expect(final.deadLetters).toBe(0);
    expect(final.retries).toBeGreaterThan(3);
  });

  it('dead-letters the batches of a receiver that never recovers and marks the subscription failing', async () => {
    const dlq = `dlq.sink.${ids.dead}`;
    let letters: Awaited<ReturnType<typeof readTopicToEnd>> = [];
    await eventually(
      async () => {
        letters = await readTopicToEnd(bench.kafka, dlq);
        return letters.length >= records.length;
      },
      () => `${letters.length} dead letters`,
      90_000,
    );
    expect(new Set(letters.map(({ message }) => headerString(message.headers, HEADER.eventId)))).toEqual(new Set(records.map((r) => r.event_id)));
    expect(letters.length).toBe(records.length);
    for (const { message } of letters) {
      expect(headerString(message.headers, HEADER.dlqStage)).toBe(`sink.${ids.dead}`);
      expect(headerString(message.headers, HEADER.dlqReason)).toMatch(/ECONNREFUSED/);
      expect(headerString(message.headers, HEADER.dlqErrorClass)).toBe('WebhookDeliveryFailed');
      expect(headerString(message.headers, HEADER.dlqSource)).toBeTruthy();
      expect(headerString(message.headers, HEADER.webhookId)).toBeTruthy();
    }
    await eventually(async () => (await status(ids.dead))?.deadLetters === records.length, () => 'dead status');
    const final = await status(ids.dead);
    expect(final.state).toBe('failing');
    expect(final.lastError.message).toMatch(/ECONNREFUSED/);
  }, 120_000);
});
