import { describe, expect, it } from 'vitest';
import { connectorTransactionalId } from '../../connectors/runtime/offset-log.ts';
import { sendOffsetsRetrying, sendParts } from '../../services/platform/transactional-writer.ts';

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
