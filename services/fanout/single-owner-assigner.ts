/**
 * A consumer-group assigner that gives every partition of a subscription's group to one member (the
 * first by member id). A subscription's sequence numbers are given in one place: with two fan-out
 * instances in the group, the other one stands by and takes over on a rebalance (its journal
 * opening fences the former owner's). kafkajs' round-robin assigner would split the partitions.
 */
import { definePartitionAssigner, type Assignment } from '../platform/partition-assigner.ts';

export const singleOwnerAssigner = definePartitionAssigner('TrucSingleOwnerAssigner', (memberIds, topics, partitionsOf) => {
  const assignment = new Map<string, Assignment>(memberIds.map((id) => [id, {}]));
  const owner = memberIds[0];
  if (owner !== undefined) {
    const all: Assignment = {};
    for (const topic of topics) all[topic] = partitionsOf(topic);
    assignment.set(owner, all);
  }
  return assignment;
});
