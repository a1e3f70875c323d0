/**
 * The fields of each canonical kind as dotted paths (read from its Avro schema), which of them
 * identify a person, and the projection a tier applies: the pseudonymous tier drops the identifying
 * fields (name, identity document, phone, address line, a citizen report's free text and reporter)
 * and keeps `person_key`, so records still join per person without saying who the person is.
 */
import avro from 'avsc';
import type { Tier } from '../platform/access.ts';
import type { AvroSchema } from '../platform/avro-serde.ts';
import { KINDS, canonicalSchema, type Kind } from '../platform/catalog.ts';

export type FieldType = 'string' | 'enum' | 'boolean' | 'number' | 'array' | 'record';

export interface FieldInfo {
  type: FieldType;
  nullable: boolean;
  /** Enum symbols (for enums, and arrays of enums). */
  symbols?: string[];
}

/**
 * Identifying fields per kind, as dotted paths. Schema docs mark them ("Identifying."); a unit test
 * keeps this list and the docs in step. A dropped record drops everything under it.
 */
export const IDENTIFYING_FIELDS: Record<Kind, readonly string[]> = {
  'health-declaration': ['person.full_name', 'person.document', 'person.phone', 'address.line'],
  'movement-declaration': ['person.full_name', 'person.document', 'person.phone'],
  'citizen-report': ['text', 'location.line', 'reporter'],
  checkpoint: [],
  'checkpoint-passage': ['document'],
};

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

/** Whether `path` is (or lies under) an identifying field of `kind`. */
export function isIdentifying(kind: Kind, path: string): boolean {
  return IDENTIFYING_FIELDS[kind].some((field) => path === field || path.startsWith(`${field}.`));
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

/** The canonical schema of `kind` without the fields `tier` may not see (a schema of its own for agency topics). */
export function projectedSchema(kind: Kind, tier: Tier): AvroSchema {
  const schema = structuredClone(canonicalSchema(kind)) as Json;
  if (tier === 'identified') return schema;
  for (const path of IDENTIFYING_FIELDS[kind]) {
    const parts = path.split('.');
    let record: Json | undefined = schema;
    for (const part of parts.slice(0, -1)) {
      const field = (record!.fields as Json[]).find((f) => f.name === part)!;
      const type = Array.isArray(field.type) ? (field.type as unknown[]).find((b) => b !== 'null') : field.type;
      record = type as Json;
    }
    record!.fields = (record!.fields as Json[]).filter((f) => f.name !== parts[parts.length - 1]);
  }
  schema.doc = `${String(schema.doc ?? '')} Pseudonymous projection: identifying fields (${IDENTIFYING_FIELDS[kind].join(', ')}) removed.`.trim();
  // Throws when a dropped field held a named type that a kept field still refers to.
  avro.Type.forSchema(schema as avro.Schema);
  return schema;
}

/** A copy of `record` as `tier` may see it (the same fields as projectedSchema). */
export function projectRecord(kind: Kind, tier: Tier, record: Json): Json {
  if (tier === 'identified') return record;
  const copy = structuredClone(record);
  for (const path of IDENTIFYING_FIELDS[kind]) {
    const parts = path.split('.');
    const parent = parts.length === 1 ? copy : valueAt(copy, parts.slice(0, -1).join('.'));
    if (parent !== null && typeof parent === 'object') delete (parent as Json)[parts[parts.length - 1]!];
  }
  return copy;
}
