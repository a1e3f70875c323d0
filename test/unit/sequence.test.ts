import { describe, expect, it } from 'vitest';
import { HeartbeatSchedule } from '../../services/fanout/heartbeat-schedule.ts';
import { SequenceNumbers, decodeEntry, encodeEntry, entryKey, type JournalEntry } from '../../services/subscriptions/sequence-numbers.ts';
import { loadConfig } from '../../services/platform/config.ts';
import { DEFAULT_HEARTBEAT_SECONDS, type Subscription } from '../../services/subscriptions/model.ts';
import { checkRange } from '../../services/subscriptions/sequence-events.ts';
import { parseStoredSubscription, storedSubscriptionProblems } from '../../services/subscriptions/validation.ts';

const events = (from: number, count: number) => Array.from({ length: count }, (_, i) => ({ offset: from + i, eventId: `e${from + i}` }));
const nothingCommitted = () => -1;

describe('sequence numbers', () => {
  it('numbers events 1, 2, 3… across partitions, and gives nothing until the journal entry is recorded', () => {
    const numbers = new SequenceNumbers(0, [], nothingCommitted);
    const first = numbers.assign('health-declaration', 't', 0, events(10, 3));
    expect(first.numbers).toEqual([1, 2, 3]);
    // Not journaled (the transaction failed): the same numbers are offered again, to the same or other events.
    expect(numbers.assign('health-declaration', 't', 1, events(0, 2)).numbers).toEqual([1, 2]);
    numbers.record(first.entry!);
    const second = numbers.assign('health-declaration', 't', 1, events(0, 2));
    expect(second.numbers).toEqual([4, 5]);
    expect(second.entry).toMatchObject({ first: 4, topic: 't', partition: 1, offsets: [0, 1], ids: ['e0', 'e1'] });
    numbers.record(second.entry!);
    expect(numbers.last).toBe(5);
  });

  it('gives an event read again the number it had, and only new events new numbers', () => {
    const numbers = new SequenceNumbers(0, [], nothingCommitted);
    numbers.record(numbers.assign('health-declaration', 't', 0, events(0, 3)).entry!);
    const again = numbers.assign('health-declaration', 't', 0, events(1, 4));
    expect(again.numbers).toEqual([2, 3, 4, 5]);
    expect(again.entry).toMatchObject({ first: 4, offsets: [3, 4] });
    // Everything read again already numbered: nothing to journal.
    expect(numbers.assign('health-declaration', 't', 0, events(0, 2))).toEqual({ numbers: [1, 2], entry: null });
  });

  it('carries on from the journal after a restart: same numbers for uncommitted events, never a used number for another', () => {
    const journal: JournalEntry[] = [
      { generation: 2, first: 1, kind: 'health-declaration', topic: 't', partition: 0, offsets: [5, 6, 7], ids: ['e5', 'e6', 'e7'] },
      { generation: 2, first: 4, kind: 'health-declaration', topic: 't', partition: 1, offsets: [0, 1], ids: ['e0', 'e1'] },
    ];
    // The group committed partition 0 up to 7 (offsets 5 and 6 are done), nothing of partition 1.
    const numbers = new SequenceNumbers(2, journal.map((entry) => decodeEntry(encodeEntry(entry))), (_topic, partition) => (partition === 0 ? 7 : -1));
    expect(numbers.last).toBe(5);
    expect(numbers.assign('health-declaration', 't', 0, events(7, 2)).numbers).toEqual([3, 6]);
    expect(numbers.assign('health-declaration', 't', 1, events(0, 2)).numbers).toEqual([4, 5]);
    // Another event at a numbered offset (a recreated topic) is a new event.
    expect(numbers.assign('health-declaration', 't', 1, [{ offset: 0, eventId: 'other' }]).numbers).toEqual([6]);
  });

  it('continues the count after a reset but gives the new generation its own numbers', () => {
    const old: JournalEntry = { generation: 1, first: 1, kind: 'checkpoint', topic: 't', partition: 0, offsets: [0, 1], ids: ['e0', 'e1'] };
    const numbers = new SequenceNumbers(2, [old], nothingCommitted);
    expect(numbers.assign('checkpoint', 't', 0, events(0, 2)).numbers).toEqual([3, 4]);
  });

  it('forgets numbers of events the group committed past', () => {
    const numbers = new SequenceNumbers(0, [], nothingCommitted);
    numbers.record(numbers.assign('health-declaration', 't', 0, events(0, 3)).entry!);
    numbers.committed('t', 0, 2);
    expect(numbers.assign('health-declaration', 't', 0, events(1, 2)).numbers).toEqual([4, 3]);
  });

  it('keys journal entries by source partition and refuses records that are not entries', () => {
    const entry: JournalEntry = { generation: 0, first: 1, kind: 'checkpoint', topic: 'canonical.checkpoint', partition: 3, offsets: [9], ids: ['x'] };
    expect(entryKey(entry)).toBe('canonical.checkpoint:3');
    expect(decodeEntry(encodeEntry(entry))).toEqual(entry);
    for (const bad of [null, '{}', 'null', JSON.stringify({ ...entry, first: 0 }), JSON.stringify({ ...entry, ids: [] }), JSON.stringify({ ...entry, kind: 'nope' }), JSON.stringify({ ...entry, offsets: [-1] })]) {
      expect(() => decodeEntry(bad === null ? null : Buffer.from(bad))).toThrow('not a sequence journal entry');
    }
  });
});

