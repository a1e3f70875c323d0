import { describe, expect, it } from 'vitest';
import type { Producer, ProducerBatch } from 'kafkajs';
import { CoalescingProducer, SendCancelledError } from '../../services/platform/coalescing-producer.ts';

/** A stand-in for kafkajs' producer that records each sendBatch and lets the test settle it. */
function recordingProducer() {
  const calls: { batch: ProducerBatch; settle: (error?: Error) => void }[] = [];
  let disconnects = 0;
  const producer = {
    sendBatch: (batch: ProducerBatch) =>
      new Promise((resolve, reject) => calls.push({ batch, settle: (error) => (error ? reject(error) : resolve([])) })),
    disconnect: async () => {
      disconnects += 1;
    },
  } as unknown as Producer;
  return { producer, calls, disconnects: () => disconnects };
}

const message = (n: number) => ({ key: `k${n}`, value: Buffer.from(`v${n}`) });
const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

describe('coalescing producer', () => {
  it('gathers concurrent sends into one produce request and acknowledges each caller', async () => {
    const { producer, calls } = recordingProducer();
    const batcher = new CoalescingProducer(async () => producer, { lingerMs: 5, maxBatchMessages: 1000 });
    const a = batcher.send('t1', [message(1), message(2)]);
    const b = batcher.send('t2', [message(3)]);
    const c = batcher.send('t1', [message(4)]);
    await tick(20);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.batch.acks).toBe(-1);
    expect(calls[0]!.batch.topicMessages!.map((t) => [t.topic, t.messages.map((m) => m.key)])).toEqual([
      ['t1', ['k1', 'k2', 'k4']],
      ['t2', ['k3']],
    ]);
    calls[0]!.settle();
    await expect(Promise.all([a, b, c])).resolves.toBeDefined();
  });

  it('fills the next batch while one is in flight, and sends it when that one settles', async () => {
    const { producer, calls } = recordingProducer();
    const batcher = new CoalescingProducer(async () => producer, { lingerMs: 1, maxBatchMessages: 1000 });
    const first = batcher.send('t', [message(1)]);
    await tick(10);
    const second = batcher.send('t', [message(2)]);
    const third = batcher.send('t', [message(3)]);
    await tick(10);
    expect(calls).toHaveLength(1);
    calls[0]!.settle();
    await first;
    await tick();
    expect(calls).toHaveLength(2);
    expect(calls[1]!.batch.topicMessages![0]!.messages.map((m) => m.key)).toEqual(['k2', 'k3']);
    calls[1]!.settle();
    await Promise.all([second, third]);
  });

  it('fails every caller of a batch the broker did not acknowledge, and sends the next with a new producer', async () => {
    const { producer, calls, disconnects } = recordingProducer();
    let created = 0;
    const batcher = new CoalescingProducer(
      async () => {
        created += 1;
        return producer;
      },
      { lingerMs: 1, maxBatchMessages: 1000 },
    );
    const a = batcher.send('t', [message(1)]);
    const b = batcher.send('t', [message(2)]);
    await tick(10);
    calls[0]!.settle(new Error('broker gone'));
    await expect(a).rejects.toThrow('broker gone');
    await expect(b).rejects.toThrow('broker gone');
    const c = batcher.send('t', [message(3)]);
    await tick(10);
    expect([created, disconnects()]).toEqual([2, 1]);
    calls[1]!.settle();
    await c;
  });

  it('sends at once when a batch is full', async () => {
    const { producer, calls } = recordingProducer();
    const batcher = new CoalescingProducer(async () => producer, { lingerMs: 10_000, maxBatchMessages: 3 });
    void batcher.send('t', [message(1), message(2), message(3)]);
    await tick();
    expect(calls).toHaveLength(1);
  });

  it('withdraws messages whose caller gave up before their batch left', async () => {
    const { producer, calls } = recordingProducer();
    const batcher = new CoalescingProducer(async () => producer, { lingerMs: 1, maxBatchMessages: 1000 });
    const first = batcher.send('t', [message(1)]);
    await tick(10); // first is in flight now
    const abort = new AbortController();
    const withdrawn = batcher.send('t', [message(2)], abort.signal);
    const kept = batcher.send('t', [message(3)]);
    abort.abort();
    await expect(withdrawn).rejects.toBeInstanceOf(SendCancelledError);
    calls[0]!.settle();
    await first;
    await tick();
    expect(calls[1]!.batch.topicMessages![0]!.messages.map((m) => m.key)).toEqual(['k3']);
    calls[1]!.settle();
    await kept;
  });
});
