/**
 * Waiting for the pipeline to catch up before a sunset erases anything: every consumer group that
 * carries records on (the normalizer, the ClickHouse sink, each active subscription) must have
 * committed up to the end of what it reads, read from Kafka itself.
 */
import type { Admin } from 'kafkajs';
import { groupPositions } from '../platform/consumer-lag.ts';

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
      // A partition the group never committed on is not one it reads (a subscription's group
      // commits only on the kinds delivered to it).
      for (const { topic, partition, committed, end } of await groupPositions(admin, group.groupId, group.topics)) {
        if (committed === null) continue;
        const key = `${group.groupId}/${topic}:${partition}`;
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
