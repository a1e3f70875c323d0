/**
 * `truc dlq list|show|replay`: the dead letters of a stage (`dlq.normalizer` by default,
 * `dlq.ingest`, or a sink's: `dlq.sink.clickhouse`, `dlq.sink.<subscription>`). `list` prints one line per dead letter with its reason and where it came from
 * (never record contents); `show` prints one decoded (an operator's look at personal data: use with
 * care); `replay` writes a selection back to its raw topic after a fix, with its original key and
 * headers, so it keeps its event id (and a record replayed twice is still emitted once). Sinks'
 * dead letters are canonical records: writing them back would reach every other consumer of the
 * canonical topic again, so they are listed and shown, not replayed.
 */
import type { IHeaders, Message } from 'kafkajs';
import { createAvroSerde } from '../platform/avro-serde.ts';
import { loadConfig } from '../platform/config.ts';
import { createKafka } from '../platform/kafka.ts';
import { createLogger } from '../platform/logger.ts';
import { HEADER, headerString } from '../platform/record-headers.ts';
import { readTopicToEnd, type TopicMessage } from '../platform/topic-ends.ts';
import { DLQ_INGEST_TOPIC, DLQ_NORMALIZER_TOPIC, DLQ_SINK_CLICKHOUSE_TOPIC, subscriptionDlqTopic } from '../platform/topics.ts';
import { UsageError, parseCommandArgs, type Command } from './command.ts';

const HELP = `usage: truc dlq list   [--stage STAGE] [filters] [--limit N]
       truc dlq show   <partition>:<offset> [--stage STAGE]
       truc dlq replay [--stage normalizer] [filters] [--dry-run]

stages: normalizer (default), ingest, sink.clickhouse, sink.<subscription id>

filters:
  --error-class C   only this error class (e.g. UnknownProvince)
  --source S        only this source
  --kind K          only this kind
`;

/** The dead-letter topic of a `--stage`; null when no stage has that name. */
function dlqTopicOf(stage: string): string | null {
  if (stage === 'normalizer') return DLQ_NORMALIZER_TOPIC;
  if (stage === 'ingest') return DLQ_INGEST_TOPIC;
  if (stage === 'sink.clickhouse') return DLQ_SINK_CLICKHOUSE_TOPIC;
  const subscription = /^sink\.([A-Za-z0-9][A-Za-z0-9._-]*)$/.exec(stage);
  return subscription ? subscriptionDlqTopic(subscription[1]!) : null;
}

const DLQ_HEADERS = new Set<string>([
  HEADER.dlqReason, HEADER.dlqErrorClass, HEADER.dlqStage, HEADER.dlqSource, HEADER.dlqKind,
  HEADER.dlqPosition, HEADER.dlqTopic, HEADER.dlqPartition, HEADER.dlqOffset,
]);

interface Filters {
  errorClass?: string | undefined;
  source?: string | undefined;
  kind?: string | undefined;
}

function matches(message: TopicMessage, filters: Filters): boolean {
  const headers = message.message.headers;
  return (
    (!filters.errorClass || headerString(headers, HEADER.dlqErrorClass) === filters.errorClass) &&
    (!filters.source || headerString(headers, HEADER.dlqSource) === filters.source) &&
    (!filters.kind || headerString(headers, HEADER.dlqKind) === filters.kind)
  );
}

function origin(headers: IHeaders | undefined): string {
  const topic = headerString(headers, HEADER.dlqTopic);
  if (topic) return `${topic}/${headerString(headers, HEADER.dlqPartition)}@${headerString(headers, HEADER.dlqOffset)}`;
  return headerString(headers, HEADER.dlqPosition) ?? '';
}

/** The original record's headers, without the dead-letter ones. */
function originalHeaders(headers: IHeaders | undefined): IHeaders {
  return Object.fromEntries(Object.entries(headers ?? {}).filter(([name]) => !DLQ_HEADERS.has(name))) as IHeaders;
}

