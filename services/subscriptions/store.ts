/**
 * The subscriptions as every instance knows them (the compacted subscriptions topic, followed live),
 * with their delivery status (the compacted status topic the fan-out writes).
 */
import type { Kafka } from 'kafkajs';
import { CompactedTable } from '../platform/compacted-table.ts';
import type { Config } from '../platform/config.ts';
import type { Logger } from '../platform/logger.ts';
import { ensureTopics } from '../platform/topics.ts';
import type { DeliveryStatus } from './delivery-status.ts';
import type { Subscription } from './model.ts';
import { parseStoredSubscription } from './validation.ts';

export class SubscriptionStore {
  readonly subscriptions: CompactedTable<Subscription>;
  readonly statuses: CompactedTable<DeliveryStatus>;

  private constructor(subscriptions: CompactedTable<Subscription>, statuses: CompactedTable<DeliveryStatus>) {
    this.subscriptions = subscriptions;
    this.statuses = statuses;
  }

  static async start(kafka: Kafka, config: Config, logger: Logger): Promise<SubscriptionStore> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(
        admin,
        [
          { name: config.fanout.subscriptionsTopic, compacted: true, partitions: 1 },
          { name: config.fanout.statusTopic, compacted: true, partitions: 1 },
        ],
        config.topics,
      );
    } finally {
      await admin.disconnect();
    }
    const [subscriptions, statuses] = await Promise.all([
      CompactedTable.start<Subscription>({ kafka, topic: config.fanout.subscriptionsTopic, logger, parse: parseStoredSubscription }),
      CompactedTable.start<DeliveryStatus>({ kafka, topic: config.fanout.statusTopic, logger, parse: (value) => value as DeliveryStatus }),
    ]);
    return new SubscriptionStore(subscriptions, statuses);
  }

  get(id: string): Subscription | undefined {
    return this.subscriptions.get(id);
  }

  list(): Subscription[] {
    return this.subscriptions.values().sort((a, b) => a.createdAt - b.createdAt);
  }

  async put(subscription: Subscription): Promise<void> {
    await this.subscriptions.write(subscription.id, subscription);
  }

  async delete(id: string): Promise<void> {
    await this.subscriptions.write(id, null);
    await this.statuses.write(id, null);
  }

  status(id: string): DeliveryStatus | undefined {
    return this.statuses.get(id);
  }

  async close(): Promise<void> {
    await Promise.all([this.subscriptions.close(), this.statuses.close()]);
  }
}
