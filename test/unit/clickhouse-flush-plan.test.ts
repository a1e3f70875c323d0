import { describe, expect, it } from 'vitest';
import { groupToken, planTopic, singleRangeToken, type LoggedGroup } from '../../connectors/clickhouse-sink/flush-plan.ts';

const TOPIC = 'canonical.health-declaration';
const entries = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => ({ offset: from + i }));
const offsets = (list: readonly { offset: number }[]) => list.map((entry) => entry.offset);

describe('ClickHouse sink flush plan', () => {
  it('writes every buffered partition of a topic in one insert, its token derived from the ranges', () => {
    const buffers = new Map([
      [2, entries(7, 9)],
      [0, entries(0, 3)],
    ]);
    const plan = planTopic(TOPIC, buffers, [], 100);
    expect(plan.groups).toHaveLength(1);
    const [group] = plan.groups;
    expect(group!.ranges.map(({ partition, first, last }) => ({ partition, first, last }))).toEqual([
      { partition: 0, first: 0, last: 3 },
      { partition: 2, first: 7, last: 9 },
    ]);
    expect(group!.token).toBe(groupToken(TOPIC, [{ partition: 2, first: 7, last: 9 }, { partition: 0, first: 0, last: 3 }]));
    expect(group!.token).not.toBe(groupToken(TOPIC, [{ partition: 0, first: 0, last: 2 }, { partition: 2, first: 7, last: 9 }]));
    expect(group!.logged).toBe(false);
    expect(plan.rows).toBe(7);
    expect([...plan.taken]).toEqual([
      [2, 3],
      [0, 4],
    ]);
  });

  it('stays within the row budget', () => {
    const plan = planTopic(TOPIC, new Map([[0, entries(0, 3)], [1, entries(0, 3)]]), [], 5);
    expect(plan.rows).toBe(5);
    expect(plan.groups[0]!.ranges.map((range) => offsets(range.entries))).toEqual([[0, 1, 2, 3], [0]]);
  });

  it('forms a logged insert again with exactly its ranges and token before anything new', () => {
    const logged: LoggedGroup[] = [{ token: 'logged-1', inserted: false, ranges: [{ partition: 0, first: 10, last: 12 }, { partition: 1, first: 5, last: 6 }] }];
    const plan = planTopic(TOPIC, new Map([[0, entries(10, 15)], [1, entries(5, 8)]]), logged, 100);
    expect(plan.groups).toHaveLength(2);
    const [again, fresh] = plan.groups;
    expect(again!.token).toBe('logged-1');
    expect(again!.logged).toBe(true);
    expect(again!.ranges.map((range) => offsets(range.entries))).toEqual([[10, 11, 12], [5, 6]]);
    expect(fresh!.ranges.map((range) => offsets(range.entries))).toEqual([[13, 14, 15], [7, 8]]);
    expect(plan.loggedTaken).toBe(1);
    expect([...plan.taken]).toEqual([
      [0, 6],
      [1, 4],
    ]);
  });

  it('waits for the rest of a logged insert, holding back its partitions only', () => {
    const logged: LoggedGroup[] = [{ token: 'logged-1', inserted: false, ranges: [{ partition: 0, first: 10, last: 12 }, { partition: 1, first: 5, last: 6 }] }];
    const plan = planTopic(TOPIC, new Map([[0, entries(10, 15)], [1, entries(5, 5)], [2, entries(0, 1)]]), logged, 100);
    expect(plan.loggedTaken).toBe(0);
    expect(plan.groups).toHaveLength(1);
    expect(plan.groups[0]!.ranges.map((range) => range.partition)).toEqual([2]);
    expect(plan.taken.get(0)).toBe(0);
    expect(plan.taken.get(1)).toBe(0);
  });

  it('only commits a logged insert that ClickHouse had acknowledged', () => {
    const logged: LoggedGroup[] = [{ token: 'logged-1', inserted: true, ranges: [{ partition: 1, first: 5, last: 6 }] }];
    const plan = planTopic(TOPIC, new Map([[1, entries(5, 7)]]), logged, 100);
    expect(plan.groups.map((group) => ({ inserted: group.inserted, offsets: group.ranges.map((range) => offsets(range.entries)) }))).toEqual([
      { inserted: true, offsets: [[5, 6]] },
      { inserted: false, offsets: [[7]] },
    ]);
  });

  it('writes records before a logged range that no range holds as an insert of their own, first', () => {
    const logged: LoggedGroup[] = [{ token: 'logged-1', inserted: false, ranges: [{ partition: 0, first: 3, last: 4 }] }];
    const plan = planTopic(TOPIC, new Map([[0, entries(1, 4)]]), logged, 100);
    expect(plan.groups.map((group) => [group.token === 'logged-1', group.ranges.map((range) => offsets(range.entries))])).toEqual([
      [false, [[1, 2]]],
      [true, [[3, 4]]],
    ]);
  });

  it('names a range logged before inserts were grouped by the token it was inserted with', () => {
    expect(singleRangeToken(TOPIC, { partition: 3, first: 10, last: 20 })).toBe(`${TOPIC}:3:10-20`);
  });
});
