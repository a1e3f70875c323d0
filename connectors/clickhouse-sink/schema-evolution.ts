/**
 * Schema evolution: when a canonical schema gains a top-level nullable field, its table gains a
 * column (`ALTER TABLE … ADD COLUMN IF NOT EXISTS`) before any row carrying it is written. Only
 * fields that are `["null", <primitive, enum or logical type>]` become columns, under their own
 * name (checked as a plain identifier), and only when its `truc.class` lets the pseudonymous view
 * hold it (services/platform/field-classes.ts): a direct identifier, free text, a field identifying
 * under a condition, or one without a class never becomes a column. Other new fields are reported
 * once and left out.
 */
import type { ClickHouseHandle } from '../../services/platform/clickhouse.ts';
import { CLASS_ATTRIBUTE, CONDITION_ATTRIBUTE, isFieldClass, WITHHELD_CLASSES } from '../../services/platform/field-classes.ts';
import type { Logger } from '../../services/platform/logger.ts';
import type { KindProjection } from './projection.ts';

interface AvroField {
  name: string;
  type: unknown;
  doc?: string;
  [CLASS_ATTRIBUTE]?: unknown;
  [CONDITION_ATTRIBUTE]?: unknown;
}

export interface ExtraColumn {
  /** The Avro field name, which is also the column name. */
  name: string;
  clickhouseType: string;
  comment: string;
}

export interface SchemaExtras {
  columns: ExtraColumn[];
  /** New fields that did not become columns, and why. */
  skipped: { name: string; reason: string }[];
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** The ClickHouse type of a non-null Avro branch, or null when it has no flat column type. */
export function clickhouseTypeOf(type: unknown): string | null {
  if (typeof type === 'string') {
    const primitive: Record<string, string> = {
      string: 'String', int: 'Int32', long: 'Int64', float: 'Float32', double: 'Float64', boolean: 'Bool',
    };
    return primitive[type] ?? null;
  }
  if (type === null || typeof type !== 'object') return null;
  const schema = type as { type?: unknown; logicalType?: unknown };
  if (schema.type === 'enum') return 'LowCardinality(String)';
  if (schema.logicalType === 'timestamp-millis' && schema.type === 'long') return "DateTime64(3, 'UTC')";
  if (schema.logicalType === 'date' && schema.type === 'int') return 'Date32';
  if (schema.logicalType === 'uuid' && schema.type === 'string') return 'UUID';
  return clickhouseTypeOf(schema.type);
}

/** The new top-level fields of `schema` (an Avro record schema as JSON) for `projection`. */
export function schemaExtras(schema: { fields?: AvroField[] }, projection: KindProjection): SchemaExtras {
  const extras: SchemaExtras = { columns: [], skipped: [] };
  for (const field of schema.fields ?? []) {
    if (projection.knownFields.has(field.name)) continue;
    const skip = (reason: string) => extras.skipped.push({ name: field.name, reason });
    if (!IDENTIFIER.test(field.name)) {
      skip('its name is not a plain identifier');
      continue;
    }
    const cls = field[CLASS_ATTRIBUTE];
    if (!isFieldClass(cls) || WITHHELD_CLASSES.includes(cls) || field[CONDITION_ATTRIBUTE] !== undefined) {
      skip(`its ${CLASS_ATTRIBUTE} (${String(cls ?? 'none')}${field[CONDITION_ATTRIBUTE] === undefined ? '' : ', conditional'}) keeps it out of this pseudonymous tier`);
      continue;
    }
    const branches = Array.isArray(field.type) ? field.type : null;
    const value = branches?.length === 2 && branches[0] === 'null' ? branches[1] : undefined;
    const base = value === undefined ? null : clickhouseTypeOf(value);
    if (base === null) {
      skip('only nullable fields of a primitive, enum, date, timestamp or uuid type become columns');
      continue;
    }
    const clickhouseType = base.startsWith('LowCardinality(') ? 'LowCardinality(Nullable(String))' : `Nullable(${base})`;
    extras.columns.push({ name: field.name, clickhouseType, comment: (field.doc ?? '').slice(0, 500) });
  }
  return extras;
}

/** Adds the columns (idempotently); the names were checked as identifiers. */
export async function addColumns(handle: ClickHouseHandle, table: string, columns: ExtraColumn[], logger: Logger): Promise<void> {
  for (const column of columns) {
    // The doc comes from the registry, not from code: control characters dropped, quotes escaped.
    const comment = column.comment.replace(/[\u0000-\u001f\u007f]/g, ' ').replaceAll('\\', '\\\\').replaceAll("'", "\\'");
    await handle.client.command({
      query: `ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS \`${column.name}\` ${column.clickhouseType} COMMENT '${comment}'`,
    });
    logger.info({ table, column: column.name, type: column.clickhouseType }, 'column added for a new canonical field');
  }
}
