/**
 * Waiting for the pipeline to catch up before a sunset erases anything: every consumer group that
 * carries records on (the normalizer, the ClickHouse sink, each active subscription) must have
 * committed up to the end of what it reads, read from Kafka itself.
 */
import type { Admin } from 'kafkajs';

/** A consumer group the sunset waits for, named as the operator knows it. */
export interface DrainGroup {
  name: string;
  groupId: string;
  topics: string[];
}

/** One partition as a probe saw it. */
interface PartitionPosition {
  committed: number;
  end: number;
  /** When this position was first seen unchanged. */
  since: number;
}

export type DrainResult = { drained: true } | { drained: false; behind: { name: string; records: number }[] };

/**
 * Where a group stands on the partitions it has committed on. A partition it never committed on is
 * not one it reads (a subscription's group commits only on the kinds delivered to it).
 */
async function positions(admin: Admin, group: DrainGroup): Promise<Map<string, { committed: number; end: number }>> {
  const found = new Map<string, { committed: number; end: number }>();
  for (const { topic, partitions } of await admin.fetchOffsets({ groupId: group.groupId, topics: group.topics })) {
    const committed = new Map(partitions.filter((p) => Number(p.offset) >= 0).map((p) => [p.partition, Number(p.offset)]));
    if (committed.size === 0) continue;
    for (const { partition, high } of await admin.fetchTopicOffsets(topic)) {
      const at = committed.get(partition);
      if (at !== undefined) found.set(`${topic}:${partition}`, { committed: at, end: Number(high) });
    }
  }
  return found;
}

/**
 * Caught up: nothing past the committed offset, or one offset that has not moved for `settleMs`.
 * A transactional writer ends each transaction with a commit marker, and a consumer commits the
 * offset after the last record it read, before that marker; a real record would have been read
 * while the partition was watched.
 */
export function caughtUp(position: PartitionPosition, now: number, settleMs: number): boolean {
  const behind = position.end - position.committed;
  return behind <= 0 || (behind === 1 && now - position.since >= settleMs);
}

export interface DrainOptions {
  timeoutMs: number;
  /** How long a single trailing offset must stay put to count as a commit marker. */
  settleMs?: number;
  intervalMs?: number;
  now?: () => number;
}

/** Resolves once every group has caught up, or after `timeoutMs` with what each group still has to read. */
export async function waitForDrain(admin: Admin, groups: readonly DrainGroup[], options: DrainOptions): Promise<DrainResult> {
  const { timeoutMs, settleMs = 3_000, intervalMs = 500, now = Date.now } = options;
  const seen = new Map<string, PartitionPosition>();
  const deadline = now() + timeoutMs;
  for (;;) {
    const behind: { name: string; records: number }[] = [];
    const at = now();
    for (const group of groups) {
      let records = 0;
      for (const [partition, { committed, end }] of await positions(admin, group)) {
        const key = `${group.groupId}/${partition}`;
        const before = seen.get(key);
        const position = before && before.committed === committed && before.end === end ? before : { committed, end, since: at };
        seen.set(key, position);
        if (!caughtUp(position, at, settleMs)) records += end - committed;
      }
      if (records > 0) behind.push({ name: group.name, records });
    }
    if (behind.length === 0) return { drained: true };
    if (now() >= deadline) return { drained: false, behind };
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
