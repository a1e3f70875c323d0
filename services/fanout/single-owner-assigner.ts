/**
 * A consumer-group assigner that gives every partition of a subscription's group to one member. A
 * subscription's sequence numbers are given in one place: with two fan-out instances in the group,
 * the other one stands by and takes over on a rebalance (its journal opening fences the former
 * owner's). kafkajs' round-robin assigner would split the partitions.
 *
 * Which member: the one at the subscription's place (its rank among the stored subscriptions)
 * modulo the number of members, members in the order of their ids. Every fan-out instance's client
 * id names the instance (member ids start with it), so the members of all subscriptions' groups
 * come in the same order, and consecutive subscriptions go to different instances: the work is
 * spread over the instances, not all on the one whose member id happens to sort first.
 */
import { definePartitionAssigner, type Assignment } from '../platform/partition-assigner.ts';

export function singleOwnerAssigner(place: () => number) {
  return definePartitionAssigner('TrucSingleOwnerAssigner', (memberIds, topics, partitionsOf) => {
    const assignment = new Map<string, Assignment>(memberIds.map((id) => [id, {}]));
    if (memberIds.length === 0) return assignment;
    const owner = memberIds[Math.max(0, place()) % memberIds.length]!;
    const all: Assignment = {};
    for (const topic of topics) all[topic] = partitionsOf(topic);
    assignment.set(owner, all);
    return assignment;
  });
}
