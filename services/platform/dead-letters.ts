/**
 * Dead letters as `truc dlq` and the operator console see them: which topic a stage's dead letters
 * go to, filters on the dead-letter headers, a summary without record contents, and the replay of
 * normalizer dead letters to the raw topic each came from (its original key and headers, so it
 * keeps its event id, and a record replayed twice is still emitted once). Sinks' dead letters are
 * canonical records: writing them back would reach every other consumer of the canonical topic
 * again, so they are listed and shown, not replayed; ingest's are not Avro records yet.
 */
import type { IHeaders, Kafka, Message } from 'kafkajs';
import type { AvroSerde } from './avro-serde.ts';
import { rawTopic, sourceKinds } from './catalog.ts';
import { DEAD_LETTER_HEADERS } from './dead-letter-record.ts';
import { HEADER, headerString } from './record-headers.ts';
import { readTopicToEnd, type TopicMessage } from './topic-ends.ts';
import { DLQ_INGEST_TOPIC, DLQ_NORMALIZER_TOPIC, DLQ_SINK_CLICKHOUSE_TOPIC, subscriptionDlqTopic } from './topics.ts';

/** normalizer, ingest, sink.clickhouse or sink.<subscription id>. */
export const DEAD_LETTER_STAGE_PATTERN = /^(normalizer|ingest|sink\.[A-Za-z0-9][A-Za-z0-9._-]*)$/;

/** The dead-letter topic of a stage; null when no stage has that name. */
export function dlqTopicOf(stage: string): string | null {
  if (stage === 'normalizer') return DLQ_NORMALIZER_TOPIC;
  if (stage === 'ingest') return DLQ_INGEST_TOPIC;
  if (stage === 'sink.clickhouse') return DLQ_SINK_CLICKHOUSE_TOPIC;
  const subscription = /^sink\.([A-Za-z0-9][A-Za-z0-9._-]*)$/.exec(stage);
  return subscription ? subscriptionDlqTopic(subscription[1]!) : null;
}

/** Why a stage's dead letters cannot be replayed; null for the normalizer's, which can. */
export function replayRefusal(stage: string): string | null {
  if (stage === 'normalizer') return null;
  return stage === 'ingest'
    ? 'only normalizer dead letters can be replayed (ingest ones are not Avro records yet)'
    : 'sink dead letters are not replayed (they would reach every consumer of the canonical topic again); for a subscription, fix the cause, then reset it to a timestamp to deliver again';
}

export interface DeadLetterFilters {
  errorClass?: string | undefined;
  source?: string | undefined;
  kind?: string | undefined;
  /** Dead-lettered at or after (epoch ms). */
  fromMs?: number | undefined;
  /** Dead-lettered before (epoch ms). */
  toMs?: number | undefined;
}

export function matchesDeadLetter(message: TopicMessage, filters: DeadLetterFilters): boolean {
  const headers = message.message.headers;
  const at = Number(message.message.timestamp);
  return (
    (!filters.errorClass || headerString(headers, HEADER.dlqErrorClass) === filters.errorClass) &&
    (!filters.source || headerString(headers, HEADER.dlqSource) === filters.source) &&
    (!filters.kind || headerString(headers, HEADER.dlqKind) === filters.kind) &&
    (filters.fromMs === undefined || at >= filters.fromMs) &&
    (filters.toMs === undefined || at < filters.toMs)
  );
}

/** Where the dead letter came from: raw topic/partition@offset, or the position in an ingest request. */
export function deadLetterOrigin(headers: IHeaders | undefined): string {
  const topic = headerString(headers, HEADER.dlqTopic);
  if (topic) return `${topic}/${headerString(headers, HEADER.dlqPartition)}@${headerString(headers, HEADER.dlqOffset)}`;
  return headerString(headers, HEADER.dlqPosition) ?? '';
}

