import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { batchMessages, MAX_MESSAGE_BYTES } from '../../connectors/runtime/batch-messages.ts';
import { RawRecordCodec } from '../../services/platform/raw-records.ts';
import type { BatchOutcome, SourceBatch, SourceRecord } from '../../connectors/runtime/source-connector.ts';
import { AvroWriter } from '../../services/platform/avro-serde.ts';
import { rawSchema } from '../../services/platform/catalog.ts';
import { createContentId } from '../../services/platform/event-id.ts';
import { HEADER, headerString } from '../../services/platform/record-headers.ts';
import { rawExample } from '../fixtures/raw-examples.ts';

const TOPIC = 'raw.hotline-1022.citizen-report';
const codec = new RawRecordCodec('hotline-1022', 'citizen-report', new AvroWriter(7, avro.Type.forSchema(rawSchema('hotline-1022', 'citizen-report') as avro.Schema)), createContentId('unit-test-secret-0123456789abcdefghijkl'));
const codecs = new Map([[TOPIC, codec]]);

function record(value: unknown, position: string): SourceRecord {
  return { topic: TOPIC, parsed: { ok: true, value }, position, raw: Buffer.from(JSON.stringify(value)) };
}

describe('a batch as the messages of one transaction', () => {
  it('converts good records, dead-letters the others with their bytes and why, and adds the offsets counted from the outcome', () => {
    const good = rawExample('hotline-1022', 'citizen-report');
    const noContent = { ...good, ticketId: 'T-2' } as Record<string, unknown>;
    delete noContent.content;
    const unparsed: SourceRecord = {
      topic: TOPIC,
      parsed: { ok: false, problems: [{ path: '(record)', message: 'Unexpected token' }], errorClass: 'JsonSyntaxError' },
      position: 'since=abc#2',
      raw: Buffer.from('{broken'),
    };
    let seen: BatchOutcome | null = null;
    const batch: SourceBatch = {
      records: [record(good, 'since=abc#0'), record(noContent, 'since=abc#1'), unparsed],
      offsets: (outcome) => {
        seen = outcome;
        return new Map([['feed', { cursor: 'def', published: outcome.published }]]);
      },
    };

    const messages = batchMessages(batch, codecs, 'poll-test', 1_700_000_000_000);
    expect(seen).toEqual({ published: 1, rejected: 2 });
    expect(messages).toMatchObject({ published: 1, rejected: 2 });
    expect(messages.topicMessages.map(({ topic, messages }) => [topic, messages.length])).toEqual([
      [TOPIC, 1],
      ['dlq.ingest', 2],
      ['_truc.connect-offsets', 1],
    ]);
    const [published] = messages.topicMessages[0]!.messages;
    expect(published!.key).toBe(good.ticketId);
    expect(headerString(published!.headers, HEADER.connector)).toBe('poll-test');

    const [schemaError, syntaxError] = messages.topicMessages[1]!.messages;
    expect(schemaError!.value).toEqual(Buffer.from(JSON.stringify(noContent)));
    expect(schemaError!.headers).toMatchObject({
      [HEADER.dlqStage]: 'ingest',
      [HEADER.dlqSource]: 'hotline-1022',
      [HEADER.dlqKind]: 'citizen-report',
      [HEADER.dlqPosition]: 'since=abc#1',
      [HEADER.dlqErrorClass]: 'SchemaValidationError',
      [HEADER.connector]: 'poll-test',
      [HEADER.receivedAt]: '1700000000000',
    });
    expect(headerString(schemaError!.headers, HEADER.dlqReason)).toMatch(/^content: /);
    expect(syntaxError!.value).toEqual(Buffer.from('{broken'));
    expect(syntaxError!.headers).toMatchObject({ [HEADER.dlqErrorClass]: 'JsonSyntaxError', [HEADER.dlqReason]: '(record): Unexpected token' });

    expect(messages.topicMessages[2]!.messages).toEqual([{ key: '["poll-test","feed"]', value: '{"cursor":"def","published":1}' }]);
  });

  it('dead-letters a record too large for one Kafka message, and cuts the dead letter to the limit', () => {
    const huge = { ...rawExample('hotline-1022', 'citizen-report'), content: 'x'.repeat(MAX_MESSAGE_BYTES + 10) };
    const messages = batchMessages({ records: [record(huge, 'since=#0')], offsets: () => new Map() }, codecs, 'poll-test', 0);
    expect(messages).toMatchObject({ published: 0, rejected: 1 });
    const [deadLetter] = messages.topicMessages[0]!.messages;
    expect((deadLetter!.value as Buffer).length).toBe(MAX_MESSAGE_BYTES);
    expect(headerString(deadLetter!.headers, HEADER.dlqErrorClass)).toBe('RecordTooLargeError');
    expect(headerString(deadLetter!.headers, HEADER.dlqReason)).toMatch(/value cut to its first 921600 of \d+ bytes/);
  });

  it('fails the batch when a record names a topic without a codec (a bug, never a dead letter)', () => {
    const stray: SourceRecord = { ...record({}, 'x:1'), topic: 'raw.nowhere.checkpoint' };
    expect(() => batchMessages({ records: [stray], offsets: () => new Map() }, codecs, 'c', 0)).toThrow(/no raw codec for topic raw.nowhere.checkpoint/);
  });
});
