/**
 * How far a consumer group is behind, from Kafka itself: the end of each partition minus the
 * group's committed offset (the earliest offset where it has none). Read this way, the figure is
 * true even when the consumer is down, which is when an operator needs it most.
 */
import type { Admin } from 'kafkajs';

/** Records not yet consumed by `groupId`, per topic. */
export async function consumerGroupLag(admin: Admin, groupId: string, topics: string[]): Promise<Map<string, number>> {
  const lag = new Map<string, number>();
  const committed = await admin.fetchOffsets({ groupId, topics });
  for (const { topic, partitions } of committed) {
    const position = new Map(partitions.map((p) => [p.partition, Number(p.offset)]));
    let behind = 0;
    for (const { partition, offset, low } of await admin.fetchTopicOffsets(topic)) {
      const from = position.get(partition) ?? -1;
      behind += Math.max(0, Number(offset) - (from >= 0 ? from : Number(low)));
    }
    lag.set(topic, behind);
  }
  return lag;
}
