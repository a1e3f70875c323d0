import { describe, expect, it } from 'vitest';
import { AssignerProtocol, type Cluster, type PartitionAssigner } from 'kafkajs';
import { coPartitionAssigner } from '../../services/normalizer/co-partition-assigner.ts';
import { wholeTopicAssigner } from '../../connectors/clickhouse-sink/topic-assigner.ts';
import { singleOwnerAssigner } from '../../services/fanout/single-owner-assigner.ts';

// Only partition metadata is read from the cluster: a plain object stands in for it.
const cluster = {
  findTopicPartitionMetadata: (topic: string) => Array.from({ length: topic === 'small' ? 2 : 6 }, (_, partitionId) => ({ partitionId })),
} as unknown as Cluster;

async function assign(memberIds: string[], topics: string[], rule: PartitionAssigner = coPartitionAssigner) {
  const assigner = rule({ cluster, groupId: 'g', logger: undefined as never });
  const result = await assigner.assign({ members: memberIds.map((memberId) => ({ memberId, memberMetadata: Buffer.alloc(0) })), topics });
  return Object.fromEntries(result.map(({ memberId, memberAssignment }) => [memberId, AssignerProtocol.MemberAssignment.decode(memberAssignment)!.assignment]));
}

describe('co-partition assigner', () => {
  it('gives partition N of every topic to the same member', async () => {
    const assignment = await assign(['b', 'a'], ['raw.x', 'raw.y', 'small']);
    expect(assignment).toEqual({
      a: { 'raw.x': [0, 2, 4], 'raw.y': [0, 2, 4], small: [0] },
      b: { 'raw.x': [1, 3, 5], 'raw.y': [1, 3, 5], small: [1] },
    });
  });

  it('gives one member everything, and spreads indices over more members than there are', async () => {
    expect(await assign(['only'], ['raw.x'])).toEqual({ only: { 'raw.x': [0, 1, 2, 3, 4, 5] } });
    const many = await assign(['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7'], ['raw.x']);
    expect(many.m7).toEqual({});
    expect(Object.values(many).flatMap((a) => a['raw.x'] ?? []).sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });
});

describe('whole-topic assigner (ClickHouse sink)', () => {
  it('gives all partitions of a topic to one member, topics spread over the members', async () => {
    const assignment = await assign(['b', 'a'], ['canonical.y', 'canonical.x', 'small'], wholeTopicAssigner);
    expect(assignment).toEqual({
      a: { 'canonical.x': [0, 1, 2, 3, 4, 5], small: [0, 1] },
      b: { 'canonical.y': [0, 1, 2, 3, 4, 5] },
    });
  });

  it('leaves members beyond the number of topics idle', async () => {
    const assignment = await assign(['m1', 'm2', 'm3'], ['canonical.x'], wholeTopicAssigner);
    expect(assignment).toEqual({ m1: { 'canonical.x': [0, 1, 2, 3, 4, 5] }, m2: {}, m3: {} });
  });
});

describe('single-owner assigner (fan-out subscriptions)', () => {
  it("gives every partition of every topic to the member at the subscription's place, none to the others", async () => {
    expect(await assign(['m2', 'm1', 'm3'], ['canonical.x', 'small'], singleOwnerAssigner(() => 0))).toEqual({
      m1: { 'canonical.x': [0, 1, 2, 3, 4, 5], small: [0, 1] },
      m2: {},
      m3: {},
    });
    expect(await assign(['m2', 'm1', 'm3'], ['canonical.x'], singleOwnerAssigner(() => 4))).toEqual({ m1: {}, m2: { 'canonical.x': [0, 1, 2, 3, 4, 5] }, m3: {} });
  });

  it('spreads consecutive subscriptions over the instances, whose member ids sort the same in every group', async () => {
    // Member ids start with the instance's client id, then a random part per group.
    const owners = [];
    for (let place = 0; place < 4; place++) {
      const members = [`truc-fanout-b-${place}x`, `truc-fanout-a-${9 - place}y`];
      const assignment = await assign(members, ['canonical.x'], singleOwnerAssigner(() => place));
      owners.push(Object.entries(assignment).find(([, topics]) => topics['canonical.x'])![0].slice(0, 'truc-fanout-a'.length));
    }
    expect(owners).toEqual(['truc-fanout-a', 'truc-fanout-b', 'truc-fanout-a', 'truc-fanout-b']);
  });

  it('falls back to the first member for a subscription no longer stored (place -1)', async () => {
    expect(await assign(['m2', 'm1'], ['small'], singleOwnerAssigner(() => -1))).toEqual({ m1: { small: [0, 1] }, m2: {} });
  });
});
