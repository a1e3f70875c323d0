/**
 * Resetting a subscription to an instant replays exactly the records written since then (a new
 * consumer group starting at that instant), by webhook and on the agency topic.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoReceiver } from '../../services/demo/demo-receiver.ts';
import { HEADER, headerString } from '../../services/platform/record-headers.ts';
import { readTopicToEnd } from '../../services/platform/topic-ends.ts';
import { declaration, eventually, startFanoutRig, type FanoutBench, type FanoutRig } from '../support/fanout.ts';

const AGENCY = `cdc-${randomUUID().slice(0, 8)}`;
const SECRET = `whsec_${Buffer.from('replay-test-secret-of-32-bytes!!').toString('base64')}`;

describe('replay from a timestamp', () => {
  let rig: FanoutRig | undefined;
  let bench: FanoutBench;
  let receiver: DemoReceiver;

  beforeAll(async () => {
    rig = await startFanoutRig({ [AGENCY]: { kinds: ['health-declaration'], provinces: 'all', tier: 'pseudonymous' } }, [SECRET]);
    bench = rig.bench;
    receiver = rig.receivers[0]!;
  });

  afterAll(async () => {
    await rig?.close();
  });

  it('re-delivers exactly the records written since the reset instant; pause holds delivery, resume continues it', async () => {
    const key = bench.agencyKeys[AGENCY]!;
    const webhook = await bench.call('POST', '/v1/subscriptions', key, { kinds: ['health-declaration'], delivery: { type: 'webhook', url: receiver.url, secret: SECRET, maxBatchSize: 7 } });
    const topic = await bench.call('POST', '/v1/subscriptions', key, { kinds: ['health-declaration'], delivery: { type: 'topic' } });
    expect([webhook.status, topic.status]).toEqual([201, 201]);

    const before = Array.from({ length: 20 }, () => declaration({}));
    const after = Array.from({ length: 15 }, () => declaration({}));
    const idsOf = (records: Record<string, unknown>[]) => records.map((record) => record.event_id as string);
    const events = () => receiver.batches.flatMap((batch) => batch.events.map((event) => event.id));
    const outTopic = `out.${AGENCY}.health-declaration`;
    const onTopic = async () => (await readTopicToEnd(bench.kafka, outTopic)).map(({ message }) => headerString(message.headers, HEADER.eventId)!);

    await bench.produce('health-declaration', before);
    await eventually(async () => new Set(events()).size === 20 && (await onTopic()).length === 20, () => `${events().length} delivered before the reset`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const resetAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await bench.produce('health-declaration', after);
    await eventually(async () => new Set(events()).size === 35 && (await onTopic()).length === 35, () => `${events().length} delivered`);
    const deliveredBeforeReset = events().length;
    const topicBeforeReset = (await onTopic()).length;

    for (const id of [webhook.body.id, topic.body.id]) {
      const reset = await bench.call('POST', `/v1/subscriptions/${id}/reset`, key, { from: new Date(resetAt).toISOString() });
      expect(reset.status, JSON.stringify(reset.body)).toBe(200);
      expect(reset.body.generation).toBe(1);
    }
    await eventually(async () => events().length >= deliveredBeforeReset + 15 && (await onTopic()).length >= topicBeforeReset + 15, () => `${events().length - deliveredBeforeReset} replayed`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    // Webhook: the records since the reset came again, in requests after the reset; nothing older did.
    const replayed = events().slice(deliveredBeforeReset);
    expect(replayed.sort()).toEqual(idsOf(after).sort());
    // Agency topic (partitions interleave, so by count): the later records twice, the earlier once.
    const counts = new Map<string, number>();
    for (const id of await onTopic()) counts.set(id, (counts.get(id) ?? 0) + 1);
    for (const id of idsOf(before)) expect(counts.get(id)).toBe(1);
    for (const id of idsOf(after)) expect(counts.get(id)).toBe(2);
    expect(counts.size).toBe(35);

    // Paused: nothing is delivered; resumed: delivery picks up where it stopped.
    const paused = await bench.call('POST', `/v1/subscriptions/${webhook.body.id}/pause`, key, {});
    expect(paused.body.state).toBe('paused');
    await eventually(async () => (await bench.call('GET', `/v1/subscriptions/${webhook.body.id}/status`, key)).body.status?.state === 'paused', () => 'paused status');
    const countAtPause = events().length;
    const whilePaused = Array.from({ length: 5 }, () => declaration({}));
    await bench.produce('health-declaration', whilePaused);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(events().length).toBe(countAtPause);
    expect((await bench.call('POST', `/v1/subscriptions/${webhook.body.id}/resume`, key, {})).body.state).toBe('active');
    await eventually(() => events().length >= countAtPause + 5, () => `${events().length - countAtPause} after resume`);
    expect(events().slice(countAtPause).sort()).toEqual(idsOf(whilePaused).sort());

    const bad = await bench.call('POST', `/v1/subscriptions/${webhook.body.id}/reset`, key, { from: 'yesterday-ish' });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details.problems[0].path).toBe('from');
  });
});
