/**
 * A consumer-group assigner that gives partition N of every subscribed topic to the same member.
 *
 * The raw topics are keyed by the key their canonical record will have (a person's key for
 * declarations and passages), so partition N of every raw topic holds the same people. The
 * normalizer keeps its duplicate-detection state and its transactional producer per partition
 * index: co-partitioned assignment puts all of one index's input, state and fencing in one member.
 * kafkajs' built-in round-robin assigner spreads partitions without regard to their index.
 */
import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';

export const CO_PARTITION_ASSIGNER_NAME = 'TrucCoPartitionAssigner';

export const coPartitionAssigner: PartitionAssigner = ({ cluster }) => ({
  name: CO_PARTITION_ASSIGNER_NAME,
  version: 0,
  async assign({ members, topics }) {
    const memberIds = members.map(({ memberId }) => memberId).sort();
    const assignment = new Map<string, Record<string, number[]>>(memberIds.map((id) => [id, {}]));
    for (const topic of topics) {
      for (const { partitionId } of cluster.findTopicPartitionMetadata(topic)) {
        const owner = assignment.get(memberIds[partitionId % memberIds.length]!)!;
        (owner[topic] ??= []).push(partitionId);
      }
    }
    return memberIds.map((memberId) => ({
      memberId,
      memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 0, assignment: assignment.get(memberId)!, userData: Buffer.alloc(0) }),
    }));
  },
  protocol({ topics }) {
    return {
      name: CO_PARTITION_ASSIGNER_NAME,
      metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }),
    };
  },
});
