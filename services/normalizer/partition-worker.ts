/**
 * The normalizer's unit of work: one partition index (partition N of every raw topic, of the
 * canonical topics and of the state changelog). Its transactional producer's id names the index,
 * so opening a worker fences whichever instance held the index before; its state is then restored
 * from the changelog, and each group of raw batches becomes one Kafka transaction holding the
 * canonical records, the dead letters, the state changes and the consumed offsets.
 */
import type { IHeaders, KafkaMessage, Message, TopicMessages } from 'kafkajs';
import type { RawRecordCodec } from '../platform/raw-records.ts';
import { ENRICHMENTS } from '../../schemas/kinds/enrichments.ts';
import { AvroValidationError, type AvroSerde, type AvroWriter } from '../platform/avro-serde.ts';
import { canonicalTopic, kindEntry, type Kind } from '../platform/catalog.ts';
import { deadLetterRecord } from '../platform/dead-letter-record.ts';
import { eventId as computeEventId } from '../platform/event-id.ts';
import type { Logger } from '../platform/logger.ts';
import { HEADER, headerString } from '../platform/record-headers.ts';
import { DLQ_NORMALIZER_TOPIC } from '../platform/topics.ts';
import { GroupedCommits } from '../platform/grouped-commits.ts';
import type { TransactionalWriter } from '../platform/transactional-writer.ts';
import type { CheckpointTable } from './checkpoint-table.ts';
import { NORMALIZER_STATE_TOPIC, type DedupState, type DedupTransaction } from './dedup-state.ts';
import { fingerprint } from './fingerprint.ts';
import type { CanonicalRecord, MappingFailure, MappingOutcome, RawInput } from './mapping/contract.ts';
import type { NormalizerMetrics } from './metrics.ts';

export interface RawBatch {
  topic: string;
  partition: number;
  messages: KafkaMessage[];
  /**
   * The batch's last offset, transaction markers included: committing past the marker that ends a
   * connector's transaction leaves a caught-up group with no lag.
   */
  lastOffset: string;
}

export interface WorkerContext {
  groupId: string;
  serde: AvroSerde;
  /** Raw codecs by raw topic: which (source, kind) a topic holds, and its record-id rule. */
  rawCodecs: Map<string, RawRecordCodec>;
  canonicalWriters: Map<Kind, AvroWriter>;
  checkpoints: CheckpointTable;
  map: (input: RawInput) => MappingOutcome;
  metrics: NormalizerMetrics;
  logger: Logger;
  now: () => number;
}

interface Failure extends MappingFailure {
  stage: 'decode' | 'map' | 'encode';
}

function dlqMessage(batch: RawBatch, message: KafkaMessage, codec: RawRecordCodec, failure: Failure): Message {
  return deadLetterRecord({
    stage: 'normalizer',
    reason: failure.path ? `${failure.path}: ${failure.message}` : failure.message,
    errorClass: failure.errorClass,
    kind: codec.kind,
    source: codec.source,
    readAt: { topic: batch.topic, partition: batch.partition, offset: message.offset },
    key: message.key,
    value: message.value,
    // A replay after a fix keeps the record's event id and reception time.
    headers: message.headers,
  });
}

/**
 * The key a canonical record is written under: `key`, the value of its kind's key field (person_key,
 * report_id, checkpoint_id); without one (nobody identifiable), the raw record's key, so it stays on the
 * partition its raw record was on.
 */
function canonicalKey(key: unknown, record: CanonicalRecord, rawKey: Buffer | null): string {
  if (typeof key === 'string' && key !== '') return key;
  return rawKey?.toString('utf8') || String(record.event_id);
}

/**
 * `text`, or the raw record's bytes when they spell it exactly (ASCII, byte for byte): the producer
 * writes bytes as they are, where it would encode the text again (a key twice: to choose its
 * partition and to write it). The bytes written are the same either way.
 */
function sameBytes(text: string, raw: unknown): string | Buffer {
  if (!Buffer.isBuffer(raw) || raw.length !== text.length) return text;
  for (let i = 0; i < text.length; i++) {
    const byte = raw[i]!;
    if (byte > 0x7f || byte !== text.charCodeAt(i)) return text;
  }
  return raw;
}

/**
 * The headers of a canonical record. Written with literal keys (HEADER's values, which the type
 * checks): V8 builds such an object from a template, where computed keys cost a definition each.
 */
