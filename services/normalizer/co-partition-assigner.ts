/**
 * A consumer-group assigner that gives partition N of every subscribed topic to the same member.
 *
 * The raw topics are keyed by the key their canonical record will have (a person's key for
 * declarations and passages), so partition N of every raw topic holds the same people. The
 * normalizer keeps its duplicate-detection state and its transactional producer per partition
 * index: co-partitioned assignment puts all of one index's input, state and fencing in one member.
 * kafkajs' built-in round-robin assigner spreads partitions without regard to their index.
 */
import { definePartitionAssigner, type Assignment } from '../platform/partition-assigner.ts';

const CO_PARTITION_ASSIGNER_NAME = 'TrucCoPartitionAssigner';

export const coPartitionAssigner = definePartitionAssigner(CO_PARTITION_ASSIGNER_NAME, (memberIds, topics, partitionsOf) => {
  const assignment = new Map<string, Assignment>(memberIds.map((id) => [id, {}]));
  for (const topic of topics) {
    for (const partition of partitionsOf(topic)) {
      const owner = assignment.get(memberIds[partition % memberIds.length]!)!;
      (owner[topic] ??= []).push(partition);
    }
  }
  return assignment;
});
