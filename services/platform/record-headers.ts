/**
 * Kafka headers Truc puts on records, shared by every writer and reader of raw and dead-letter topics
 * (dead-letter-record.ts says which dead-letter header is set when).
 */
import type { IHeaders } from 'kafkajs';

export const HEADER = {
  eventId: 'truc-event-id',
  /** The source's own record id (or keyed content id): the raw key is the canonical key, not this. */
  sourceRecordId: 'truc-source-record-id',
  /** When Truc accepted the record from its source (epoch milliseconds, decimal). */
  receivedAt: 'truc-received-at',
  /** Which connector wrote it (e.g. http-ingest, file:checkpoint-ops). */
  connector: 'truc-connector',
  /** A subscription's sequence number of the record (agency topics; decimal). */
  sequence: 'truc-sequence',
  dlqReason: 'truc-dlq-reason',
  dlqErrorClass: 'truc-dlq-error-class',
  dlqStage: 'truc-dlq-stage',
  dlqSource: 'truc-dlq-source',
  dlqKind: 'truc-dlq-kind',
  /** Where the record came from: a file and line, a page cursor, or a topic/partition/offset. */
  dlqPosition: 'truc-dlq-position',
  dlqTopic: 'truc-dlq-topic',
  dlqPartition: 'truc-dlq-partition',
  dlqOffset: 'truc-dlq-offset',
  /** A webhook subscription's dead letter: the webhook-id its batch was sent under. */
  webhookId: 'truc-webhook-id',
} as const;

export function headerString(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  if (value === undefined) return undefined;
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}
