import { describe, expect, it } from 'vitest';
import { rawTopic } from '../../services/platform/catalog.ts';
import { DEAD_LETTER_HEADERS, deadLetterRecord } from '../../services/platform/dead-letter-record.ts';
import { deadLetterOrigin, planReplay, summarizeDeadLetter } from '../../services/platform/dead-letters.ts';
import { HEADER } from '../../services/platform/record-headers.ts';
import type { TopicMessage } from '../../services/platform/topic-ends.ts';

const RAW = rawTopic('hotline-1022', 'citizen-report');
const originalHeaders = { [HEADER.eventId]: 'evt-1', [HEADER.receivedAt]: '1700000000000', [HEADER.connector]: 'http-ingest' };

/** A dead letter as read back from its topic. */
function asRead(message: ReturnType<typeof deadLetterRecord>, offset = '4'): TopicMessage {
  return {
    partition: 0,
    message: {
      key: message.key as Buffer,
      value: message.value as Buffer,
      headers: message.headers!,
      offset,
      timestamp: '1700000001000',
      attributes: 0,
    },
  };
}

describe('the dead-letter record', () => {
  it('keeps a consumed record as it was, adds the one header set, and a replay takes exactly those off again', () => {
    const key = Buffer.from('person-1');
    const value = Buffer.from([0, 0, 0, 0, 7, 2, 4]);
    const letter = deadLetterRecord({
      stage: 'normalizer',
      reason: 'birth_year: 1850 is out of range',
      errorClass: 'BirthYearOutOfRange',
      kind: 'citizen-report',
      source: 'hotline-1022',
      readAt: { topic: RAW, partition: 0, offset: '41' },
      key,
      value,
      headers: originalHeaders,
    });
    expect(letter.key).toBe(key);
    expect(letter.value).toBe(value);
    expect(letter.headers).toEqual({
      ...originalHeaders,
      'truc-dlq-stage': 'normalizer',
      'truc-dlq-reason': 'birth_year: 1850 is out of range',
      'truc-dlq-error-class': 'BirthYearOutOfRange',
      'truc-dlq-kind': 'citizen-report',
      'truc-dlq-source': 'hotline-1022',
      'truc-dlq-topic': RAW,
      'truc-dlq-partition': '0',
      'truc-dlq-offset': '41',
    });

    const read = asRead(letter);
    expect(summarizeDeadLetter(read)).toMatchObject({
      eventId: 'evt-1',
      source: 'hotline-1022',
      kind: 'citizen-report',
      errorClass: 'BirthYearOutOfRange',
      origin: `${RAW}/0@41`,
    });
    const plan = planReplay([read]);
    expect(plan.skipped).toBe(0);
    expect(plan.byTopic.get(RAW)).toEqual([{ key, value, headers: originalHeaders }]);
  });

  it('gives an ingest dead letter its position instead of a topic, and leaves out what the stage does not know', () => {
    const letter = deadLetterRecord({
      stage: 'ingest',
      reason: '(record): Unexpected token',
      errorClass: 'JsonSyntaxError',
      kind: 'citizen-report',
      source: 'hotline-1022',
      position: 'since=abc#2',
      key: 'since=abc#2',
      value: Buffer.from('{broken'),
      headers: { [HEADER.connector]: 'poll-test', [HEADER.receivedAt]: '0' },
    });
    expect(Object.keys(letter.headers!).sort()).toEqual(
      [HEADER.connector, HEADER.receivedAt, HEADER.dlqStage, HEADER.dlqReason, HEADER.dlqErrorClass, HEADER.dlqKind, HEADER.dlqSource, HEADER.dlqPosition].sort(),
    );
    expect(deadLetterOrigin(letter.headers)).toBe('since=abc#2');

    const undecodable = deadLetterRecord({
      stage: 'sink.clickhouse',
      reason: 'Avro body does not decode',
      errorClass: 'UndecodableRecord',
      kind: 'citizen-report',
      source: null,
      readAt: { topic: 'canonical.citizen-report', partition: 2, offset: 9 },
      key: null,
      value: null,
    });
    expect(letter.headers).not.toHaveProperty(HEADER.dlqTopic);
    expect(undecodable.headers).not.toHaveProperty(HEADER.dlqSource);
    expect(undecodable.headers).not.toHaveProperty(HEADER.dlqPosition);
    expect(deadLetterOrigin(undecodable.headers)).toBe('canonical.citizen-report/2@9');
  });

  it('names a webhook batch by its webhook-id, a header replay also takes off', () => {
    const letter = deadLetterRecord({
      stage: 'sink.cdc-webhook',
      reason: 'webhook delivery failed after 7 attempts: receiver answered 500',
      errorClass: 'WebhookDeliveryFailed',
      kind: 'citizen-report',
      source: 'hotline-1022',
      readAt: { topic: 'canonical.citizen-report', partition: 1, offset: 3 },
      webhookId: 'batch_abc',
      key: 'k',
      value: Buffer.from('v'),
      headers: { [HEADER.eventId]: 'evt-2' },
    });
    expect(letter.headers).toMatchObject({ [HEADER.dlqStage]: 'sink.cdc-webhook', [HEADER.webhookId]: 'batch_abc', [HEADER.dlqOffset]: '3' });
    const added = Object.keys(letter.headers!).filter((name) => name !== HEADER.eventId);
    expect(added.every((name) => DEAD_LETTER_HEADERS.has(name))).toBe(true);
  });
});
