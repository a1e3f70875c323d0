/**
 * A consumer-group assigner that gives every partition of a topic to the same member (topics spread
 * round-robin over the members, in name order). The ClickHouse sink writes all of one topic's
 * partitions that a flush holds in a single insert; after a crash, whoever holds the topic must be
 * able to form that insert again, so no insert may span two members. More sink instances than
 * canonical topics leave the extra ones idle.
 */
import { definePartitionAssigner, type Assignment } from '../../services/platform/partition-assigner.ts';

const WHOLE_TOPIC_ASSIGNER_NAME = 'TrucWholeTopicAssigner';

export const wholeTopicAssigner = definePartitionAssigner(WHOLE_TOPIC_ASSIGNER_NAME, (memberIds, topics, partitionsOf) => {
  const assignment = new Map<string, Assignment>(memberIds.map((id) => [id, {}]));
  [...topics].sort().forEach((topic, index) => {
    assignment.get(memberIds[index % memberIds.length]!)![topic] = partitionsOf(topic);
  });
  return assignment;
});
