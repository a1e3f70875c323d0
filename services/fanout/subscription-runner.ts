/**
 * One subscription's consumer: its own consumer group (per generation, so a reset starts a fresh
 * group from the reset instant) over the canonical topics of its kinds, read_committed. A new group
 * starts at the first record written at or after the subscription's `startFrom`. Each batch of one
 * partition is decoded, filtered (subscription and entitlement) and projected (tier), then handed
 * to the delivery (webhook or agency topic), which commits the group's offsets only past what it
 * delivered. Every partition of the group goes to one member (singleOwnerAssigner): that member
 * owns the subscription's sequence numbers, and the delivery hears when it gains or loses them.
 */
import type { Batch, Consumer, EachBatchPayload, IHeaders, Kafka } from 'kafkajs';
import type { Entitlement } from '../platform/access.ts';
import type { AvroSerde } from '../platform/avro-serde.ts';
import type { Kind } from '../platform/catalog.ts';
import type { Logger } from '../platform/logger.ts';
import type { CrashRecorder } from '../platform/stage-crash.ts';
import { retryingAdmin } from '../platform/topic-ends.ts';
import { projectRecord } from '../subscriptions/canonical-fields.ts';
import type { Subscription } from '../subscriptions/model.ts';
import { compileRowFilter, deliveredKinds, effectiveTier } from '../subscriptions/row-filter.ts';
import { singleOwnerAssigner } from './single-owner-assigner.ts';
import type { StatusTracker } from './status-tracker.ts';

export interface SelectedRecord {
  offset: number;
  key: string | null;
  eventId: string;
  /** The projected record (what the tier may see). */
  record: Record<string, unknown>;
  /** The canonical record's source system (for dead letters). */
  source: string;
  /** The canonical message's value and headers as consumed (for dead letters). */
  value: Buffer;
  headers: IHeaders | undefined;
}

export interface RunnerContext {
  kafka: Kafka;
  serde: AvroSerde;
  logger: Logger;
  subscription: Subscription;
  entitlement: Entitlement;
  tracker: StatusTracker;
  groupId: string;
  topicOf: (kind: Kind) => string;
  /** Where the consumer's crashes are told (log and status), if anywhere. */
  crashes?: CrashRecorder;
}

export interface BatchDelivery {
  /** Delivers the selected records of one partition's batch (of canonical `kind`) and commits past them. */
  deliver(payload: EachBatchPayload, kind: Kind, selected: SelectedRecord[], consumer: Consumer): Promise<void>;
  /** After each group join: whether this member now holds the group's partitions (and so numbers its events). */
  assigned(owner: boolean): void;
  close(): Promise<void>;
}

/** Consumer group of a subscription generation; the transactional ids of topic delivery use the prefix too. */
export function subscriptionGroupId(prefix: string, subscription: Subscription): string {
  return `${prefix}-${subscription.id}-g${subscription.generation}`;
}

export class SubscriptionRunner {
  private readonly context: RunnerContext;
  private readonly delivery: BatchDelivery;
  private readonly consumer: Consumer;
  private readonly kindOfTopic = new Map<string, Kind>();
  private readonly filter: ReturnType<typeof compileRowFilter>;
  private readonly tier: ReturnType<typeof effectiveTier>;

  constructor(context: RunnerContext, delivery: BatchDelivery) {
    this.context = context;
    this.delivery = delivery;
    this.filter = compileRowFilter(context.subscription, context.entitlement);
    this.tier = effectiveTier(context.subscription, context.entitlement);
    for (const kind of deliveredKinds(context.subscription, context.entitlement)) this.kindOfTopic.set(context.topicOf(kind), kind);
    this.consumer = context.kafka.consumer({
      groupId: context.groupId,
      readUncommitted: false,
      maxWaitTimeInMs: 100,
      // A delivery may wait on a receiver for as long as its timeout; heartbeats keep the member alive meanwhile.
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      partitionAssigners: [singleOwnerAssigner],
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      this.delivery.assigned(Object.values(payload.memberAssignment).some((partitions) => partitions.length > 0));
    });
    context.crashes?.watch(this.consumer, { part: `subscription ${context.subscription.id}` });
  }

  /**
   * Where each partition without a committed offset starts: the first offset written at or after
   * `startFrom`. (The consumer reads such partitions from the beginning and seeks here before its
   * first delivery; kafkajs' admin.setOffsets would join the group once per topic, which is slow.)
   */
  private async startOffsets(topics: string[]): Promise<Map<string, number>> {
    const { kafka, groupId, subscription } = this.context;
    const starts = new Map<string, number>();
    const admin = kafka.admin();
    await admin.connect();
    try {
      for (const { topic, partitions } of await admin.fetchOffsets({ groupId, topics })) {
        const fresh = new Set(partitions.filter((p) => Number(p.offset) < 0).map((p) => p.partition));
        if (fresh.size === 0) continue;
        for (const { partition, offset } of await admin.fetchTopicOffsetsByTimestamp(topic, subscription.startFrom)) {
          if (fresh.has(partition)) starts.set(`${topic}:${partition}`, Number(offset));
        }
      }
    } finally {
      await admin.disconnect();
    }
    return starts;
  }

  private async select(batch: Batch, kind: Kind): Promise<SelectedRecord[]> {
    const selected: SelectedRecord[] = [];
    for (const message of batch.messages) {
      if (!message.value) continue;
      let record: Record<string, unknown>;
      try {
        record = this.context.serde.decodeCached(message.value) ?? (await this.context.serde.decode(message.value));
      } catch (error) {
        // The normalizer wrote it, so this is a bug elsewhere; it is skipped rather than blocking the subscription.
        this.context.logger.error({ subscription: this.context.subscription.id, topic: batch.topic, partition: batch.partition, offset: message.offset, err: (error as Error).message }, 'undecodable canonical record skipped');
        continue;
      }
      if (!this.filter(kind, record)) continue;
      selected.push({
        offset: Number(message.offset),
        key: message.key?.toString('utf8') ?? null,
        eventId: String(record.event_id),
        record: projectRecord(kind, this.tier, record),
        source: String(record.source),
        value: message.value,
        headers: message.headers,
      });
    }
    return selected;
  }

  async start(): Promise<void> {
    const topics = [...this.kindOfTopic.keys()];
    if (topics.length === 0) return;
    const starts = await retryingAdmin(() => this.startOffsets(topics));
    await this.consumer.connect();
    await this.consumer.subscribe({ topics, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      // Partitions are delivered independently: a key's records are all on one partition, so order per key holds.
      partitionsConsumedConcurrently: 64,
      eachBatch: async (payload) => {
        const { batch } = payload;
        if (batch.messages.length === 0) return;
        const start = starts.get(`${batch.topic}:${batch.partition}`);
        if (start !== undefined) {
          starts.delete(`${batch.topic}:${batch.partition}`);
          if (Number(batch.firstOffset()) < start) {
            // Nothing of this partition was delivered yet, so moving forward skips only records before startFrom.
            this.consumer.seek({ topic: batch.topic, partition: batch.partition, offset: String(start) });
            return;
          }
        }
        this.context.tracker.lag(batch.topic, batch.partition, Number(batch.offsetLagLow()));
        const kind = this.kindOfTopic.get(batch.topic)!;
        const selected = await this.select(batch, kind);
        await this.delivery.deliver(payload, kind, selected, this.consumer);
        this.context.tracker.lag(batch.topic, batch.partition, Number(batch.offsetLag()));
      },
    });
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
    await this.delivery.close();
  }
}
