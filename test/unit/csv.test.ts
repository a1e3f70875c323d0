import { describe, expect, it } from 'vitest';
import { csvRecords, type CsvRecord } from '../../connectors/file/csv.ts';
import { splitLines, type LinePosition } from '../../connectors/file/line-splitter.ts';

async function* chunksOf(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function parse(input: string | Buffer, chunkSize = 1 << 16, from: LinePosition = { byte: 0, line: 1 }): Promise<CsvRecord[]> {
  const bytes = Buffer.isBuffer(input) ? input : Buffer.from(input);
  const records: CsvRecord[] = [];
  for await (const record of csvRecords(splitLines(chunksOf(bytes.subarray(from.byte), chunkSize), from))) records.push(record);
  return records;
}

const fields = (records: CsvRecord[]) => records.map((record) => record.fields);

describe('CSV parser (RFC 4180)', () => {
  it('splits fields on commas and records on LF or CRLF', async () => {
    expect(fields(await parse('a,b,c\nd,e,f\r\ng,h,i'))).toEqual([['a', 'b', 'c'], ['d', 'e', 'f'], ['g', 'h', 'i']]);
  });

  it('keeps commas, doubled quotes and line breaks inside quoted fields', async () => {
    const records = await parse('id,note\r\n1,"Chốt A, cầu Vĩnh Bình"\r\n2,"nói ""xin chào"""\r\n3,"dòng 1\r\ndòng 2\ndòng 3"\r\n4,""\r\n');
    expect(fields(records)).toEqual([
      ['id', 'note'],
      ['1', 'Chốt A, cầu Vĩnh Bình'],
      ['2', 'nói "xin chào"'],
      ['3', 'dòng 1\r\ndòng 2\ndòng 3'],
      ['4', ''],
    ]);
    expect(records.map((record) => record.line)).toEqual([1, 2, 3, 4, 7]);
    expect(records.every((record) => record.error === null)).toBe(true);
  });

  it('keeps empty fields, including trailing ones', async () => {
    expect(fields(await parse(',a,,\n'))).toEqual([['', 'a', '', '']]);
  });

  it('skips a UTF-8 byte-order mark, even split across reads', async () => {
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('Mã chốt,Tên chốt\r\nA,B\r\n')]);
    for (const chunkSize of [1, 2, 3, 1024]) {
      expect(fields(await parse(withBom, chunkSize))).toEqual([['Mã chốt', 'Tên chốt'], ['A', 'B']]);
    }
  });

  it('gives the same records whatever the read sizes (multi-byte characters cut anywhere)', async () => {
    const text = 'tên,ghi chú\r\nNguyễn,"a,\r\nb ""c"""\r\nTrần,đ\n';
    const whole = await parse(text);
    for (const chunkSize of [1, 2, 3, 5, 7]) expect(await parse(text, chunkSize)).toEqual(whole);
  });

  it('skips blank lines between records and at the end', async () => {
    const records = await parse('a,b\n\n\r\nc,d\n\n');
    expect(fields(records)).toEqual([['a', 'b'], ['c', 'd']]);
    expect(records.map((record) => record.line)).toEqual([1, 4]);
  });

  it('gives each record its raw bytes, and the byte and line where the next one starts', async () => {
    const text = 'a,"x\r\ny"\r\nb,z\n';
    const [first, second] = await parse(text);
    expect(first!.raw.toString()).toBe('a,"x\r\ny"');
    expect(first!.end).toBe(Buffer.byteLength('a,"x\r\ny"\r\n'));
    expect(first!.nextLine).toBe(3);
    expect(second!.raw.toString()).toBe('b,z');
    // Resuming at the first record's end reads the rest with the right line numbers.
    const resumed = await parse(text, 4, { byte: first!.end, line: first!.nextLine });
    expect(resumed).toEqual([second]);
  });

  it('marks malformed records and goes on with the next line', async () => {
    const records = await parse('ok,1\nbad"quote,2\n"closed"junk,3\nok,4\n');
    expect(records.map((record) => record.error === null)).toEqual([true, false, false, true]);
    expect(records[1]!.error).toMatch(/line 2, column 4: a quote inside an unquoted field/);
    expect(records[2]!.error).toMatch(/line 3, column 9: text after the closing quote/);
    expect(records[1]!.raw.toString()).toBe('bad"quote,2');
    expect(fields(records.slice(3))).toEqual([['ok', '4']]);
  });

  it('reports a quoted field left open at the end of the input, with or without a final line break', async () => {
    for (const text of ['a,b\nc,"open\nmore', 'a,b\nc,"open\nmore\n']) {
      const records = await parse(text);
      expect(records).toHaveLength(2);
      expect(records[1]!.error).toBe('quoted field opened on line 2 is never closed');
      expect(records[1]!.raw.toString()).toBe('c,"open\nmore');
      expect(records[1]!.end).toBe(Buffer.byteLength(text));
    }
  });

  it('marks a line that is not valid UTF-8', async () => {
    const records = await parse(Buffer.concat([Buffer.from('a,b\n'), Buffer.from([0x63, 0xff, 0x2c, 0x64, 0x0a]), Buffer.from('e,f\n')]));
    expect(records[1]!.error).toBe('line 2 is not valid UTF-8');
    expect(fields([records[2]!])).toEqual([['e', 'f']]);
  });
});
