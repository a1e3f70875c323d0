/** The sink's Arrow layout of a batch, without the engine: buffers, nulls, conversions, and when it declines. */
import { describe, expect, it } from 'vitest';
import { arrowBatch, quoteIdentifier } from '../../connectors/clickhouse-sink/arrow-batch.ts';

const TYPES = new Map([
  ['id', 'UUID'],
  ['source', 'LowCardinality(String)'],
  ['person_key', 'Nullable(String)'],
  ['gender', 'LowCardinality(Nullable(String))'],
  ['occurred_at', "DateTime64(3, 'UTC')"],
  ['doses', 'UInt8'],
  ['birth_year', 'Nullable(UInt16)'],
  ['contact', 'Nullable(Bool)'],
  ['score', 'Nullable(Float64)'],
  ['rows', 'UInt64'],
  ['day', 'Nullable(Date32)'],
  ['flags', 'Array(LowCardinality(String))'],
  ['ip', 'IPv4'],
]);

const ROWS = [
  { id: 'a', source: 'vhd', person_key: 'k1', gender: null, occurred_at: 1628908512481, doses: 2, birth_year: 1992, contact: true, score: 0.5, rows: 3, day: 18800, flags: ['X', 'Ý'] },
  { id: 'b', source: 'pccovid', person_key: null, gender: 'FEMALE', occurred_at: 1628908512482, doses: 0, birth_year: null, contact: null, score: null, rows: 4, day: null, flags: [] },
];

describe('arrowBatch', () => {
  it('lays out each column in its Arrow format, with validity bitmaps only where a value is null', () => {
    const columns = ['id', 'source', 'person_key', 'gender', 'occurred_at', 'doses', 'birth_year', 'contact', 'score', 'rows', 'day', 'flags'];
    const batch = arrowBatch(columns, TYPES, ROWS)!;
    const byName = new Map(batch.columns.map((column) => [column.name, column]));
    expect(batch.columns.map((column) => column.format).join('')).toBe('uuuulii' + 'bgliu');
    expect(batch.columns.every((column) => column.length === 2)).toBe(true);

    const keys = byName.get('person_key')!;
    expect(keys.nullCount).toBe(1);
    expect([...keys.buffers[0]!]).toEqual([0b01]);
    expect([...new Int32Array(keys.buffers[1]!.buffer, keys.buffers[1]!.byteOffset, 3)]).toEqual([0, 2, 2]);
    expect(keys.buffers[2]!.toString()).toBe('k1');
    expect(byName.get('source')!.buffers[0]).toBeNull();

    const flags = byName.get('flags')!;
    expect(flags.buffers[2]!.toString()).toBe('["X","Ý"][]');
    const times = byName.get('occurred_at')!;
    expect([...new BigInt64Array(times.buffers[1]!.buffer, times.buffers[1]!.byteOffset, 2)]).toEqual([1628908512481n, 1628908512482n]);
    const contact = byName.get('contact')!;
    expect([contact.nullCount, contact.buffers[0]![0], contact.buffers[1]![0]]).toEqual([1, 0b01, 0b01]);

    expect(batch.select[columns.indexOf('occurred_at')]).toBe('fromUnixTimestamp64Milli(`occurred_at`)');
    expect(batch.select[columns.indexOf('flags')]).toBe("JSONExtract(assumeNotNull(`flags`), 'Array(LowCardinality(String))')");
    expect(batch.select[columns.indexOf('doses')]).toBe('`doses`');
  });

  it('declines a batch whose values do not fit (the caller writes it as JSON)', () => {
    const row = ROWS[0]!;
    expect(arrowBatch(['occurred_at'], TYPES, [{ ...row, occurred_at: '2021-08-14 02:35:12.481' }])).toBeNull();
    expect(arrowBatch(['doses'], TYPES, [{ ...row, doses: null }])).toBeNull();
    expect(arrowBatch(['doses'], TYPES, [{ ...row, doses: 2 ** 40 }])).toBeNull();
    expect(arrowBatch(['flags'], TYPES, [{ ...row, flags: 'X' }])).toBeNull();
    expect(arrowBatch(['contact'], TYPES, [{ ...row, contact: 1 }])).toBeNull();
    // A type without a plan, and a column the table does not have.
    expect(arrowBatch(['ip'], TYPES, [{ ip: '10.0.0.1' }])).toBeNull();
    expect(arrowBatch(['nowhere'], TYPES, [{ nowhere: 'x' }])).toBeNull();
  });

  it('quotes identifiers as ClickHouse reads them', () => {
    expect(quoteIdentifier('a`b\\c')).toBe('`a\\`b\\\\c`');
  });
});
