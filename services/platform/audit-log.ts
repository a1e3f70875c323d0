/**
 * The disclosure audit's writing side (README, "Disclosure audit"): every record delivered to an
 * agency, every analyst query and every reading of the audit becomes one Avro record on the
 * append-only audit topic. Each record carries an `audit_id` naming what it is about (a delivery is
 * its subscription and event), so a record written twice — a webhook batch re-sent after a crash —
 * is still one row in the audit table, which keeps one row per id.
 *
 * Topic deliveries put their audit records in the transaction that writes the agency topic
 * (`messages`), so they are there exactly when the delivery is; webhook deliveries and queries write
 * them through this log's idempotent producer (`write`) once the receiver acknowledged or before
 * the analyst gets the answer.
 */
import type { Kafka, Message, Producer } from 'kafkajs';
import { valueSubject, type AvroSerde, type AvroWriter } from './avro-serde.ts';
import { retentionOf, type Config } from './config.ts';
import type { Logger } from './logger.ts';
import { readSchemaFile } from './schema-files.ts';
import { ensureTopics, logEnsuredTopics, type TopicSpec } from './topics.ts';

export const AUDIT_SCHEMA = readSchemaFile('schemas/audit/audit-record.avsc');

export type AuditAction = 'delivery' | 'analyst_query' | 'audit_read';
export type DeliveryChannel = 'webhook' | 'topic';

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
  event_id: string | null;
  kind: string | null;
  person_key: string | null;
  statement: string | null;
  rows_read: number | null;
  refused: boolean;
}

/** One record delivered to an agency under a subscription. */
export interface Disclosure {
  agency: string;
  subscription: string;
  channel: DeliveryChannel;
  tier: string;
  eventId: string;
  kind: string;
  personKey: string | null;
}

/** The same delivery always has the same id, however often it is written. */
export function deliveryAuditId(subscription: string, eventId: string): string {
  return `delivery/${subscription}/${eventId}`;
}

export function deliveryRecord(disclosure: Disclosure, at: number): AuditRecord {
  return {
    audit_id: deliveryAuditId(disclosure.subscription, disclosure.eventId),
    action: 'delivery',
    at,
    actor: disclosure.agency,
    subscription: disclosure.subscription,
    channel: disclosure.channel,
    tier: disclosure.tier,
    event_id: disclosure.eventId,
    kind: disclosure.kind,
    person_key: disclosure.personKey,
    statement: null,
    rows_read: null,
    refused: false,
  };
}

/** A record that is not a delivery (a query, a reading of the audit): no delivery fields. */
export function actionRecord(
  fields: Pick<AuditRecord, 'audit_id' | 'action' | 'at' | 'actor' | 'statement' | 'rows_read'> & Partial<Pick<AuditRecord, 'refused' | 'person_key'>>,
): AuditRecord {
  return { subscription: null, channel: null, tier: null, event_id: null, kind: null, person_key: null, refused: false, ...fields };
}

/** The audit topic: append-only (never compacted), kept for the audit's retention. */
export function auditTopicSpec(config: Pick<Config, 'audit' | 'retention'>): TopicSpec {
  return { name: config.audit.topic, retentionMs: retentionOf(config.retention, 'audit') };
}

export class AuditLog {
  readonly topic: string;
  private readonly kafka: Kafka;
  private readonly writer: AvroWriter;
  private producer: Promise<Producer> | null = null;

  private constructor(kafka: Kafka, topic: string, writer: AvroWriter) {
    this.kafka = kafka;
    this.topic = topic;
    this.writer = writer;
  }

  /** Makes sure the topic exists at its configured retention and the schema is registered. */
  static async open(kafka: Kafka, serde: AvroSerde, config: Pick<Config, 'audit' | 'retention' | 'topics'>, logger: Logger): Promise<AuditLog> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      logEnsuredTopics(logger, await ensureTopics(admin, [auditTopicSpec(config)], config.topics));
    } finally {
      await admin.disconnect();
    }
    const id = await serde.register(valueSubject(config.audit.topic), AUDIT_SCHEMA);
    return new AuditLog(kafka, config.audit.topic, await serde.writer(id));
  }

  /** The records as messages of the audit topic, for a transaction that writes them with the delivery. */
  messages(records: readonly AuditRecord[]): { topic: string; messages: Message[] } {
    // Keyed by person (or actor): one person's entries stay in order on one partition.
    return { topic: this.topic, messages: records.map((record) => ({ key: record.person_key ?? record.actor, value: this.writer.encode(record) })) };
  }

  /** Writes the records; resolves once the brokers acknowledged them all. */
  async write(records: readonly AuditRecord[]): Promise<void> {
    if (records.length === 0) return;
    const producer = await this.connectedProducer();
    await producer.send({ ...this.messages(records), acks: -1 });
  }

  private connectedProducer(): Promise<Producer> {
    this.producer ??= (async () => {
      const producer = this.kafka.producer({ idempotent: true });
      await producer.connect();
      return producer;
    })();
    this.producer.catch(() => (this.producer = null));
    return this.producer;
  }

  async close(): Promise<void> {
    await (await this.producer?.catch(() => null))?.disconnect();
    this.producer = null;
  }
}
