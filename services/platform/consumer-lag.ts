/**
 * How far a consumer group is behind, from Kafka itself: the end of each partition minus the
 * group's committed offset (the earliest offset where it has none). Read this way, the figure is
 * true even when the consumer is down, which is when an operator needs it most.
 */
import type { Admin } from 'kafkajs';

/** One partition of a group's topics: where the group has committed (null: never) and the partition's ends. */
export interface GroupPosition {
  topic: string;
  partition: number;
  committed: number | null;
  low: number;
  end: number;
}

/** Every partition of `topics` with the group's committed offset and the partition's ends. */
export async function groupPositions(admin: Admin, groupId: string, topics: string[]): Promise<GroupPosition[]> {
  const positions: GroupPosition[] = [];
  for (const { topic, partitions } of await admin.fetchOffsets({ groupId, topics })) {
    const committed = new Map(partitions.map((p) => [p.partition, Number(p.offset)]));
    for (const { partition, offset, low } of await admin.fetchTopicOffsets(topic)) {
      const at = committed.get(partition) ?? -1;
      positions.push({ topic, partition, committed: at >= 0 ? at : null, low: Number(low), end: Number(offset) });
    }
  }
  return positions;
}

/** Records not yet consumed by `groupId`, per topic. */
export async function consumerGroupLag(admin: Admin, groupId: string, topics: string[]): Promise<Map<string, number>> {
  const lag = new Map<string, number>(topics.map((topic) => [topic, 0]));
  for (const { topic, committed, low, end } of await groupPositions(admin, groupId, topics)) {
    lag.set(topic, (lag.get(topic) ?? 0) + Math.max(0, end - (committed ?? low)));
  }
  return lag;
}
