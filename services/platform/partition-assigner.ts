/**
 * A kafkajs consumer-group assigner from a plain spreading rule: the rule sees the member ids
 * (sorted, so every member computes the same answer) and the subscribed topics with their
 * partitions, and returns each member's topics and partitions; this module does the protocol's
 * encoding around it.
 */
import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';

export type Assignment = Record<string, number[]>;

export type SpreadRule = (memberIds: readonly string[], topics: readonly string[], partitionsOf: (topic: string) => number[]) => Map<string, Assignment>;

export function definePartitionAssigner(name: string, spread: SpreadRule): PartitionAssigner {
  return ({ cluster }) => ({
    name,
    version: 0,
    async assign({ members, topics }) {
      const memberIds = members.map(({ memberId }) => memberId).sort();
      const assignment = spread(memberIds, topics, (topic) => cluster.findTopicPartitionMetadata(topic).map(({ partitionId }) => partitionId));
      return memberIds.map((memberId) => ({
        memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 0, assignment: assignment.get(memberId) ?? {}, userData: Buffer.alloc(0) }),
      }));
    },
    protocol({ topics }) {
      return { name, metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }) };
    },
  });
}
