/**
 * Which buffered records of one canonical topic a flush inserts, and in which inserts.
 *
 * One insert per topic and flush: every partition's buffered range goes into the same insert, so a
 * flush costs one insert per kind, not one per kind and partition (each insert runs the kind's
 * materialized view, and a few dozen small inserts per second was most of the sink's latency).
 * The insert's deduplication token comes from its ranges, and the ranges are logged with it before
 * the insert. After a crash or a rebalance, groups logged after the committed offsets are formed
 * again with exactly their ranges (same rows, same token), so ClickHouse drops whatever of them it
 * already holds, in the table and in the views; a group of which some range was committed had been
 * acknowledged as a whole, so its records are only committed again. Only then do new records flow.
 * The sink's assigner gives a topic's partitions to one member, so every logged group can be formed
 * again by whoever holds its topic.
 */
import { hash } from 'node:crypto';

export interface OffsetRange {
  partition: number;
  first: number;
  last: number;
}

/** A group of ranges logged by an earlier flush whose commit is not known to have happened. */
export interface LoggedGroup {
  token: string;
  ranges: OffsetRange[];
  /** Some range of it was committed, so the insert had been acknowledged: commit, do not insert. */
  inserted: boolean;
}

export interface PlannedRange<E> extends OffsetRange {
  entries: E[];
}

export interface PlannedGroup<E> {
  token: string;
  ranges: PlannedRange<E>[];
  /** Formed again from the log (no need to log it a second time). */
  logged: boolean;
  /** Already in ClickHouse: its offsets are only committed. */
  inserted: boolean;
}

export interface TopicPlan<E> {
  groups: PlannedGroup<E>[];
  /** Per partition, how many buffered entries (from the front) the groups take. */
  taken: Map<number, number>;
  /** How many of the logged groups (from the front) the plan forms again. */
  loggedTaken: number;
  rows: number;
}

/** The token of a new group: the topic, then a digest of its ranges (deterministic for the same ranges). */
export function groupToken(topic: string, ranges: readonly OffsetRange[]): string {
  const text = [...ranges]
    .sort((a, b) => a.partition - b.partition)
    .map((range) => `${range.partition}:${range.first}-${range.last}`)
    .join(',');
  return `${topic}:${hash('sha256', text, 'base64url')}`;
}

/** The token of a range logged before groups existed: it was inserted on its own with this one. */
export function singleRangeToken(topic: string, range: OffsetRange): string {
  return `${topic}:${range.partition}:${range.first}-${range.last}`;
}

/**
 * Plans one topic's part of a flush: the logged groups first, in order, each once all its ranges
 * are buffered; then one new group of what else is buffered, within `budget` rows. A partition
 * still owed a logged group contributes nothing new until that group is written.
 */
export function planTopic<E extends { offset: number }>(
  topic: string,
  buffers: ReadonlyMap<number, readonly E[]>,
  logged: readonly LoggedGroup[],
  budget: number,
): TopicPlan<E> {
  const cursor = new Map<number, number>([...buffers.keys()].map((partition) => [partition, 0]));
  const plan: TopicPlan<E> = { groups: [], taken: cursor, loggedTaken: 0, rows: 0 };
  const add = (group: PlannedGroup<E>) => {
    plan.groups.push(group);
    for (const range of group.ranges) {
      cursor.set(range.partition, (cursor.get(range.partition) ?? 0) + range.entries.length);
      plan.rows += range.entries.length;
    }
  };

  for (const group of logged) {
    if (plan.rows >= budget || !buffered(group, buffers, cursor)) break;
    // Records before a logged range that no range holds were never logged, hence never inserted.
    const gaps = new Map<number, E[]>();
    for (const range of group.ranges) {
      const entries = buffers.get(range.partition)!;
      const from = cursor.get(range.partition)!;
      let to = from;
      while (to < entries.length && entries[to]!.offset < range.first) to += 1;
      if (to > from) gaps.set(range.partition, entries.slice(from, to));
    }
    if (gaps.size > 0) add(newGroup(topic, gaps));
    const ranges = group.ranges.map((range) => {
      const entries = buffers.get(range.partition)!;
      const from = cursor.get(range.partition)!;
      let to = from;
      while (to < entries.length && entries[to]!.offset <= range.last) to += 1;
      return { ...range, entries: entries.slice(from, to) };
    });
    add({ token: group.token, ranges, logged: true, inserted: group.inserted });
    plan.loggedTaken += 1;
  }

  const owed = new Set(logged.slice(plan.loggedTaken).flatMap((group) => group.ranges.map((range) => range.partition)));
  const fresh = new Map<number, E[]>();
  let room = budget - plan.rows;
  for (const partition of [...buffers.keys()].sort((a, b) => a - b)) {
    if (room <= 0 || owed.has(partition)) continue;
    const entries = buffers.get(partition)!;
    const from = cursor.get(partition)!;
    const slice = entries.slice(from, from + room);
    if (slice.length === 0) continue;
    fresh.set(partition, slice);
    room -= slice.length;
  }
  if (fresh.size > 0) add(newGroup(topic, fresh));
  return plan;
}

function buffered<E extends { offset: number }>(group: LoggedGroup, buffers: ReadonlyMap<number, readonly E[]>, cursor: ReadonlyMap<number, number>): boolean {
  return group.ranges.every((range) => {
    const entries = buffers.get(range.partition);
    // Past the range's last offset: the whole range is here (a compacted record may be missing from it).
    return entries !== undefined && entries.length > (cursor.get(range.partition) ?? 0) && entries[entries.length - 1]!.offset >= range.last;
  });
}

function newGroup<E extends { offset: number }>(topic: string, slices: ReadonlyMap<number, E[]>): PlannedGroup<E> {
  const ranges = [...slices]
    .sort(([a], [b]) => a - b)
    .map(([partition, entries]) => ({ partition, first: entries[0]!.offset, last: entries[entries.length - 1]!.offset, entries }));
  return { token: groupToken(topic, ranges), ranges, logged: false, inserted: false };
}
