import type { Kafka } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { connectorTransactionalId } from '../../connectors/runtime/offset-log.ts';
import { TransactionalWriter, sendOffsetsRetrying, sendParts } from '../../services/platform/transactional-writer.ts';

describe('transactional writer', () => {
  it('derives the transactional id from the connector name, so a restarted connector fences its predecessor', () => {
    expect(connectorTransactionalId('file-checkpoint-ops')).toBe('truc-connect-file-checkpoint-ops');
  });

  it('cuts a transaction\'s messages into sends of bounded size, in order', () => {
    const message = (n: number) => ({ key: `k${n}`, value: Buffer.alloc(100) });
    const parts = sendParts(
      [
        { topic: 'a', messages: [message(1), message(2), message(3)] },
        { topic: 'b', messages: [message(4)] },
      ],
      250,
    );
    expect(parts.map((part) => part.map(({ topic, messages }) => `${topic}:${messages.map((m) => m.key).join('+')}`))).toEqual([
      ['a:k1+k2'],
      ['a:k3', 'b:k4'],
    ]);
  });

  it('sends a message larger than the bound on its own', () => {
    const parts = sendParts([{ topic: 'a', messages: [{ value: Buffer.alloc(10) }, { value: Buffer.alloc(500) }, { value: Buffer.alloc(10) }] }], 100);
    expect(parts.map((part) => part[0]!.messages.length)).toEqual([1, 1, 1]);
  });

  describe('offsets sent while the coordinator answers CONCURRENT_TRANSACTIONS', () => {
    const offsets = { consumerGroupId: 'g', topics: [] };
    const concurrent = Object.assign(new Error('another concurrent operation'), { type: 'CONCURRENT_TRANSACTIONS' });
    const answering = (errors: Error[]) => {
      const calls: number[] = [];
      return {
        calls,
        sendOffsets: async () => {
          calls.push(Date.now());
          const error = errors.shift();
          if (error) throw error;
        },
      };
    };

    it('are sent again after growing waits until accepted', async () => {
      const transaction = answering([concurrent, concurrent, concurrent]);
      await sendOffsetsRetrying(transaction, offsets, { firstMs: 20, maxMs: 40, giveUpMs: 5_000 });
      const waits = transaction.calls.slice(1).map((at, i) => at - transaction.calls[i]!);
      expect(waits).toHaveLength(3);
      expect(waits[0]).toBeGreaterThanOrEqual(19);
      expect(waits[1]).toBeGreaterThanOrEqual(39);
      expect(waits[2]).toBeGreaterThanOrEqual(39);
    });

    it('fail at once on another error, and after the give-up time on this one', async () => {
      const other = answering([new Error('fenced'), concurrent]);
      await expect(sendOffsetsRetrying(other, offsets)).rejects.toThrow('fenced');
      expect(other.calls).toHaveLength(1);
      const stuck = answering(Array.from({ length: 100 }, () => concurrent));
      await expect(sendOffsetsRetrying(stuck, offsets, { firstMs: 10, maxMs: 10, giveUpMs: 100 })).rejects.toBe(concurrent);
      expect(stuck.calls.length).toBeGreaterThan(3);
      expect(stuck.calls.length).toBeLessThan(15);
    });
  });
});

/*
 * A transactional writer whose abort failed (its broker gone mid-transaction) is not stuck: kafkajs
 * keeps such a producer in ABORTING for good, so the next commit replaces it with a new producer of
 * the same transactional id (whose first transaction fences the old one). Found by the cluster test
 * (test/cluster/pipeline-broker-failure.test.ts), where one normalizer partition crashed on every
 * batch after a broker was killed. Plain objects stand in for kafkajs here; the real thing is there.
 */
interface FakeProducer {
  id: string;
  disconnected: boolean;
  committed: number;
}

function fakeKafka(failFirst: boolean) {
  const producers: FakeProducer[] = [];
  const kafka = {
    producer: ({ transactionalId }: { transactionalId: string }) => {
      const state: FakeProducer = { id: transactionalId, disconnected: false, committed: 0 };
      const broken = failFirst && producers.length === 0;
      producers.push(state);
      let aborting = false;
      return {
        connect: async () => {},
        disconnect: async () => {
          state.disconnected = true;
        },
        transaction: async () => {
          if (aborting) throw new Error('Transaction state exception: Cannot call "beginTransaction" in state "ABORTING"');
          return {
            sendBatch: async () => {
              if (broken) throw new Error('Connection error: connect ECONNREFUSED');
            },
            sendOffsets: async () => {},
            commit: async () => {
              state.committed += 1;
            },
            abort: async () => {
              aborting = true;
              throw new Error('Connection error: connect ECONNREFUSED');
            },
          };
        },
      };
    },
  } as unknown as Kafka;
  return { kafka, producers };
}

describe('a transactional writer after a failed abort', () => {
  it('fails that commit, then commits the next through a new producer of the same id, the old one closed', async () => {
    const { kafka, producers } = fakeKafka(true);
    const writer = await TransactionalWriter.open(kafka, 'truc-normalizer-3');
    const messages = [{ topic: 'canonical.health-declaration', messages: [{ key: 'k', value: 'v' }] }];
    await expect(writer.commit(messages)).rejects.toThrow(/ECONNREFUSED/);
    await writer.commit(messages);
    expect(producers.map((p) => [p.id, p.disconnected, p.committed])).toEqual([
      ['truc-normalizer-3', true, 0],
      ['truc-normalizer-3', false, 1],
    ]);
  });

  it('keeps its producer while transactions succeed', async () => {
    const { kafka, producers } = fakeKafka(false);
    const writer = await TransactionalWriter.open(kafka, 'truc-connect-a');
    for (let i = 0; i < 3; i += 1) await writer.commit([{ topic: 't', messages: [{ value: String(i) }] }]);
    expect(producers.map((p) => p.committed)).toEqual([3]);
  });
});
