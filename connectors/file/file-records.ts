/**
 * The records of one drop-folder file, from a given position on, whatever its format:
 *  - `.csv`: RFC 4180 with a header row (mapped to Avro fields, see csv-columns.ts);
 *  - `.ndjson`: one JSON record per line;
 *  - `.json`: one JSON array of records.
 * A byte-order mark is skipped; blank lines are not records. Each record carries the position
 * after it, which is what the connector commits, so a restart resumes at the very next record.
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type avro from 'avsc';
import type { ParsedRecord } from '../runtime/source-connector.ts';
import { columnMapping, rowRecord, type ColumnMapping } from './csv-columns.ts';
import { csvRecords, type CsvRecord } from './csv.ts';
import { splitLines, UTF8_BOM, type LinePosition } from './line-splitter.ts';

export type FileFormat = 'csv' | 'ndjson' | 'json';

/** Where reading resumes: `records` read so far, and the byte and line where the next one starts. */
export interface FilePosition extends LinePosition {
  records: number;
}

export const FILE_START: FilePosition = { records: 0, byte: 0, line: 1 };

export interface FileRecord {
  parsed: ParsedRecord;
  /** `name:line` (CSV, NDJSON), `name[index]` (JSON array), or `name` (a JSON file that is no array). */
  position: string;
  raw: Buffer;
  next: FilePosition;
}

const CSV_SYNTAX_ERROR_CLASS = 'CsvSyntaxError';
const JSON_SYNTAX_ERROR_CLASS = 'JsonSyntaxError';

export function fileFormat(name: string): FileFormat | null {
  const extension = /\.([^.]+)$/.exec(name)?.[1]?.toLowerCase();
  return extension === 'csv' || extension === 'ndjson' || extension === 'json' ? extension : null;
}

/** What a CSV file's header means: which Avro field each header names, and the record type. */
export interface CsvSchema {
  headerFields: Readonly<Record<string, string>>;
  type: avro.types.RecordType;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

function syntaxError(errorClass: string, message: string): ParsedRecord {
  return { ok: false, problems: [{ path: '(record)', message }], errorClass };
}

function linesFrom(file: string, from: LinePosition) {
  return splitLines(createReadStream(file, { start: from.byte }), from);
}

async function csvHeader(file: string): Promise<CsvRecord | null> {
  for await (const record of csvRecords(linesFrom(file, FILE_START))) return record;
  return null;
}

async function* csvFileRecords(file: string, name: string, from: FilePosition, schema: CsvSchema): AsyncGenerator<FileRecord> {
  // The header is read from the top every time, so a resumed file maps its columns the same way.
  const header = await csvHeader(file);
  if (header === null) return;
  const mapping: ColumnMapping =
    header.error === null
      ? columnMapping(header.fields, schema.headerFields, schema.type)
      : { columns: [], headerProblems: [{ path: '(header)', message: header.error }] };
  const start = from.records > 0 ? from : { records: 0, byte: header.end, line: header.nextLine };
  let records = start.records;
  for await (const record of csvRecords(linesFrom(file, start))) {
    records += 1;
    yield {
      parsed: record.error === null ? rowRecord(mapping, record.fields) : syntaxError(CSV_SYNTAX_ERROR_CLASS, record.error),
      position: `${name}:${record.line}`,
      raw: record.raw,
      next: { records, byte: record.end, line: record.nextLine },
    };
  }
}

function parseJson(bytes: Buffer): ParsedRecord {
  try {
    return { ok: true, value: JSON.parse(UTF8.decode(bytes)) };
  } catch (error) {
    return syntaxError(JSON_SYNTAX_ERROR_CLASS, (error as Error).message);
  }
}

async function* ndjsonFileRecords(file: string, name: string, from: FilePosition): AsyncGenerator<FileRecord> {
  let records = from.records;
  for await (const line of linesFrom(file, from)) {
    if (line.bytes.toString('utf8').trim() === '') continue;
    records += 1;
    yield {
      parsed: parseJson(line.bytes),
      position: `${name}:${line.line}`,
      raw: line.bytes,
      next: { records, byte: line.end, line: line.line + 1 },
    };
  }
}

async function* jsonArrayFileRecords(file: string, name: string, from: FilePosition): AsyncGenerator<FileRecord> {
  // A JSON array is parsed whole; its position is the number of items read (large batches: use NDJSON).
  const bytes = await readFile(file);
  const parsed = parseJson(bytes.subarray(0, UTF8_BOM.length).equals(UTF8_BOM) ? bytes.subarray(UTF8_BOM.length) : bytes);
  if (!parsed.ok || !Array.isArray(parsed.value)) {
    // The file as a whole is the one record it could be read as, and it is a dead letter.
    if (from.records > 0) return;
    yield {
      parsed: parsed.ok ? syntaxError(JSON_SYNTAX_ERROR_CLASS, 'a .json file must hold one JSON array of records') : parsed,
      position: name,
      raw: bytes,
      next: { ...FILE_START, records: 1 },
    };
    return;
  }
  const items = parsed.value as unknown[];
  for (let index = from.records; index < items.length; index += 1) {
    yield {
      parsed: { ok: true, value: items[index] },
      position: `${name}[${index}]`,
      raw: Buffer.from(JSON.stringify(items[index])),
      next: { ...FILE_START, records: index + 1 },
    };
  }
}

/** `csvSchema` is needed for CSV files only. */
export function fileRecords(file: string, name: string, format: FileFormat, from: FilePosition, csvSchema: CsvSchema | null): AsyncGenerator<FileRecord> {
  switch (format) {
    case 'csv':
      if (csvSchema === null) throw new Error(`${name}: CSV files need a header mapping`);
      return csvFileRecords(file, name, from, csvSchema);
    case 'ndjson':
      return ndjsonFileRecords(file, name, from);
    case 'json':
      return jsonArrayFileRecords(file, name, from);
  }
}
