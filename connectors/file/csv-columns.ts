/**
 * From CSV cells to a raw record: the header row names each column (through a file mapping header
 * text to Avro field names, e.g. "Mã chốt" → ma_chot), and each cell's text is converted to the
 * type the raw schema declares for its field. An empty cell is null. A cell that does not convert,
 * or a row that does not fit the header, makes that row a dead letter; so does every row of a file
 * whose header has a column the mapping does not know (its data would otherwise be dropped).
 */
import type avro from 'avsc';
import type { Problem } from '../../services/platform/raw-records.ts';
import type { ParsedRecord } from '../runtime/source-connector.ts';

/** Dead letters' error class for a row that cannot become a record of the schema's shape. */
const CSV_ROW_ERROR_CLASS = 'CsvRowError';

interface Column {
  field: string;
  type: avro.Type;
}

export interface ColumnMapping {
  columns: (Column | null)[];
  /** Problems of the header itself; every row of the file carries them. */
  headerProblems: Problem[];
}

/** Headers are matched in Unicode NFC, ignoring case and surrounding or repeated spaces: spreadsheets differ in all of these. */
function normalizeHeader(header: string): string {
  return header.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
}

export function columnMapping(header: string[], headerFields: Readonly<Record<string, string>>, type: avro.types.RecordType): ColumnMapping {
  const fieldsByHeader = new Map(Object.entries(headerFields).map(([text, field]) => [normalizeHeader(text), field] as const));
  const fieldTypes = new Map(type.fields.map((field) => [field.name, field.type] as const));
  const seen = new Set<string>();
  const headerProblems: Problem[] = [];
  const columns = header.map((text, index): Column | null => {
    const field = fieldsByHeader.get(normalizeHeader(text));
    const fieldType = field === undefined ? undefined : fieldTypes.get(field);
    if (field === undefined || fieldType === undefined) {
      headerProblems.push({ path: `(column ${index + 1})`, message: `header ${JSON.stringify(text)} is not a known column` });
      return null;
    }
    if (seen.has(field)) {
      headerProblems.push({ path: field, message: `header ${JSON.stringify(text)} repeats an earlier column` });
      return null;
    }
    seen.add(field);
    return { field, type: fieldType };
  });
  return { columns, headerProblems };
}

type Cell = { ok: true; value: unknown } | { ok: false; message: string };

const WHOLE_NUMBER = /^[+-]?\d+$/;
/** Decimal numbers with a dot or, as Vietnamese spreadsheets often write them, a comma. */
const DECIMAL_NUMBER = /^[+-]?\d+(?:[.,]\d+)?$/;

/** The cell's text as a value of `type`. */
export function cellValue(text: string, type: avro.Type): Cell {
  if (text === '') return { ok: true, value: null };
  switch (type.typeName) {
    case 'string':
    case 'enum':
      return { ok: true, value: text };
    case 'int':
    case 'long':
      return WHOLE_NUMBER.test(text) && Number.isSafeInteger(Number(text))
        ? { ok: true, value: Number(text) }
        : { ok: false, message: `expected a whole number, got ${JSON.stringify(text)}` };
    case 'float':
    case 'double':
      return DECIMAL_NUMBER.test(text)
        ? { ok: true, value: Number(text.replace(',', '.')) }
        : { ok: false, message: `expected a decimal number, got ${JSON.stringify(text)}` };
    case 'boolean': {
      const lower = text.toLowerCase();
      if (lower === 'true' || lower === '1') return { ok: true, value: true };
      if (lower === 'false' || lower === '0') return { ok: true, value: false };
      return { ok: false, message: `expected true or false, got ${JSON.stringify(text)}` };
    }
    case 'union:unwrapped': {
      // Raw schemas use unions of null and one other type: the cell is that other type.
      const branch = (type as avro.types.UnwrappedUnionType).types.find((t) => t.typeName !== 'null');
      return branch ? cellValue(text, branch) : { ok: false, message: 'the field only takes null' };
    }
    default:
      return { ok: false, message: `a ${type.typeName} field cannot be written as one CSV cell` };
  }
}

/** One data row as a record of the schema, or the problems that keep it from being one. */
export function rowRecord(mapping: ColumnMapping, fields: string[]): ParsedRecord {
  if (mapping.headerProblems.length > 0) {
    return { ok: false, problems: mapping.headerProblems, errorClass: CSV_ROW_ERROR_CLASS };
  }
  if (fields.length !== mapping.columns.length) {
    return {
      ok: false,
      problems: [{ path: '(row)', message: `the row has ${fields.length} fields, the header ${mapping.columns.length}` }],
      errorClass: CSV_ROW_ERROR_CLASS,
    };
  }
  const value: Record<string, unknown> = {};
  const problems: Problem[] = [];
  mapping.columns.forEach((column, index) => {
    if (column === null) return;
    const cell = cellValue(fields[index]!, column.type);
    if (cell.ok) value[column.field] = cell.value;
    else problems.push({ path: column.field, message: cell.message });
  });
  return problems.length > 0 ? { ok: false, problems, errorClass: CSV_ROW_ERROR_CLASS } : { ok: true, value };
}
