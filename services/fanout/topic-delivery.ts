/**
 * Agency-topic delivery of one subscription: a partition's selected records, projected to the
 * subscription's tier and encoded with that tier's schema (subject `out.<agency>.<kind>-value`),
 * are written to `out.<agency>.<kind>` with header `truc-sequence` (their sequence numbers) in one
 * Kafka transaction with their sequence journal entry and the group's offsets, so an agency reading
 * read_committed sees each record exactly once, numbered without holes.
 *
 * The transaction is the sequence journal's (transactional id `<prefix>-<subscription>-journal`,
 * without the generation, so a reset fences the previous generation's writer too). Its first
 * transaction fences the previous holder; the holder then reads the group's committed offsets,
 * since the offset the consumer fetched at join may predate the last commit of the instance it
 * fenced, and skips what that instance already wrote.
 *
 * Each record's disclosure audit entry goes into the same transaction, so the audit holds a topic
 * delivery exactly when the agency topic does.
 */
import type { Tier } from '../platform/access.ts';
import { deliveryRecord, type AuditLog } from '../platform/audit-log.ts';
import { valueSubject, type AvroSerde, type AvroWriter } from '../platform/avro-serde.ts';
import type { Kind } from '../platform/catalog.ts';
import { HEADER } from '../platform/record-headers.ts';
import { projectedSchema } from '../platform/field-classes.ts';
import type { PartitionOffset, SinkBatch, SinkContext } from '../platform/sink-runner.ts';
import { agencyTopic } from '../subscriptions/model.ts';
import type { SequenceJournal } from './sequence-journal.ts';
import type { BatchDelivery, SelectedRecord } from './subscription-runner.ts';
import type { FanoutMetrics } from './metrics.ts';
import type { StatusTracker } from './status-tracker.ts';

export interface TopicDeliveryOptions {
  agency: string;
  subscriptionId: string;
  tier: Tier;
  audit: AuditLog;
  tracker: StatusTracker;
  metrics: FanoutMetrics;
  /** The subscription's sequence numbers; its transactions carry the records and offsets too. */
  sequence: SequenceJournal;
}

/** Registers the projected schema of each kind under its agency topic's subject; returns the writers. */
export async function agencyTopicWriters(serde: AvroSerde, agency: string, kinds: Kind[], tier: Tier): Promise<Map<Kind, AvroWriter>> {
  const writers = new Map<Kind, AvroWriter>();
  for (const kind of kinds) {
    const id = await serde.register(valueSubject(agencyTopic(agency, kind)), projectedSchema(kind, tier));
    writers.set(kind, await serde.writer(id));
  }
  return writers;
}

export class TopicBatchDelivery implements BatchDelivery {
  private readonly options: TopicDeliveryOptions;
  private readonly encoders: Map<Kind, AvroWriter>;

  constructor(options: TopicDeliveryOptions, encoders: Map<Kind, AvroWriter>) {
    this.options = options;
    this.encoders = encoders;
  }

  assigned(owner: boolean): void {
    // Opening early fences a former owner before the first batch arrives.
    if (owner) this.options.sequence.open().catch(() => {});
  }

  async deliver(batch: SinkBatch, kind: Kind, selected: SelectedRecord[], context: SinkContext): Promise<void> {
    const { sequence, agency, tracker, metrics, audit, subscriptionId, tier } = this.options;
    const first = Number(batch.messages[0]!.offset);
    const next = batch.nextOffset;
    // Records below the floor were written by an earlier holder of the journal's transactional id.
    const floor = await sequence.committedOffset(batch.topic, batch.partition);
    if (next <= floor) return;
    const records = selected.filter((record) => record.offset >= Math.max(first, floor));
    // A batch is one partition of one canonical topic, so all its records go to one agency topic.
    const encoder = this.encoders.get(kind)!;
    // Even a batch with nothing selected commits its offsets in a transaction.
    const at = Date.now();
    await sequence.number(kind, batch.topic, batch.partition, records, (numbers) => ({
      topicMessages: records.length > 0
        ? [
            {
              topic: agencyTopic(agency, kind),
              messages: records.map((record, i) => ({
                key: record.key,
                value: encoder.encode(record.record),
                headers: { [HEADER.eventId]: record.eventId, [HEADER.sequence]: String(numbers[i]) },
              })),
            },
            audit.messages([deliveryRecord({
              agency, subscription: subscriptionId, channel: 'topic', tier, kind, batchId: records[0]!.eventId,
              events: records.map((record) => ({ eventId: record.eventId, personKey: record.personKey })),
            }, at)]),
          ]
        : [],
      offsets: { topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: String(next) }] }] },
    }));
    if (records.length > 0) {
      tracker.delivered(records.length);
      metrics.delivered.inc({ subscription: subscriptionId, channel: 'topic' }, records.length);
      tracker.sequenced(sequence.last, sequence.sinceStart);
    }
    await context.heartbeat().catch(() => {});
  }

  /** None: the offsets went into the delivery's own transactions (exactly once to the agency topic). */
  deliveredOffsets(): PartitionOffset[] {
    return [];
  }

  committed(): void {
    // The runner never commits for this delivery.
  }

  async close(): Promise<void> {
    await this.options.sequence.close();
  }
}
