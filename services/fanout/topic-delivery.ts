/**
 * Agency-topic delivery of one subscription: a partition's selected records, projected to the
 * subscription's tier and encoded with that tier's schema (subject `out.<agency>.<kind>-value`),
 * are written to `out.<agency>.<kind>` in one Kafka transaction with the group's offsets, so an
 * agency reading read_committed sees each record exactly once.
 *
 * Each canonical partition has its own transactional id, `<prefix>-<subscription>-<kind>-<partition>`
 * (without the generation, so a reset fences the previous generation's writers too). The first
 * transaction of a new holder fences the previous one; the holder then re-reads the group's
 * committed offset, since the offset the consumer fetched at join may predate the last commit of
 * the instance it fenced, and skips what that instance already wrote.
 */
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { Tier } from '../platform/access.ts';
import { valueSubject, type AvroSerde, type AvroWriter } from '../platform/avro-serde.ts';
import type { Kind } from '../platform/catalog.ts';
import { HEADER } from '../platform/record-headers.ts';
import { TransactionalWriter } from '../platform/transactional-writer.ts';
import { projectedSchema } from '../subscriptions/canonical-fields.ts';
import { agencyTopic } from '../subscriptions/model.ts';
import type { BatchDelivery, SelectedRecord } from './subscription-runner.ts';
import type { StatusTracker } from './status-tracker.ts';

export interface TopicDeliveryOptions {
  kafka: Kafka;
  agency: string;
  subscriptionId: string;
  groupId: string;
  transactionalPrefix: string;
  tracker: StatusTracker;
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

interface PartitionWriter {
  writer: TransactionalWriter;
  /** Records below this offset were written by an earlier holder. */
  floor: number;
}

export class TopicBatchDelivery implements BatchDelivery {
  private readonly options: TopicDeliveryOptions;
  private readonly encoders: Map<Kind, AvroWriter>;
  private readonly writers = new Map<string, Promise<PartitionWriter>>();

  constructor(options: TopicDeliveryOptions, encoders: Map<Kind, AvroWriter>) {
    this.options = options;
    this.encoders = encoders;
  }

  private open(topic: string, partition: number, kind: Kind): Promise<PartitionWriter> {
    const name = `${topic}:${partition}`;
    let opening = this.writers.get(name);
    if (!opening) {
      opening = (async () => {
        const { kafka, transactionalPrefix, subscriptionId, groupId } = this.options;
        const writer = await TransactionalWriter.open(kafka, `${transactionalPrefix}-${subscriptionId}-${kind}-${partition}`);
        try {
          // An empty transaction fences the previous holder and waits out its open transaction.
          await writer.commit([]);
          const admin = kafka.admin();
          await admin.connect();
          try {
            const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
            const offset = Number(committed?.partitions.find((p) => p.partition === partition)?.offset ?? -1);
            return { writer, floor: offset };
          } finally {
            await admin.disconnect();
          }
        } catch (error) {
          await writer.close().catch(() => {});
          throw error;
        }
      })();
      opening.catch(() => this.writers.delete(name));
      this.writers.set(name, opening);
    }
    return opening;
  }

  async deliver(payload: EachBatchPayload, kind: Kind, selected: SelectedRecord[], _consumer: Consumer): Promise<void> {
    const { batch, resolveOffset } = payload;
    const first = Number(batch.firstOffset() ?? 0);
    const next = Number(batch.lastOffset()) + 1;
    // The writer is opened even for a batch with nothing selected: its offsets still commit in a transaction.
    const partitionWriter = await this.open(batch.topic, batch.partition, kind);
    if (next <= partitionWriter.floor) {
      resolveOffset(batch.lastOffset());
      return;
    }
    const records = selected.filter((record) => record.offset >= Math.max(first, partitionWriter.floor));
    // A batch is one partition of one canonical topic, so all its records go to one agency topic.
    const encoder = this.encoders.get(kind)!;
    const messages = records.map((record) => ({ key: record.key, value: encoder.encode(record.record), headers: { [HEADER.eventId]: record.eventId } }));
    try {
      await partitionWriter.writer.commit(
        messages.length > 0 ? [{ topic: agencyTopic(this.options.agency, kind), messages }] : [],
        { consumerGroupId: this.options.groupId, topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: String(next) }] }] },
      );
    } catch (error) {
      // The writer may be fenced or broken: the next attempt opens a new one (and re-reads the floor).
      this.writers.delete(`${batch.topic}:${batch.partition}`);
      await partitionWriter.writer.close().catch(() => {});
      throw error;
    }
    partitionWriter.floor = next;
    resolveOffset(batch.lastOffset());
    if (records.length > 0) this.options.tracker.delivered(records.length);
    await payload.heartbeat().catch(() => {});
  }

  async close(): Promise<void> {
    const writers = [...this.writers.values()];
    this.writers.clear();
    await Promise.all(writers.map(async (opening) => (await opening.catch(() => null))?.writer.close()));
  }
}
