/**
 * `truc dlq list|show|replay`: the dead letters of a stage (`dlq.normalizer` by default,
 * `dlq.ingest`, or a sink's: `dlq.sink.clickhouse`, `dlq.sink.<subscription>`). `list` prints one line per dead letter with its reason and where it came from
 * (never record contents); `show` prints one decoded (an operator's look at personal data: use with
 * care); `replay` writes a selection of the normalizer's back to its raw topic after a fix. The
 * rules (what is replayed, where to, with which headers) are services/platform/dead-letters.ts's,
 * shared with the operator console.
 */
import { createAvroSerde } from '../platform/avro-serde.ts';
import { loadConfig } from '../platform/config.ts';
import {
  deadLetterDetail, deadLetterOrigin, dlqTopicOf, findDeadLetter, planReplay, readDeadLetters, replayDeadLetters, replayRefusal, type DeadLetterFilters,
} from '../platform/dead-letters.ts';
import { createKafka } from '../platform/kafka.ts';
import { createLogger } from '../platform/logger.ts';
import { HEADER, headerString } from '../platform/record-headers.ts';
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
    const filters: DeadLetterFilters = { errorClass: values['error-class'], source: values.source, kind: values.kind };
    const config = loadConfig();
    const kafka = createKafka(config.kafka, createLogger('truc', 'error'), 'cli');

    if (action === 'list') {
      const letters = await readDeadLetters(kafka, topic, filters);
      for (const { partition, message } of letters.slice(-Number(values.limit))) {
        const h = message.headers;
        const at = new Date(Number(message.timestamp)).toISOString();
        process.stdout.write(
          `${`${partition}:${message.offset}`.padEnd(10)} ${at}  ${(headerString(h, HEADER.dlqSource) ?? '').padEnd(14)} ` +
            `${(headerString(h, HEADER.dlqKind) ?? '').padEnd(20)} ${(headerString(h, HEADER.dlqErrorClass) ?? '').padEnd(22)} ` +
            `${deadLetterOrigin(h).padEnd(44)} ${headerString(h, HEADER.dlqReason) ?? ''}\n`,
        );
      }
      process.stdout.write(`${letters.length} dead letter(s) in ${topic}${letters.length > Number(values.limit) ? `, the last ${values.limit} shown` : ''}\n`);
      return 0;
    }

    if (action === 'show') {
      const match = /^(\d+):(\d+)$/.exec(target ?? '');
      if (!match) throw new UsageError('show takes <partition>:<offset>, as `truc dlq list` prints them');
      const [, partition, offset] = match;
      const found = await findDeadLetter(kafka, topic, Number(partition), offset!);
      if (!found) {
        process.stderr.write(`no dead letter at ${partition}:${offset} in ${topic}\n`);
        return 1;
      }
      process.stdout.write(`${JSON.stringify(await deadLetterDetail(createAvroSerde(config.schemaRegistry), found), null, 2)}\n`);
      return 0;
    }

    if (action === 'replay') {
      const refusal = replayRefusal(values.stage);
      if (refusal) throw new UsageError(refusal);
      const plan = planReplay(await readDeadLetters(kafka, topic, filters));
      for (const [raw, messages] of plan.byTopic) process.stdout.write(`${values['dry-run'] ? 'would replay' : 'replaying'} ${messages.length} to ${raw}\n`);
      if (plan.skipped > 0) process.stdout.write(`${plan.skipped} left out: no raw topic of the catalogue to replay to\n`);
      if (!values['dry-run']) await replayDeadLetters(kafka, plan);
      return 0;
    }
    throw new UsageError(`unknown action ${JSON.stringify(action)}: list, show or replay`);
  },
};
