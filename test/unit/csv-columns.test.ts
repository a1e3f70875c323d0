import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { cellValue, columnMapping, rowRecord } from '../../connectors/file/csv-columns.ts';

const type = avro.Type.forSchema({
  type: 'record',
  name: 'Row',
  fields: [
    { name: 'ma_chot', type: 'string' },
    { name: 'km', type: ['null', 'double'], default: null },
    { name: 'lanes', type: ['null', 'int'], default: null },
    { name: 'open', type: ['null', 'boolean'], default: null },
    { name: 'ghi_chu', type: ['null', 'string'], default: null },
  ],
}) as avro.types.RecordType;
const headers = { 'Mã chốt': 'ma_chot', 'Lý trình (Km)': 'km', 'Số làn': 'lanes', 'Mở': 'open', 'Ghi chú': 'ghi_chu' };
const field = (name: string) => type.fields.find((f) => f.name === name)!.type;

describe('CSV cells to Avro values', () => {
  it('converts text to the type the schema declares; an empty cell is null', () => {
    expect(cellValue('Chốt A', field('ma_chot'))).toEqual({ ok: true, value: 'Chốt A' });
    expect(cellValue('', field('ghi_chu'))).toEqual({ ok: true, value: null });
    expect(cellValue('16.2', field('km'))).toEqual({ ok: true, value: 16.2 });
    expect(cellValue('10,8842', field('km'))).toEqual({ ok: true, value: 10.8842 });
    expect(cellValue('-3', field('lanes'))).toEqual({ ok: true, value: -3 });
    expect(cellValue('TRUE', field('open'))).toEqual({ ok: true, value: true });
    expect(cellValue('0', field('open'))).toEqual({ ok: true, value: false });
  });

  it('refuses text that is not of the declared type', () => {
    expect(cellValue('Km 16+200', field('km'))).toEqual({ ok: false, message: 'expected a decimal number, got "Km 16+200"' });
    expect(cellValue('1.5', field('lanes'))).toMatchObject({ ok: false });
    expect(cellValue('99999999999999999999', field('lanes'))).toMatchObject({ ok: false });
    expect(cellValue('có', field('open'))).toMatchObject({ ok: false });
  });
});

describe('CSV header and rows', () => {
  it('maps headers by name whatever their order, case, spacing or Unicode normalisation', () => {
    const mapping = columnMapping(['GHI CHÚ', ' Mã  chốt '.normalize('NFD'), 'Lý trình (Km)'], headers, type);
    expect(mapping.headerProblems).toEqual([]);
    expect(rowRecord(mapping, ['ghi', 'A-1', '16,2'])).toEqual({ ok: true, value: { ghi_chu: 'ghi', ma_chot: 'A-1', km: 16.2 } });
  });

  it('makes every row a dead letter when the header has an unknown or repeated column', () => {
    const mapping = columnMapping(['Mã chốt', 'STT', 'Mã chốt'], headers, type);
    expect(mapping.headerProblems).toEqual([
      { path: '(column 2)', message: 'header "STT" is not a known column' },
      { path: 'ma_chot', message: 'header "Mã chốt" repeats an earlier column' },
    ]);
    expect(rowRecord(mapping, ['A', '1', 'A'])).toMatchObject({ ok: false, errorClass: 'CsvRowError', problems: mapping.headerProblems });
  });

  it('refuses a row with another number of fields than the header, or a cell that does not convert', () => {
    const mapping = columnMapping(['Mã chốt', 'Số làn'], headers, type);
    expect(rowRecord(mapping, ['A'])).toEqual({
      ok: false,
      errorClass: 'CsvRowError',
      problems: [{ path: '(row)', message: 'the row has 1 fields, the header 2' }],
    });
    expect(rowRecord(mapping, ['A', 'hai'])).toEqual({
      ok: false,
      errorClass: 'CsvRowError',
      problems: [{ path: 'lanes', message: 'expected a whole number, got "hai"' }],
    });
  });
});
