/**
 * The disclosure audit's writing side (README, "Disclosure audit"): every record delivered to an
 * agency, every analyst query and every reading of the audit becomes an Avro record on the
 * append-only audit topic: one per delivered batch (listing its events), per query, per reading.
 * The audit table keeps one row per delivered event, keyed by its subscription and event id, so an
 * event written twice — a webhook batch re-sent after a crash, cut into other batches — is still
 * one row.
 *
 * Topic deliveries put their audit records in the transaction that writes the agency topic
 * (`messages`), so they are there exactly when the delivery is; webhook deliveries and queries write
 * them through this log's idempotent producer (`write`) once the receiver acknowledged or before
 * the analyst gets the answer. Concurrent writes (every partition of every webhook subscription)
 * share produce requests (CoalescingProducer): one round trip each would cost the fan-out a third
 * of its throughput.
 */
import { Partitioners, type Kafka, type Message } from 'kafkajs';
import { valueSubject, type AvroSerde, type AvroWriter } from './avro-serde.ts';
import { CoalescingProducer } from './coalescing-producer.ts';
import { retentionOf, type Config } from './config.ts';
import type { Logger } from './logger.ts';
import { readSchemaFile } from './schema-files.ts';
import { readProduceLimits } from './produce-limits.ts';
import { ensureTopics, logEnsuredTopics, type TopicSpec } from './topics.ts';

export const AUDIT_SCHEMA = readSchemaFile('schemas/audit/audit-record.avsc');

export type AuditAction = 'delivery' | 'analyst_query' | 'audit_read' | 'sunset';
export type DeliveryChannel = 'webhook' | 'topic';

/** One delivered record of a delivery entry. */
export interface DeliveredEvent {
  event_id: string;
  person_key: string | null;
}

/** One audit record, as on the topic (snake_case, like the canonical records). */
export interface AuditRecord {
  audit_id: string;
  action: AuditAction;
  /** Epoch milliseconds. */
  at: number;
  actor: string;
  subscription: string | null;
  channel: DeliveryChannel | null;
  tier: string | null;
  kind: string | null;
  /** The records a delivery disclosed; empty for other entries. */
  events: DeliveredEvent[];
  person_key: string | null;
  statement: string | null;
  rows_read: number | null;
  refused: boolean;
}

/** A batch of records of one kind delivered to an agency under a subscription. */
export interface Disclosure {
  agency: string;
  subscription: string;
  channel: DeliveryChannel;
  tier: string;
  kind: string;
  /** What names the batch: the webhook-id, or the first event's id on a topic. */
  batchId: string;
  events: { eventId: string; personKey: string | null }[];
}

/** The same delivery of an event always has the same id, however often it is written (the table's row key). */
export function deliveryAuditId(subscription: string, eventId: string): string {
  return `delivery/${subscription}/${eventId}`;
}

/** One entry for a delivered batch: one audit record per batch keeps the audit's cost small beside the delivery's. */
export function deliveryRecord(disclosure: Disclosure, at: number): AuditRecord {
  return {
    audit_id: deliveryAuditId(disclosure.subscription, disclosure.batchId),
    action: 'delivery',
    at,
    actor: disclosure.agency,
    subscription: disclosure.subscription,
    channel: disclosure.channel,
    tier: disclosure.tier,
    kind: disclosure.kind,
    events: disclosure.events.map((event) => ({ event_id: event.eventId, person_key: event.personKey })),
    person_key: null,
    statement: null,
    rows_read: null,
    refused: false,
  };
}

/** A record that is not a delivery (a query, a reading of the audit): no delivery fields. */
export function actionRecord(
  fields: Pick<AuditRecord, 'audit_id' | 'action' | 'at' | 'actor' | 'statement' | 'rows_read'> & Partial<Pick<AuditRecord, 'refused' | 'person_key'>>,
): AuditRecord {
  return { subscription: null, channel: null, tier: null, kind: null, events: [], person_key: null, refused: false, ...fields };
}

/** The audit topic: append-only (never compacted), kept for the audit's retention. */
export function auditTopicSpec(config: Pick<Config, 'audit' | 'retention'>): TopicSpec {
  return { name: config.audit.topic, retentionMs: retentionOf(config.retention, 'audit') };
}

export class AuditLog {
  readonly topic: string;
  private readonly writer: AvroWriter;
  private readonly producer: CoalescingProducer;

  private constructor(topic: string, writer: AvroWriter, producer: CoalescingProducer) {
    this.topic = topic;
    this.writer = writer;
    this.producer = producer;
  }

  /** Makes sure the topic exists at its configured retention and the schema is registered. */
  static async open(kafka: Kafka, serde: AvroSerde, config: Pick<Config, 'audit' | 'retention' | 'topics'>, logger: Logger): Promise<AuditLog> {
    const admin = kafka.admin();
    await admin.connect();
    let limits;
    try {
      logEnsuredTopics(logger, await ensureTopics(admin, [auditTopicSpec(config)], config.topics));
      limits = await readProduceLimits(admin, [config.audit.topic]);
    } finally {
      await admin.disconnect();
    }
    const id = await serde.register(valueSubject(config.audit.topic), AUDIT_SCHEMA);
    const producer = new CoalescingProducer(
      async () => {
        const created = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
        await created.connect();
        return created;
      },
      { lingerMs: 1, maxBatchMessages: 10_000, limits },
    );
    await producer.ready();
    return new AuditLog(config.audit.topic, await serde.writer(id), producer);
  }

  /** The records as messages of the audit topic, for a transaction that writes them with the delivery. */
  messages(records: readonly AuditRecord[]): { topic: string; messages: Message[] } {
    // Keyed by subscription (or actor): one subscription's entries stay in order on one partition.
    return { topic: this.topic, messages: records.map((record) => ({ key: record.subscription ?? record.actor, value: this.writer.encode(record) })) };
  }

  /** Writes the records; resolves once the brokers acknowledged them all (acks=all). */
  write(records: readonly AuditRecord[]): Promise<void> {
    return this.producer.send(this.topic, this.messages(records).messages);
  }

  async close(): Promise<void> {
    await this.producer.close();
  }
}
