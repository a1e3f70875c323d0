import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvSchema as csvSchemaOf } from '../../connectors/file/file-reads.ts';
import { FILE_START, fileFormat, fileRecords, type FileFormat, type FilePosition, type FileRecord } from '../../connectors/file/file-records.ts';

describe('records of drop-folder files, resumable at any record', () => {
  let dir: string;
  const csvSchema = csvSchemaOf('checkpoint-ops', 'checkpoint');

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'truc-file-records-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function read(name: string, content: string | Buffer, from: FilePosition = FILE_START): Promise<FileRecord[]> {
    await writeFile(path.join(dir, name), content);
    const records: FileRecord[] = [];
    for await (const record of fileRecords(path.join(dir, name), name, fileFormat(name) as FileFormat, from, csvSchema)) records.push(record);
    return records;
  }

  /** Reading from each record's `next` gives exactly the records after it. */
  async function expectResumable(name: string, content: string | Buffer): Promise<void> {
    const all = await read(name, content);
    for (let i = 0; i < all.length; i += 1) expect(await read(name, content, all[i]!.next)).toEqual(all.slice(i + 1));
  }

  it('knows formats by extension', () => {
    expect(['a.csv', 'b.NDJSON', 'c.json', 'd.csv.part', 'e.tmp', 'f'].map(fileFormat)).toEqual(['csv', 'ndjson', 'json', null, null, null]);
  });

  it('CSV: maps the Vietnamese header, positions rows by line, re-reads the header when resuming', async () => {
    const csv = '\ufeffMã chốt,Tên chốt,Loại chốt,Tỉnh/TP\r\nA-1,"Chốt A, cầu",Đường bộ,Bình Dương\r\n\r\nA-2,"Chốt\r\nB",Cửa khẩu,Tây Ninh\r\nA-3,short\r\n';
    const records = await read('registry.csv', csv);
    expect(records.map((r) => r.position)).toEqual(['registry.csv:2', 'registry.csv:4', 'registry.csv:6']);
    expect(records[0]!.parsed).toEqual({ ok: true, value: { ma_chot: 'A-1', ten_chot: 'Chốt A, cầu', loai_chot: 'Đường bộ', tinh_tp: 'Bình Dương' } });
    expect(records[1]!.parsed).toMatchObject({ ok: true, value: { ten_chot: 'Chốt\r\nB' } });
    expect(records[2]!.parsed).toMatchObject({ ok: false, errorClass: 'CsvRowError' });
    expect(records[2]!.raw.toString()).toBe('A-3,short');
    expect(records.map((r) => r.next.records)).toEqual([1, 2, 3]);
    await expectResumable('registry.csv', csv);
  });

  it('CSV: a file with only a header, or nothing, has no records', async () => {
    expect(await read('header-only.csv', 'Mã chốt,Tên chốt\n')).toEqual([]);
    expect(await read('empty.csv', '')).toEqual([]);
  });

  it('NDJSON: one record per non-blank line; a line that is not JSON is a dead letter', async () => {
    const ndjson = '{"a":1}\n\n{"a":\n  {"a":3}  \r\n';
    const records = await read('gate.ndjson', ndjson);
    expect(records.map((r) => r.position)).toEqual(['gate.ndjson:1', 'gate.ndjson:3', 'gate.ndjson:4']);
    expect(records.map((r) => r.parsed.ok)).toEqual([true, false, true]);
    expect(records[1]!.parsed).toMatchObject({ errorClass: 'JsonSyntaxError' });
    expect(records[2]!.parsed).toEqual({ ok: true, value: { a: 3 } });
    await expectResumable('gate.ndjson', ndjson);
  });

  it('JSON: the items of one array; a file that is no array is one dead letter', async () => {
    const json = '\ufeff[{"a":1}, {"a":2}, 3]';
    const records = await read('gate.json', json);
    expect(records.map((r) => [r.position, r.raw.toString()])).toEqual([['gate.json[0]', '{"a":1}'], ['gate.json[1]', '{"a":2}'], ['gate.json[2]', '3']]);
    await expectResumable('gate.json', json);

    const broken = await read('broken.json', '{"a":1}');
    expect(broken).toHaveLength(1);
    expect(broken[0]).toMatchObject({ position: 'broken.json', parsed: { ok: false, errorClass: 'JsonSyntaxError' } });
    expect(await read('broken.json', '{"a":1}', broken[0]!.next)).toEqual([]);
  });
});
