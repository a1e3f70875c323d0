/**
 * Turns one polled batch into the messages of its transaction: each record converted to its raw
 * topic, each record that cannot be converted to `dlq.ingest` with its original bytes, and the
 * batch's offsets to the offsets topic.
 */
import type { Message, TopicMessages } from 'kafkajs';
import { deadLetterRecord } from '../../services/platform/dead-letter-record.ts';
import { HEADER } from '../../services/platform/record-headers.ts';
import { DLQ_INGEST_TOPIC } from '../../services/platform/topics.ts';
import { CONNECT_OFFSETS_TOPIC, offsetMessage } from './offset-log.ts';
import type { Problem, RawRecordCodec } from '../../services/platform/raw-records.ts';
import type { OffsetChanges, SourceBatch, SourceRecord } from './source-connector.ts';

/** Dead letters' error class when the raw schema refused a record the source could parse. */
const SCHEMA_ERROR_CLASS = 'SchemaValidationError';
const TOO_LARGE_ERROR_CLASS = 'RecordTooLargeError';

/**
 * Kafka refuses a message above the broker's `message.max.bytes` (1 MiB by default), and a batch
 * holding one would then fail for ever. So a record larger than this is dead-lettered instead, and
 * a dead letter's value is cut to this size (a CSV quote left open can swallow a whole file).
 */
export const MAX_MESSAGE_BYTES = 900 * 1024;

export interface BatchMessages {
  topicMessages: TopicMessages[];
  published: number;
  rejected: number;
  offsets: OffsetChanges;
}

export class UnknownRawTopicError extends Error {
  constructor(topic: string) {
    super(`no raw codec for topic ${topic}: the connector names a (source, kind) the catalogue does not have`);
    this.name = 'UnknownRawTopicError';
  }
}

function describeProblems(problems: Problem[]): string {
  return problems.map((problem) => `${problem.path}: ${problem.message}`).join('; ');
}

function deadLetterMessage(
  record: SourceRecord,
  codec: RawRecordCodec,
  problems: Problem[],
  errorClass: string,
  receivedAt: number,
  connector: string,
): Message {
  const cut = record.raw.length > MAX_MESSAGE_BYTES;
  const reason = describeProblems(problems);
  return deadLetterRecord({
    stage: 'ingest',
    reason: cut ? `${reason} (value cut to its first ${MAX_MESSAGE_BYTES} of ${record.raw.length} bytes)` : reason,
    errorClass,
    kind: codec.kind,
    source: codec.source,
    position: record.position,
    // No record was made: the position is its key, and it keeps the headers it would have had.
    key: record.position,
    value: cut ? record.raw.subarray(0, MAX_MESSAGE_BYTES) : record.raw,
    headers: { [HEADER.connector]: connector, [HEADER.receivedAt]: String(receivedAt) },
  });
}

export function batchMessages(
  batch: SourceBatch,
  codecs: ReadonlyMap<string, RawRecordCodec>,
  connector: string,
  receivedAt: number,
): BatchMessages {
  const byTopic = new Map<string, Message[]>();
  const add = (topic: string, message: Message) => {
    const messages = byTopic.get(topic);
    if (messages) messages.push(message);
    else byTopic.set(topic, [message]);
  };
  let published = 0;
  let rejected = 0;
  for (const record of batch.records) {
    const codec = codecs.get(record.topic);
    if (!codec) throw new UnknownRawTopicError(record.topic);
    if (!record.parsed.ok) {
      add(DLQ_INGEST_TOPIC, deadLetterMessage(record, codec, record.parsed.problems, record.parsed.errorClass, receivedAt, connector));
      rejected += 1;
      continue;
    }
    const conversion = codec.convert(record.parsed.value, receivedAt, connector);
    if (!conversion.ok) {
      add(DLQ_INGEST_TOPIC, deadLetterMessage(record, codec, conversion.problems, SCHEMA_ERROR_CLASS, receivedAt, connector));
      rejected += 1;
      continue;
    }
    const size = (conversion.record.message.value as Buffer).length;
    if (size > MAX_MESSAGE_BYTES) {
      const problem = { path: '(record)', message: `encoded as ${size} bytes, more than the ${MAX_MESSAGE_BYTES} a message may have` };
      add(DLQ_INGEST_TOPIC, deadLetterMessage(record, codec, [problem], TOO_LARGE_ERROR_CLASS, receivedAt, connector));
      rejected += 1;
      continue;
    }
    add(codec.topic, conversion.record.message);
    published += 1;
  }
  const offsets = batch.offsets({ published, rejected });
  for (const [partition, offset] of offsets) add(CONNECT_OFFSETS_TOPIC, offsetMessage(connector, partition, offset));
  return {
    topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    published,
    rejected,
    offsets,
  };
}
