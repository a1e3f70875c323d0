import { describe, expect, it } from 'vitest';
import { connectorTransactionalId } from '../../connectors/runtime/offset-log.ts';
import { sendParts } from '../../services/platform/transactional-writer.ts';

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
});