export const DLQ_COMMAND: Command = {
  name: 'dlq',
  summary: 'list, show and replay dead letters (dlq.normalizer, dlq.ingest, dlq.sink.*)',
  async run(args) {
    const { values, positionals } = parseCommandArgs({
      args,
      allowPositionals: true,
      options: {
        stage: { type: 'string', default: 'normalizer' },
        'error-class': { type: 'string' },
        source: { type: 'string' },
        kind: { type: 'string' },
        limit: { type: 'string', default: '100' },
        'dry-run': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    const [action, target] = positionals;
    if (values.help || !action) {
      process.stdout.write(HELP);
      return values.help ? 0 : 2;
    }
    const topic = dlqTopicOf(values.stage);
    if (topic === null) throw new UsageError(`--stage must be normalizer, ingest, sink.clickhouse or sink.<subscription id>`);
    if (!/^\d+$/.test(values.limit)) throw new UsageError(`--limit must be a whole number`);
    const filters: Filters = { errorClass: values['error-class'], source: values.source, kind: values.kind };
    const config = loadConfig();
    const kafka = createKafka(config.kafka, createLogger('truc', 'error'), 'cli');

    if (action === 'list') {
      const letters = (await readTopicToEnd(kafka, topic, () => true)).filter((m) => matches(m, filters));
      for (const { partition, message } of letters.slice(-Number(values.limit))) {
        const h = message.headers;
        const at = new Date(Number(message.timestamp)).toISOString();
        process.stdout.write(
          `${`${partition}:${message.offset}`.padEnd(10)} ${at}  ${(headerString(h, HEADER.dlqSource) ?? '').padEnd(14)} ` +
            `${(headerString(h, HEADER.dlqKind) ?? '').padEnd(20)} ${(headerString(h, HEADER.dlqErrorClass) ?? '').padEnd(22)} ` +
            `${origin(h).padEnd(44)} ${headerString(h, HEADER.dlqReason) ?? ''}\n`,
        );
      }
      process.stdout.write(`${letters.length} dead letter(s) in ${topic}${letters.length > Number(values.limit) ? `, the last ${values.limit} shown` : ''}\n`);
      return 0;
    }

    if (action === 'show') {
      const match = /^(\d+):(\d+)$/.exec(target ?? '');
      if (!match) throw new UsageError('show takes <partition>:<offset>, as `truc dlq list` prints them');
      const [, partition, offset] = match;
      const found = (await readTopicToEnd(kafka, topic, (m) => m.offset === offset)).find((m) => String(m.partition) === partition);
      if (!found) {
        process.stderr.write(`no dead letter at ${partition}:${offset} in ${topic}\n`);
        return 1;
      }
      const headers = Object.fromEntries(Object.entries(found.message.headers ?? {}).map(([name, value]) => [name, String(value)]));
      let record: unknown;
      try {
        record = await createAvroSerde(config.schemaRegistry).decode(found.message.value!);
      } catch {
        record = found.message.value?.toString('utf8');
      }
      process.stdout.write(`${JSON.stringify({ partition: found.partition, offset: found.message.offset, headers, record }, null, 2)}\n`);
      return 0;
    }

    if (action === 'replay') {
      if (values.stage !== 'normalizer') {
        throw new UsageError(
          values.stage === 'ingest'
            ? 'only normalizer dead letters can be replayed (ingest ones are not Avro records yet)'
            : 'sink dead letters are not replayed (they would reach every consumer of the canonical topic again); for a subscription, fix the cause, then reset it to a timestamp to deliver again',
        );
      }
      const letters = (await readTopicToEnd(kafka, topic, () => true)).filter((m) => matches(m, filters));
      const byTopic = new Map<string, Message[]>();
      for (const { message } of letters) {
        const raw = headerString(message.headers, HEADER.dlqTopic);
        if (!raw) continue;
        const replayed = { key: message.key, value: message.value, headers: originalHeaders(message.headers) };
        const list = byTopic.get(raw);
        if (list) list.push(replayed);
        else byTopic.set(raw, [replayed]);
      }
      for (const [raw, messages] of byTopic) process.stdout.write(`${values['dry-run'] ? 'would replay' : 'replaying'} ${messages.length} to ${raw}\n`);
      if (values['dry-run'] || byTopic.size === 0) return 0;
      const producer = kafka.producer({ idempotent: true });
      await producer.connect();
      try {
        await producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([raw, messages]) => ({ topic: raw, messages })) });
      } finally {
        await producer.disconnect();
      }
      return 0;
    }
    throw new UsageError(`unknown action ${JSON.stringify(action)}: list, show or replay`);
  },
};
