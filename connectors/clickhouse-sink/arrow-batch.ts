/**
 * A batch of sink rows in Arrow's columnar layout (the C Data Interface buffers the embedded engine
 * reads as `arrowstream('<name>')`), and the SELECT list that turns those columns into the table's
 * types. The engine reads the buffers as they are, with no text to parse: the sink's binary insert
 * path (issue 16). Arrow here has Int32, Int64, Float64, Bool and Utf8; the rest is converted by
 * the SELECT: DateTime64(3) from epoch milliseconds, arrays from their JSON text, and everything
 * else by the INSERT's own cast (String to UUID or LowCardinality, Int32 to UInt8, days to Date32).
 *
 * A batch holding a value its column's plan does not expect (a string in a number column, a null
 * in a non-nullable column, a type without a plan) gets no Arrow form (null): the caller writes it
 * as JSON, whose conversions (null as the column's default, text dates) stay exactly as they were.
 */
export interface TableColumn {
  name: string;
  /** The column's type as system.columns spells it. */
  type: string;
}

/** One column as the engine's Arrow registration takes it. */
export interface ArrowColumn {
  name: string;
  /** Arrow format: 'i' Int32, 'l' Int64, 'g' Float64, 'b' Bool, 'u' Utf8. */
  format: 'i' | 'l' | 'g' | 'b' | 'u';
  length: number;
  nullCount: number;
  /** [validity bitmap or null, data] and, for Utf8, [validity, offsets, bytes]. */
  buffers: (Buffer | null)[];
}

export interface ArrowBatch {
  columns: ArrowColumn[];
  /** One expression per column, in the columns' order, reading `arrowstream` and giving the table's type. */
  select: string[];
}

type Row = Readonly<Record<string, unknown>>;

interface Plan {
  format: ArrowColumn['format'];
  /** Whether a (non-null) value can be written in this format. */
  accepts(value: unknown): boolean;
  select(column: string): string;
}

const INT32 = (value: unknown) => Number.isInteger(value) && (value as number) >= -(2 ** 31) && (value as number) < 2 ** 31;
const INT64 = (value: unknown) => Number.isSafeInteger(value);
const as = (column: string) => column;

/** Backquoted identifier, as ClickHouse reads one (the names come from system.columns). */
export function quoteIdentifier(name: string): string {
  return `\`${name.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``;
}

/** The column's type without LowCardinality and Nullable, and whether it takes nulls. */
function baseType(type: string): { base: string; nullable: boolean } {
  let base = type;
  let nullable = false;
  for (let changed = true; changed;) {
    changed = false;
    for (const wrapper of ['LowCardinality(', 'Nullable(']) {
      if (base.startsWith(wrapper) && base.endsWith(')')) {
        base = base.slice(wrapper.length, -1);
        nullable ||= wrapper === 'Nullable(';
        changed = true;
      }
    }
  }
  return { base, nullable };
}

function planOf(type: string): Plan | null {
  const { base } = baseType(type);
  if (base === 'String' || base === 'UUID' || base.startsWith('FixedString(') || base.startsWith('Enum')) {
    return { format: 'u', accepts: (value) => typeof value === 'string', select: as };
  }
  if (['UInt8', 'UInt16', 'Int8', 'Int16', 'Int32', 'Date', 'Date32'].includes(base)) return { format: 'i', accepts: INT32, select: as };
  if (['UInt32', 'Int64', 'UInt64'].includes(base)) return { format: 'l', accepts: INT64, select: as };
  if (base === 'Float32' || base === 'Float64') return { format: 'g', accepts: (value) => typeof value === 'number', select: as };
  if (base === 'Bool') return { format: 'b', accepts: (value) => typeof value === 'boolean', select: as };
  if (/^DateTime64\(3(, '[A-Za-z0-9_/+-]+')?\)$/.test(base)) {
    return { format: 'l', accepts: INT64, select: (column) => `fromUnixTimestamp64Milli(${column})` };
  }
  if (base.startsWith('Array(')) {
    // Arrow columns arrive Nullable: assumeNotNull lets JSONExtract build a (never-null) array.
    return { format: 'u', accepts: Array.isArray, select: (column) => `JSONExtract(assumeNotNull(${column}), '${type.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}')` };
  }
  return null;
}

function validity(values: readonly unknown[]): { bitmap: Buffer | null; nulls: number } {
  let nulls = 0;
  const bitmap = Buffer.alloc(Math.ceil(values.length / 8));
  for (let i = 0; i < values.length; i++) {
    if (values[i] === null || values[i] === undefined) nulls += 1;
    else bitmap[i >> 3]! |= 1 << (i & 7);
  }
  return { bitmap: nulls === 0 ? null : bitmap, nulls };
}

function encode(format: ArrowColumn['format'], values: readonly unknown[]): Buffer[] {
  const length = values.length;
  switch (format) {
    case 'i': {
      const data = new Int32Array(length);
      for (let i = 0; i < length; i++) data[i] = (values[i] as number | null) ?? 0;
      return [Buffer.from(data.buffer)];
    }
    case 'l': {
      const data = new BigInt64Array(length);
      for (let i = 0; i < length; i++) data[i] = BigInt((values[i] as number | null) ?? 0);
      return [Buffer.from(data.buffer)];
    }
    case 'g': {
      const data = new Float64Array(length);
      for (let i = 0; i < length; i++) data[i] = (values[i] as number | null) ?? 0;
      return [Buffer.from(data.buffer)];
    }
    case 'b': {
      const data = Buffer.alloc(Math.ceil(length / 8));
      for (let i = 0; i < length; i++) if (values[i] === true) data[i >> 3]! |= 1 << (i & 7);
      return [data];
    }
    case 'u': {
      const offsets = new Int32Array(length + 1);
      const texts = values.map((value) => (value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value)));
      let bytes = 0;
      for (let i = 0; i < length; i++) {
        offsets[i] = bytes;
        bytes += Buffer.byteLength(texts[i]!);
      }
      offsets[length] = bytes;
      const data = Buffer.allocUnsafe(bytes);
      for (let i = 0, at = 0; i < length; i++) at += data.write(texts[i]!, at);
      return [Buffer.from(offsets.buffer), data];
    }
  }
}

/**
 * The rows' Arrow form for the given columns of a table (`columns`: names in insert order;
 * `types`: the table's columns), or null when some value does not fit its column's plan.
 */
export function arrowBatch(columns: readonly string[], types: ReadonlyMap<string, string>, rows: readonly Row[]): ArrowBatch | null {
  const batch: ArrowBatch = { columns: [], select: [] };
  for (const name of columns) {
    const type = types.get(name);
    const plan = type === undefined ? null : planOf(type);
    if (!plan) return null;
    const { nullable } = baseType(type!);
    const values = rows.map((row) => row[name] ?? null);
    for (const value of values) {
      if (value === null ? !nullable : !plan.accepts(value)) return null;
    }
    const { bitmap, nulls } = validity(values);
    batch.columns.push({ name, format: plan.format, length: rows.length, nullCount: nulls, buffers: [bitmap, ...encode(plan.format, values)] });
    batch.select.push(plan.select(quoteIdentifier(name)));
  }
  return batch;
}