function canonicalHeaders(input: RawInput, rawHeaders: IHeaders | undefined): Record<typeof HEADER.eventId | typeof HEADER.receivedAt, string | Buffer> {
  return {
    'truc-event-id': sameBytes(input.eventId, rawHeaders?.[HEADER.eventId]),
    'truc-received-at': sameBytes(String(input.receivedAt), rawHeaders?.[HEADER.receivedAt]),
  };
}

function decodeFailure(error: unknown): Failure {
  return { stage: 'decode', errorClass: (error as Error).name || 'DecodeError', path: '', message: (error as Error).message };
}

/** The mapping's input: the decoded value with the envelope its headers carry. */
function rawInput(message: KafkaMessage, codec: RawRecordCodec, value: Record<string, unknown>): RawInput {
  const headers = message.headers;
  // Connectors set these headers; a record another producer wrote gets them computed the same way.
  const sourceRecordId = headerString(headers, HEADER.sourceRecordId) ?? codec.sourceRecordId(value);
  const receivedAt = Number(headerString(headers, HEADER.receivedAt) ?? message.timestamp);
  return {
    source: codec.source,
    kind: codec.kind,
    value,
    sourceRecordId,
    eventId: headerString(headers, HEADER.eventId) ?? computeEventId(codec.source, codec.kind, sourceRecordId),
    receivedAt,
  };
}

type Counted = 'in' | 'out' | 'dup' | 'dlq' | 'unknown-checkpoint';

/** A transaction's figures, added up per label set and published only once it committed. */
class BatchCounts {
  private readonly totals = new Map<string, { counter: Counted; labels: Record<string, string>; count: number }>();

  add(counter: Counted, labels: Record<string, string>, count = 1): void {
    const id = `${counter}|${Object.values(labels).join('|')}`;
    const entry = this.totals.get(id);
    if (entry) entry.count += count;
    else this.totals.set(id, { counter, labels, count });
  }

  publish(metrics: NormalizerMetrics): void {
    for (const { counter, labels, count } of this.totals.values()) {
      if (counter === 'in') metrics.recordsIn.inc(labels, count);
      else if (counter === 'out') metrics.recordsOut.inc(labels, count);
      else if (counter === 'dup') metrics.duplicates.inc(labels as Record<'source' | 'kind' | 'reason', string>, count);
      else if (counter === 'unknown-checkpoint') metrics.unknownCheckpoints.inc(count);
      else metrics.deadLetters.inc(labels as Record<'source' | 'kind' | 'error_class', string>, count);
    }
  }
}

export class PartitionWorker {
  readonly index: number;
  readonly state: DedupState;
  private readonly writer: TransactionalWriter;
  private readonly context: WorkerContext;
  /** Batches queued while a transaction is in flight go together into the next one, so many busy raw topics share one commit. */
  private readonly commits = new GroupedCommits<RawBatch>((batches) => this.commit(batches));

  constructor(index: number, writer: TransactionalWriter, state: DedupState, context: WorkerContext) {
    this.index = index;
    this.writer = writer;
    this.state = state;
    this.context = context;
  }

  /** Resolves when the batch is committed. */
  process(batch: RawBatch): Promise<void> {
    return this.commits.add(batch);
  }

  /**
   * The raw input of a message, or why it cannot be read; undefined when its schema is not cached
   * yet (then `readUncached` fetches it). Synchronous: an await per record cost more than the decoding.
   */
  private readCached(message: KafkaMessage, codec: RawRecordCodec): RawInput | Failure | undefined {
    if (!message.value) return { stage: 'decode', errorClass: 'EmptyRecord', path: '', message: 'the raw record has no value' };
    let value: Record<string, unknown> | undefined;
    try {
      value = this.context.serde.decodeCached<Record<string, unknown>>(message.value);
    } catch (error) {
      return decodeFailure(error);
    }
    return value === undefined ? undefined : rawInput(message, codec, value);
  }

  /** What `readCached` gives, for a message whose schema is not cached yet: fetched first. */
  private async readUncached(message: KafkaMessage, codec: RawRecordCodec): Promise<RawInput | Failure> {
    let value: Record<string, unknown>;
    try {
      value = await this.context.serde.decode<Record<string, unknown>>(message.value!);
    } catch (error) {
      return decodeFailure(error);
    }
    return rawInput(message, codec, value);
  }

