/**
 * The fields of each canonical kind as dotted paths (read from its Avro schema), with their types,
 * for checking subscription filters. Which of them a tier may see is the schema's classification
 * (services/platform/field-classes.ts).
 */
import type { AvroSchema } from '../platform/schema-files.ts';
import { KINDS, canonicalSchema, type Kind } from '../platform/catalog.ts';

export type FieldType = 'string' | 'enum' | 'boolean' | 'number' | 'array' | 'record';

export interface FieldInfo {
  type: FieldType;
  nullable: boolean;
  /** Enum symbols (for enums, and arrays of enums). */
  symbols?: string[];
}

type Json = Record<string, unknown>;

/** Walks a schema's fields (resolving named types used again later) into path → info. */
function fieldsOf(schema: AvroSchema): Map<string, FieldInfo> {
  const named = new Map<string, unknown>();
  const fields = new Map<string, FieldInfo>();
  const resolve = (type: unknown): unknown => (typeof type === 'string' && named.has(type) ? named.get(type) : type);
  const describe = (type: unknown, path: string): FieldInfo => {
    let nullable = false;
    let inner: unknown = type;
    if (Array.isArray(type)) {
      nullable = type.includes('null');
      inner = type.find((branch) => branch !== 'null');
    }
    inner = resolve(inner);
    if (typeof inner === 'string') {
      return { type: inner === 'string' ? 'string' : inner === 'boolean' ? 'boolean' : 'number', nullable };
    }
    const object = inner as Json;
    if (typeof object.name === 'string') named.set(object.name, object);
    if (object.type === 'enum') return { type: 'enum', nullable, symbols: object.symbols as string[] };
    if (object.type === 'array') {
      const items = resolve(object.items);
      const itemInfo = typeof items === 'object' && items !== null && (items as Json).type === 'enum' ? describe(items, `${path}[]`) : null;
      return { type: 'array', nullable, ...(itemInfo?.symbols ? { symbols: itemInfo.symbols } : {}) };
    }
    if (object.type === 'record') {
      for (const field of object.fields as Json[]) {
        const fieldPath = path ? `${path}.${String(field.name)}` : String(field.name);
        fields.set(fieldPath, describe(field.type, fieldPath));
      }
      return { type: 'record', nullable };
    }
    // Logical types (timestamp-millis, date) ride on numbers.
    return describe(object.type, path);
  };
  describe(schema, '');
  return fields;
}

const FIELDS = new Map<Kind, Map<string, FieldInfo>>(KINDS.map((kind) => [kind, fieldsOf(canonicalSchema(kind))]));

export function canonicalField(kind: Kind, path: string): FieldInfo | undefined {
  return FIELDS.get(kind)!.get(path);
}

export function canonicalFieldPaths(kind: Kind): string[] {
  return [...FIELDS.get(kind)!.keys()];
}

/** The value at a dotted path (undefined when a record on the way is null or missing). */
export function valueAt(record: Json, path: string): unknown {
  let value: unknown = record;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Json)[part];
  }
  return value;
}
