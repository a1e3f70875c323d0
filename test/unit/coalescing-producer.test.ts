import { describe, expect, it } from 'vitest';
import { Partitioners, type Producer, type ProducerBatch } from 'kafkajs';
import { CoalescingProducer, RecordsTooLargeError, SendCancelledError } from '../../services/platform/coalescing-producer.ts';
import type { ProduceLimits } from '../../services/platform/produce-limits.ts';
import { framedMessageBytes } from '../../services/platform/record-size.ts';

/** Limits no test message comes near. */
const ROOMY: ProduceLimits = { topics: new Map(), defaultMaxBatchBytes: 1e9, maxRequestBytes: 1e9 };

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
    const batcher = new CoalescingProducer(async () => producer, { lingerMs: 5, maxBatchMessages: 1000, limits: ROOMY });
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
    const batcher = new CoalescingProducer(async () => producer, { lingerMs: 1, maxBatchMessages: 1000, limits: ROOMY });
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
      { lingerMs: 1, maxBatchMessages: 1000, limits: ROOMY },
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
    const batcher = new CoalescingProducer(async () => producer, { lingerMs: 10_000, maxBatchMessages: 3, limits: ROOMY });
    void batcher.send('t', [message(1), message(2), message(3)]);
    await tick();
    expect(calls).toHaveLength(1);
  });

  it('withdraws messages whose caller gave up before their batch left', async () => {
    const { producer, calls } = recordingProducer();
    const batcher = new CoalescingProducer(async () => producer, { lingerMs: 1, maxBatchMessages: 1000, limits: ROOMY });
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

  describe('within the broker\'s limits', () => {
    /** A message of `bytes` value bytes, keyed so it lands on a partition. */
    const sized = (key: string, bytes: number) => ({ key, value: Buffer.alloc(bytes, 1) });
    const oneFramed = framedMessageBytes(sized('a', 100));
    const keysOf = (batch: { topicMessages?: { messages: { key?: unknown }[] }[] }) =>
      batch.topicMessages!.flatMap((t) => t.messages.map((m) => String(m.key)));

    /** Kafka's refusal as kafkajs reports it: a protocol error wrapped by the retrier. */
    function refusal(type: string): Error {
      const protocol = Object.assign(new Error('The request included a message larger than the max message size the server will accept'), {
        name: 'KafkaJSProtocolError', type, retriable: false,
      });
      return Object.assign(new Error(protocol.message), { name: 'KafkaJSNonRetriableError', retriable: false, cause: protocol });
    }

    it('puts no more in one partition\'s batch than the topic takes; the rest goes in the next request', async () => {
      const { producer, calls } = recordingProducer();
      const limits: ProduceLimits = { topics: new Map([['t', { maxBatchBytes: oneFramed * 2, partitions: 1 }]]), defaultMaxBatchBytes: 1e9, maxRequestBytes: 1e9 };
      const batcher = new CoalescingProducer(async () => producer, { lingerMs: 1, maxBatchMessages: 1000, limits });
      const sends = ['a', 'b', 'c'].map((key) => batcher.send('t', [sized(key, 100)]));
      await tick(10);
      expect(calls).toHaveLength(1);
      expect(keysOf(calls[0]!.batch)).toEqual(['a', 'b']);
      calls[0]!.settle();
      await tick(10);
      expect(keysOf(calls[1]!.batch)).toEqual(['c']);
      calls[1]!.settle();
      await Promise.all(sends);
    });

    it('counts bytes per partition, where kafkajs\' partitioner puts each key', async () => {
      const { producer, calls } = recordingProducer();
      const partitionOf = (key: string) => Partitioners.DefaultPartitioner()({
        topic: 't', message: { key, value: null },
        partitionMetadata: [0, 1].map((partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [], isr: [] })),
      });
      const keys = Array.from({ length: 50 }, (_, i) => `key-${i}`);
      const [zero, one] = [keys.find((k) => partitionOf(k) === 0)!, keys.find((k) => partitionOf(k) === 1)!];
      const limits: ProduceLimits = { topics: new Map([['t', { maxBatchBytes: framedMessageBytes(sized(zero, 100)) + 10, partitions: 2 }]]), defaultMaxBatchBytes: 1e9, maxRequestBytes: 1e9 };
      const batcher = new CoalescingProducer(async () => producer, { lingerMs: 1, maxBatchMessages: 1000, limits });
      const sends = [batcher.send('t', [sized(zero, 100)]), batcher.send('t', [sized(one, 100)]), batcher.send('t', [sized(zero, 100)])];
      await tick(10);
      // One message per partition fits; a second one for partition 0 waits.
      expect(keysOf(calls[0]!.batch)).toEqual([zero, one]);
      calls[0]!.settle();
      await tick(10);
      expect(keysOf(calls[1]!.batch)).toEqual([zero]);
      calls[1]!.settle();
      await Promise.all(sends);
    });

    it('keeps a request within the broker\'s request size, all topics together', async () => {
      const { producer, calls } = recordingProducer();
      const limits: ProduceLimits = { topics: new Map(), defaultMaxBatchBytes: 1e9, maxRequestBytes: oneFramed * 2 };
      const batcher = new CoalescingProducer(async () => producer, { lingerMs: 1, maxBatchMessages: 1000, limits });
      const sends = [batcher.send('t1', [sized('a', 100)]), batcher.send('t2', [sized('b', 100)]), batcher.send('t3', [sized('c', 100)])];
      await tick(10);
      expect(keysOf(calls[0]!.batch)).toEqual(['a', 'b']);
      calls[0]!.settle();
      await tick(10);
      expect(keysOf(calls[1]!.batch)).toEqual(['c']);
      calls[1]!.settle();
      await Promise.all(sends);
    });

    it('refuses at once, sending nothing, messages that could never fit in one write', async () => {
      const { producer, calls } = recordingProducer();
      const limits: ProduceLimits = { topics: new Map([['t', { maxBatchBytes: 500, partitions: 3 }]]), defaultMaxBatchBytes: 1e9, maxRequestBytes: 1e9 };
      const batcher = new CoalescingProducer(async () => producer, { lingerMs: 1, maxBatchMessages: 1000, limits });
      const tooLarge = batcher.send('t', [sized('a', 600)]);
      await expect(tooLarge).rejects.toBeInstanceOf(RecordsTooLargeError);
      await expect(tooLarge).rejects.toThrow(/accepts at most 500/);
      const fine = batcher.send('t', [sized('b', 100)]);
      await tick(10);
      expect(calls.map((call) => keysOf(call.batch))).toEqual([['b']]);
      calls[0]!.settle();
      await fine;
    });

    it('sends a caller\'s messages that are more than one write takes in consecutive parts, and settles with the last', async () => {
      const { producer, calls } = recordingProducer();
      const limits: ProduceLimits = { topics: new Map([['t', { maxBatchBytes: oneFramed * 2, partitions: 1 }]]), defaultMaxBatchBytes: 1e9, maxRequestBytes: 1e9 };
      const batcher = new CoalescingProducer(async () => producer, { lingerMs: 1, maxBatchMessages: 1000, limits });
      let settled = false;
      const big = batcher.send('t', ['a', 'b', 'c', 'd', 'e'].map((key) => sized(key, 100))).then(() => (settled = true));
      for (const [i, keys] of [['a', 'b'], ['c', 'd'], ['e']].entries()) {
        await tick(10);
        expect(keysOf(calls[i]!.batch)).toEqual(keys);
        expect(settled).toBe(false);
        calls[i]!.settle();
      }
      await big;
      expect(calls).toHaveLength(3);
    });

    it('fails such a caller at its first failed part and does not send the parts after it', async () => {
      const { producer, calls } = recordingProducer();
      const limits: ProduceLimits = { topics: new Map([['t', { maxBatchBytes: oneFramed, partitions: 1 }]]), defaultMaxBatchBytes: 1e9, maxRequestBytes: 1e9 };
      const batcher = new CoalescingProducer(async () => producer, { lingerMs: 1, maxBatchMessages: 1000, limits });
      const big = batcher.send('t', ['a', 'b', 'c'].map((key) => sized(key, 100))).catch((error: Error) => error);
      const other = batcher.send('t', [sized('z', 100)]);
      await tick(10);
      calls[0]!.settle();
      await tick(10);
      calls[1]!.settle(new Error('broker gone'));
      expect(await big).toMatchObject({ message: 'broker gone' });
      await tick(10);
      expect(calls.map((call) => keysOf(call.batch))).toEqual([['a'], ['b'], ['z']]);
      calls[2]!.settle();
      await other;
    });

    it('when Kafka refuses a shared batch, sends each caller\'s messages again on their own: only the refused caller fails', async () => {
      const { producer, calls } = recordingProducer();
      const batcher = new CoalescingProducer(async () => producer, { lingerMs: 1, maxBatchMessages: 1000, limits: ROOMY });
      const [a, b, c] = ['a', 'b', 'c'].map((key) => batcher.send('t', [sized(key, 100)]));
      const bFailure = b!.catch((error: unknown) => error);
      await tick(10);
      expect(keysOf(calls[0]!.batch)).toEqual(['a', 'b', 'c']);
      calls[0]!.settle(refusal('MESSAGE_TOO_LARGE'));
      for (const [i, outcome] of [[1, undefined], [2, refusal('RECORD_LIST_TOO_LARGE')], [3, undefined]] as const) {
        await tick(10);
        expect(calls).toHaveLength(i + 1);
        expect(keysOf(calls[i]!.batch)).toHaveLength(1);
        calls[i]!.settle(outcome);
      }
      expect(calls.slice(1).map((call) => keysOf(call.batch)[0])).toEqual(['a', 'b', 'c']);
      await a;
      expect(await bFailure).toBeInstanceOf(RecordsTooLargeError);
      await c;
    });

    it('fails the whole batch, resending nothing, when the broker refuses the producer rather than the records', async () => {
      const { producer, calls } = recordingProducer();
      const batcher = new CoalescingProducer(async () => producer, { lingerMs: 1, maxBatchMessages: 1000, limits: ROOMY });
      const sends = ['a', 'b'].map((key) => batcher.send('t', [sized(key, 10)]).catch((error: Error) => error));
      await tick(10);
      calls[0]!.settle(refusal('OUT_OF_ORDER_SEQUENCE_NUMBER'));
      for (const outcome of await Promise.all(sends)) expect(outcome).toMatchObject({ name: 'KafkaJSNonRetriableError' });
      await tick(10);
      expect(calls).toHaveLength(1);
    });

    it('does not resend the messages of a caller that gave up while the refused batch was in flight', async () => {
      const { producer, calls } = recordingProducer();
      const batcher = new CoalescingProducer(async () => producer, { lingerMs: 1, maxBatchMessages: 1000, limits: ROOMY });
      const abort = new AbortController();
      const gaveUp = batcher.send('t', [sized('a', 10)], abort.signal);
      const kept = batcher.send('t', [sized('b', 10)]);
      await tick(10);
      abort.abort();
      calls[0]!.settle(refusal('MESSAGE_TOO_LARGE'));
      await expect(gaveUp).rejects.toBeInstanceOf(SendCancelledError);
      await tick(10);
      expect(calls.slice(1).map((call) => keysOf(call.batch))).toEqual([['b']]);
      calls[1]!.settle();
      await kept;
    });
  });
});
