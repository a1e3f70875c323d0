import type { Message } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { applyOffsetRecord, offsetKey, offsetMessage, parseOffsetKey, startMarkerMessage } from '../../connectors/runtime/offset-log.ts';
import type { SourceOffset } from '../../connectors/runtime/source-connector.ts';

const buffer = (value: string | Buffer | null | undefined) => (value == null ? null : Buffer.from(value));

describe('offsets topic records', () => {
  it('keys offsets by connector and source partition, unambiguously', () => {
    expect(offsetKey('file-a', 'x.csv')).toBe('["file-a","x.csv"]');
    expect(parseOffsetKey(Buffer.from(offsetKey('a"b', 'c,d')))).toEqual({ connector: 'a"b', partition: 'c,d' });
    expect(parseOffsetKey(Buffer.from(offsetKey('a', null)))).toEqual({ connector: 'a', partition: null });
    for (const foreign of ['not json', '{"a":1}', '[1,2]', '["a","b","c"]']) expect(parseOffsetKey(Buffer.from(foreign))).toBeNull();
    expect(parseOffsetKey(null)).toBeNull();
  });

  it('rebuilds one connector\'s offsets: latest value wins, tombstones delete, others are ignored, the marker ends the read', () => {
    const offsets = new Map<string, SourceOffset>();
    const records = [
      offsetMessage('files', 'a.csv', { records: 10 }),
      offsetMessage('other', 'a.csv', { records: 99 }),
      offsetMessage('files', 'b.csv', { records: 5 }),
      offsetMessage('files', 'a.csv', { records: 20 }),
      startMarkerMessage('files', 'old-marker'),
      offsetMessage('files', 'b.csv', null),
      { key: 'foreign key', value: 'foreign value' },
      startMarkerMessage('other', 'mine'),
    ];
    const apply = (record: Message) => applyOffsetRecord(offsets, 'files', 'mine', buffer(record.key), buffer(record.value));
    for (const record of records) expect(apply(record)).toBe(false);
    expect(apply(startMarkerMessage('files', 'mine'))).toBe(true);
    expect([...offsets]).toEqual([['a.csv', { records: 20 }]]);
  });

  it('refuses a corrupt offset of its own connector rather than guessing a position', () => {
    expect(() => applyOffsetRecord(new Map(), 'files', 'm', Buffer.from(offsetKey('files', 'a.csv')), Buffer.from('{broken'))).toThrow();
  });
});