describe('heartbeat schedule', () => {
  it('is due an interval after the last thing sent, never while a batch is in flight', () => {
    const schedule = new HeartbeatSchedule(1_000, 0);
    expect(schedule.dueIn(400)).toBe(600);
    expect(schedule.dueIn(1_000)).toBe(0);
    schedule.sent(1_000);
    expect(schedule.dueIn(1_500)).toBe(500);
    schedule.started();
    expect(schedule.dueIn(5_000)).toBe(1_000);
    schedule.finished(5_000);
    expect(schedule.dueIn(5_200)).toBe(800);
    expect(schedule.dueIn(9_000)).toBe(0);
  });
});

describe('events range', () => {
  it('takes since and until as whole numbers, since ≤ until, within the widest range', () => {
    expect(checkRange({ since: '3', until: '9' }, 100)).toEqual({ ok: true, range: { since: 3, until: 9 } });
    expect(checkRange({ since: '3' }, 100)).toEqual({ ok: true, range: { since: 3, until: 102 } });
    expect(checkRange({ since: '1', until: '100' }, 100).ok).toBe(true);
    const refused = (query: Record<string, unknown>) => {
      const result = checkRange(query, 100);
      return result.ok ? null : result.path;
    };
    expect(refused({})).toBe('since');
    for (const since of ['0', '-1', '1.5', '1e3', 'abc', ' 1', '9999999999999999', ['1', '2']]) expect(refused({ since })).toBe('since');
    expect(refused({ since: '5', until: '4' })).toBe('until');
    expect(refused({ since: '1', until: '101' })).toBe('until');
    expect(refused({ since: '1', until: 'x' })).toBe('until');
  });
});

describe('heartbeat setting', () => {
  const config = loadConfig({}).fanout;
  const subscription = (delivery: Record<string, unknown>): Subscription => ({
    id: 's', agency: 'a', kinds: ['checkpoint'], filter: { provinces: null, where: [] }, tier: 'pseudonymous', state: 'active',
    delivery: { type: 'webhook', url: 'https://example.org/hook', secret: `whsec_${Buffer.alloc(32, 1).toString('base64')}`, maxBatchSize: 10, ...delivery } as Subscription['delivery'],
    startFrom: 0, generation: 0, createdAt: 0, updatedAt: 0,
  });

  it('accepts 1 to 86400 seconds and names the field otherwise', () => {
    expect(storedSubscriptionProblems(subscription({ heartbeatSeconds: 1 }), config)).toEqual([]);
    expect(storedSubscriptionProblems(subscription({ heartbeatSeconds: 86_400 }), config)).toEqual([]);
    for (const heartbeatSeconds of [0, 86_401, 1.5, '60', null]) {
      expect(storedSubscriptionProblems(subscription({ heartbeatSeconds }), config).map((p) => p.path)).toEqual(['delivery.heartbeatSeconds']);
    }
  });

  it('gives webhook subscriptions stored without one the default', () => {
    const { heartbeatSeconds: _none, ...delivery } = subscription({}).delivery as unknown as Record<string, unknown>;
    const stored = parseStoredSubscription({ ...subscription({}), delivery }, 's');
    expect(stored.delivery).toMatchObject({ heartbeatSeconds: DEFAULT_HEARTBEAT_SECONDS });
  });
});