/** A dead letter without its record: what may be listed to anyone allowed to list. */
export interface DeadLetterSummary {
  partition: number;
  offset: string;
  at: string;
  /** The record's event id (not personal data; ingest answered it to the source). */
  eventId: string | null;
  source: string | null;
  kind: string | null;
  errorClass: string | null;
  reason: string | null;
  origin: string;
}

export function summarizeDeadLetter({ partition, message }: TopicMessage): DeadLetterSummary {
  const h = message.headers;
  return {
    partition,
    offset: message.offset,
    at: new Date(Number(message.timestamp)).toISOString(),
    eventId: headerString(h, HEADER.eventId) ?? null,
    source: headerString(h, HEADER.dlqSource) ?? null,
    kind: headerString(h, HEADER.dlqKind) ?? null,
    errorClass: headerString(h, HEADER.dlqErrorClass) ?? null,
    reason: headerString(h, HEADER.dlqReason) ?? null,
    origin: deadLetterOrigin(h),
  };
}

/** The dead letters of `topic` as of now that pass the filters, in topic order per partition. */
export async function readDeadLetters(kafka: Kafka, topic: string, filters: DeadLetterFilters): Promise<TopicMessage[]> {
  return (await readTopicToEnd(kafka, topic, () => true)).filter((m) => matchesDeadLetter(m, filters));
}

export async function findDeadLetter(kafka: Kafka, topic: string, partition: number, offset: string): Promise<TopicMessage | null> {
  const found = await readTopicToEnd(kafka, topic, (m) => m.offset === offset);
  return found.find((m) => m.partition === partition) ?? null;
}

/** One dead letter in full: its headers and its record (decoded when it is Avro). Holds personal data. */
export interface DeadLetterDetail {
  partition: number;
  offset: string;
  headers: Record<string, string>;
  record: unknown;
}

export async function deadLetterDetail(serde: AvroSerde, { partition, message }: TopicMessage): Promise<DeadLetterDetail> {
  const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)]));
  let record: unknown;
  try {
    record = await serde.decode(message.value!);
  } catch {
    // Ingest's dead letters (and undecodable ones) are the bytes as they came.
    record = message.value?.toString('utf8') ?? null;
  }
  return { partition, offset: message.offset, headers, record };
}

/** The original record's headers, without the dead-letter ones. */
function originalHeaders(headers: IHeaders | undefined): IHeaders {
  return Object.fromEntries(Object.entries(headers ?? {}).filter(([name]) => !DEAD_LETTER_HEADERS.has(name))) as IHeaders;
}

const RAW_TOPICS = new Set(sourceKinds().map(({ source, kind }) => rawTopic(source, kind)));

export interface ReplayPlan {
  /** Per raw topic of the catalogue, the records to write back. */
  byTopic: Map<string, Message[]>;
  /** Dead letters left out: no origin topic, or one that is not a raw topic of the catalogue. */
  skipped: number;
}

/** What a replay of these (normalizer) dead letters writes: only ever to the catalogue's raw topics. */
export function planReplay(letters: TopicMessage[]): ReplayPlan {
  const byTopic = new Map<string, Message[]>();
  let skipped = 0;
  for (const { message } of letters) {
    const raw = headerString(message.headers, HEADER.dlqTopic);
    if (!raw || !RAW_TOPICS.has(raw)) {
      skipped += 1;
      continue;
    }
    const replayed = { key: message.key, value: message.value, headers: originalHeaders(message.headers) };
    const list = byTopic.get(raw);
    if (list) list.push(replayed);
    else byTopic.set(raw, [replayed]);
  }
  return { byTopic, skipped };
}

/** Writes the plan in one batch (acks from every in-sync replica). */
export async function replayDeadLetters(kafka: Kafka, plan: ReplayPlan): Promise<void> {
  if (plan.byTopic.size === 0) return;
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  try {
    await producer.sendBatch({ acks: -1, topicMessages: [...plan.byTopic].map(([topic, messages]) => ({ topic, messages })) });
  } finally {
    await producer.disconnect();
  }
}
