/**
 * The consumer groups a sunset waits for: the normalizer over the raw topics, the ClickHouse sink
 * over the canonical topics and each active subscription's delivery. A paused subscription is not
 * waited for (it may stay paused for weeks); the receipt names it.
 */
import { KINDS, rawTopic, sourceKinds } from '../platform/catalog.ts';
import type { Config } from '../platform/config.ts';
import { subscriptionGroupId, type Subscription } from '../subscriptions/model.ts';
import type { DrainGroup } from './drain.ts';

export function pipelineGroups(config: Config, subscriptions: readonly Subscription[]): { groups: DrainGroup[]; notWaitedFor: string[] } {
  const groups: DrainGroup[] = [
    { name: 'normalizer', groupId: config.normalizer.groupId, topics: sourceKinds().map(({ source, kind }) => rawTopic(source, kind)) },
    { name: 'ClickHouse sink', groupId: config.clickhouseSink.groupId, topics: KINDS.map((kind) => `${config.clickhouseSink.topicPrefix}${kind}`) },
  ];
  const notWaitedFor: string[] = [];
  for (const subscription of subscriptions) {
    if (subscription.state !== 'active') {
      notWaitedFor.push(`subscription ${subscription.id} (${subscription.agency})`);
      continue;
    }
    groups.push({
      name: `subscription ${subscription.id} (${subscription.agency})`,
      groupId: subscriptionGroupId(config.fanout.groupPrefix, subscription),
      topics: KINDS.map((kind) => `${config.fanout.canonicalTopicPrefix}${kind}`),
    });
  }
  return { groups, notWaitedFor };
}
