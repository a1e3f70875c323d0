/**
 * The dead-letter record, one format for every stage (ingest, normalizer, ClickHouse sink,
 * subscriptions): what `truc dlq`, the operator console and replay read. docs/architecture.md
 * ("Dead letters") has the same table.
 *
 * Key and value are the record's own (ingest: the position as key, the bytes as the source sent
 * them); the record's headers travel along unchanged, so a replay keeps its event id and reception
 * time; then the dead-letter headers, which replay strips again:
 *
 * | header | meaning | set by |
 * | --- | --- | --- |
 * | `truc-dlq-stage` | the stage, as `truc dlq --stage` names it: `ingest`, `normalizer`, `sink.clickhouse`, `sink.<subscription>` | every stage |
 * | `truc-dlq-reason` | why, in words; never personal data | every stage |
 * | `truc-dlq-error-class` | the reason's class, for filters and metrics | every stage |
 * | `truc-dlq-kind` | the record's kind | every stage |
 * | `truc-dlq-source` | the record's source system | every stage that knows it (not a sink's undecodable record) |
 * | `truc-dlq-position` | where in the source: a file and line, a page cursor | ingest |
 * | `truc-dlq-topic`, `-partition`, `-offset` | where the stage read the record | normalizer, sinks |
 * | `truc-webhook-id` | the webhook-id the batch was last sent under | webhook subscriptions |
 */
import type { IHeaders, Message } from 'kafkajs';
import { HEADER } from './record-headers.ts';

/** `ingest`, `normalizer`, `sink.clickhouse` or `sink.<subscription id>`. */
export type DeadLetterStage = 'ingest' | 'normalizer' | `sink.${string}`;

export interface DeadLetter {
  stage: DeadLetterStage;
  reason: string;
  errorClass: string;
  kind: string;
  /** The source system; null or absent when the stage cannot tell (a record it could not decode). */
  source?: string | null;
  /** Ingest: where in the source the record was. */
  position?: string;
  /** Consuming stages: the topic, partition and offset the record was read at. */
  readAt?: { topic: string; partition: number; offset: string | number };
  /** Webhook subscriptions: the webhook-id of the batch. */
  webhookId?: string;
  key: Message['key'];
  value: Buffer | null;
  /** The record's own headers (ingest: the connector and reception time it would have had). */
  headers?: IHeaders;
}

/** Every header `deadLetterRecord` adds: what a replay takes off again. */
export const DEAD_LETTER_HEADERS: ReadonlySet<string> = new Set([
  HEADER.dlqStage, HEADER.dlqReason, HEADER.dlqErrorClass, HEADER.dlqKind, HEADER.dlqSource,
  HEADER.dlqPosition, HEADER.dlqTopic, HEADER.dlqPartition, HEADER.dlqOffset, HEADER.webhookId,
]);

/** The message a stage writes to its dead-letter topic. */
export function deadLetterRecord(letter: DeadLetter): Message {
  const headers: IHeaders = {
    ...letter.headers,
    [HEADER.dlqStage]: letter.stage,
    [HEADER.dlqReason]: letter.reason,
    [HEADER.dlqErrorClass]: letter.errorClass,
    [HEADER.dlqKind]: letter.kind,
  };
  if (letter.source) headers[HEADER.dlqSource] = letter.source;
  if (letter.position !== undefined) headers[HEADER.dlqPosition] = letter.position;
  if (letter.readAt) {
    headers[HEADER.dlqTopic] = letter.readAt.topic;
    headers[HEADER.dlqPartition] = String(letter.readAt.partition);
    headers[HEADER.dlqOffset] = String(letter.readAt.offset);
  }
  if (letter.webhookId !== undefined) headers[HEADER.webhookId] = letter.webhookId;
  return { key: letter.key, value: letter.value, headers };
}