  private async commit(batches: RawBatch[]): Promise<void> {
    const started = this.context.now();
    const transaction = this.state.begin(started);
    const counts = new BatchCounts();
    try {
      await this.writeTransaction(batches, started, transaction, counts);
    } catch (error) {
      // The records are read again: nothing of this transaction may make them look seen.
      transaction.abort();
      throw error;
    }
    transaction.commit();
    counts.publish(this.context.metrics);
  }

  /** One Kafka transaction: the batches' output, dead letters, state changes and offsets. */
  private async writeTransaction(batches: RawBatch[], started: number, transaction: DedupTransaction, counts: BatchCounts): Promise<void> {
    const { rawCodecs, canonicalWriters, map } = this.context;
    const output = new Map<string, Message[]>();
    const deadLetters: Message[] = [];

    // Per batch: one (source, kind), so one output topic, writer and key field; the messages of a
    // topic are gathered in one list, created when its first message is.
    const outputList = (topic: string): Message[] => {
      let list = output.get(topic);
      if (list === undefined) {
        list = [];
        output.set(topic, list);
      }
      return list;
    };
    for (const batch of batches) {
      const codec = rawCodecs.get(batch.topic)!;
      const labels = { source: codec.source, kind: codec.kind };
      counts.add('in', labels, batch.messages.length);
      const kind = codec.kind;
      const topic = canonicalTopic(kind);
      const writer = canonicalWriters.get(kind)!;
      const keyField = kindEntry(kind).key;
      const enrich = ENRICHMENTS[kind];
      let list: Message[] | undefined;
      let emitted = 0;
      for (const message of batch.messages) {
        const input = this.readCached(message, codec) ?? (await this.readUncached(message, codec));
        if ('stage' in input) {
          deadLetters.push(dlqMessage(batch, message, codec, input));
          counts.add('dlq', { ...labels, error_class: input.errorClass });
          continue;
        }
        const outcome = map(input);
        if (!outcome.ok) {
          deadLetters.push(dlqMessage(batch, message, codec, { ...outcome.failure, stage: 'map' }));
          counts.add('dlq', { ...labels, error_class: outcome.failure.errorClass });
          continue;
        }
        const record = outcome.record;
        const print = fingerprint(kind, record);
        const checkpointUnknown = enrich !== undefined && !enrich(record, this.context);
        record.normalized_at = started;
        // Encoded before the duplicate check: a record the DLQ holds must not be remembered as
        // seen, or its replay after the fix would be dropped as a replay.
        let value: Buffer;
        try {
          value = writer.encode(record);
        } catch (error) {
          if (!(error instanceof AvroValidationError)) throw error;
          // A mapping that breaks its canonical schema is a bug: the record waits in the DLQ for the fix.
          deadLetters.push(dlqMessage(batch, message, codec, { stage: 'encode', errorClass: 'CanonicalSchemaViolation', path: '', message: error.message }));
          counts.add('dlq', { ...labels, error_class: 'CanonicalSchemaViolation' });
          continue;
        }
        const verdict = transaction.check(input.eventId, print, Number(record.occurred_at));
        if (verdict.duplicate) {
          counts.add('dup', { ...labels, reason: verdict.reason });
          continue;
        }
        if (checkpointUnknown) counts.add('unknown-checkpoint', {});
        list ??= outputList(topic);
        list.push({
          key: sameBytes(canonicalKey(record[keyField], record, message.key), message.key),
          value,
          headers: canonicalHeaders(input, message.headers),
        });
        emitted++;
      }
      if (emitted > 0) counts.add('out', labels, emitted);
    }

    const topicMessages: TopicMessages[] = [...output].map(([topic, messages]) => ({ topic, messages }));
    if (deadLetters.length > 0) topicMessages.push({ topic: DLQ_NORMALIZER_TOPIC, messages: deadLetters });
    const stateMessages = transaction.messages(this.index);
    if (stateMessages.length > 0) topicMessages.push({ topic: NORMALIZER_STATE_TOPIC, messages: stateMessages });
    const offsets = new Map<string, number>();
    for (const batch of batches) offsets.set(batch.topic, Math.max(offsets.get(batch.topic) ?? 0, Number(batch.lastOffset) + 1));
    await this.writer.commit(topicMessages, {
      consumerGroupId: this.context.groupId,
      topics: [...offsets].map(([topic, offset]) => ({ topic, partitions: [{ partition: this.index, offset: String(offset) }] })),
    });
  }

  async close(): Promise<void> {
    await this.commits.idle();
    await this.writer.close();
  }
}
