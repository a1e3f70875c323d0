/**
 * One subscription's consumer: its own consumer group (per generation, so a reset starts a fresh
 * group from the reset instant) over the canonical topics of its kinds, read_committed. A new group
 * starts at the first record written at or after the subscription's `startFrom`. Each batch of one
 * partition is decoded, filtered (subscription and entitlement) and projected (tier), then handed
 * to the delivery (webhook or agency topic); the group's offsets move only past what it delivered.
 * Every partition of the group goes to one member (singleOwnerAssigner, by the subscription's
 * place): that member owns the subscription's sequence numbers, and the delivery hears when it
 * gains or loses them. The consumer, its rebalances and commits are the sink runner's (services/platform/sink-runner.ts):
 * this is its task.
 */
import type { IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import type { Entitlement } from '../platform/access.ts';
import type { AvroSerde } from '../platform/avro-serde.ts';
import type { Kind } from '../platform/catalog.ts';
import type { Logger } from '../platform/logger.ts';
import { SinkRunner, type PartitionOffset, type SinkBatch, type SinkContext, type SinkTask, type TopicPartition } from '../platform/sink-runner.ts';
import type { CrashRecorder } from '../platform/stage-crash.ts';
import { retryingAdmin } from '../platform/topic-ends.ts';
import { projectRecord } from '../platform/field-classes.ts';
import type { Subscription } from '../subscriptions/model.ts';
import { compileRowFilter, deliveredKinds, effectiveTier } from '../subscriptions/row-filter.ts';
import { singleOwnerAssigner } from './single-owner-assigner.ts';
import type { StatusTracker } from './status-tracker.ts';

export interface SelectedRecord {
  offset: number;
  key: string | null;
  eventId: string;
  /** The canonical record's person, whatever the tier shows (for the disclosure audit). */
  personKey: string | null;
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
  /** The subscription's rank among the stored ones: which fan-out instance delivers it (singleOwnerAssigner). */
  place: () => number;
  /** Where the consumer's crashes are told (log and status), if anywhere. */
  crashes?: CrashRecorder;
}

export interface BatchDelivery {
  /** Delivers the selected records of one partition's batch (of canonical `kind`). */
  deliver(batch: SinkBatch, kind: Kind, selected: SelectedRecord[], context: SinkContext): Promise<void>;
  /** The offsets the group may commit (past what was delivered); none when the delivery commits them in its own transactions. */
  deliveredOffsets(): PartitionOffset[];
  /** The group committed these offsets. */
  committed(offsets: PartitionOffset[]): void;
  /** After each group join: whether this member now holds the group's partitions (and so numbers its events). */
  assigned(owner: boolean): void;
  close(): Promise<void>;
}

export class SubscriptionRunner implements SinkTask {
  private readonly context: RunnerContext;
  private readonly delivery: BatchDelivery;
  private readonly runner: SinkRunner;
  private readonly kindOfTopic = new Map<string, Kind>();
  private readonly filter: ReturnType<typeof compileRowFilter>;
  private readonly tier: ReturnType<typeof effectiveTier>;

  constructor(context: RunnerContext, delivery: BatchDelivery) {
    this.context = context;
    this.delivery = delivery;
    this.filter = compileRowFilter(context.subscription, context.entitlement);
    this.tier = effectiveTier(context.subscription, context.entitlement);
    for (const kind of deliveredKinds(context.subscription, context.entitlement)) this.kindOfTopic.set(context.topicOf(kind), kind);
    this.runner = new SinkRunner(
      {
        kafka: context.kafka,
        consumer: {
          groupId: context.groupId,
          maxWaitTimeInMs: 100,
          // A delivery may wait on a receiver for as long as its timeout; heartbeats keep the member alive meanwhile.
          sessionTimeout: 30_000,
          heartbeatInterval: 3_000,
          partitionAssigners: [singleOwnerAssigner(context.place)],
        },
        topics: [...this.kindOfTopic.keys()],
        // Partitions are delivered independently: a key's records are all on one partition, so order per key holds.
        partitionsConsumedConcurrently: 64,
        startOffsets: (topics) => retryingAdmin(() => this.startOffsets(topics)),
        logger: context.logger,
        ...(context.crashes ? { crashes: { recorder: context.crashes, part: `subscription ${context.subscription.id}` } } : {}),
      },
      this,
    );
  }

  /**
   * Where each partition without a committed offset starts: the first offset written at or after
   * `startFrom`. (The runner reads such partitions from the beginning and seeks here before its
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

  private async select(batch: SinkBatch, kind: Kind): Promise<SelectedRecord[]> {
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
      selected.push(selectedRecord(message, message.value, kind, this.tier, record));
    }
    return selected;
  }

  open(partitions: TopicPartition[]): void {
    this.delivery.assigned(partitions.length > 0);
  }

  close(): void {
    // Nothing is held between batches: each batch is delivered (or read again) before the next.
  }

  async put(batch: SinkBatch, context: SinkContext): Promise<void> {
    if (batch.messages.length === 0) return;
    const { tracker } = this.context;
    tracker.lag(batch.topic, batch.partition, batch.highWatermark - 1 - Number(batch.messages[0]!.offset));
    const kind = this.kindOfTopic.get(batch.topic)!;
    const selected = await this.select(batch, kind);
    await this.delivery.deliver(batch, kind, selected, context);
    tracker.lag(batch.topic, batch.partition, batch.highWatermark - batch.nextOffset);
  }

  async preCommit(): Promise<PartitionOffset[]> {
    return this.delivery.deliveredOffsets();
  }

  committed(offsets: PartitionOffset[]): void {
    this.delivery.committed(offsets);
  }

  start(): Promise<void> {
    return this.runner.start();
  }

  async stop(): Promise<void> {
    await this.runner.stop();
    await this.delivery.close();
  }
}

function selectedRecord(message: KafkaMessage, value: Buffer, kind: Kind, tier: ReturnType<typeof effectiveTier>, record: Record<string, unknown>): SelectedRecord {
  return {
    offset: Number(message.offset),
    key: message.key?.toString('utf8') ?? null,
    eventId: String(record.event_id),
    personKey: typeof record.person_key === 'string' ? record.person_key : null,
    record: projectRecord(kind, tier, record),
    source: String(record.source),
    value,
    headers: message.headers,
  };
}
