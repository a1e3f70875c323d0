/**
 * Defects ingest must refuse, made from the raw schema itself: a required field left out, a field
 * of the wrong JSON type (a code sent as a number, a year as a string), a field the schema does not
 * know. Top-level fields only, so the path is the field name.
 */
import type { Kind } from '../platform/catalog.ts';
import { rawSchema } from '../platform/catalog.ts';
import type { IngestDefect } from './labels.ts';
import { strayFields } from './pairs.ts';
import type { RawRecord } from './pair-spec.ts';
import type { Random } from './random.ts';

export interface FieldShape {
  name: string;
  /** Neither nullable nor defaulted. */
  required: boolean;
}

type SchemaType = string | Record<string, unknown> | SchemaType[];

function isNullable(type: SchemaType): boolean {
  return Array.isArray(type) && type.includes('null');
}

/** The top-level fields of a raw schema. */
export function fieldShapes(source: string, kind: Kind): FieldShape[] {
  const fields = rawSchema(source, kind).fields as { name: string; type: SchemaType; default?: unknown }[];
  return fields.map((field) => ({ name: field.name, required: !isNullable(field.type) && !('default' in field) }));
}

/** A value of the wrong JSON type for a field's value: what a careless integration sends. */
function wronglyTyped(value: unknown): unknown {
  if (typeof value === 'string') return /^\d+$/.test(value) ? Number(value) : [value];
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (Array.isArray(value)) return value.join(', ');
  return JSON.stringify(value);
}

/** Applies the defect in place; returns the path `RawRecordCodec.problems` reports it under. */
export function applyIngestDefect(defect: IngestDefect, record: RawRecord, source: string, fields: readonly FieldShape[], random: Random): string {
  switch (defect) {
    case 'missing-required-field': {
      const field = random.pick(fields.filter((f) => f.required));
      delete record[field.name];
      return field.name;
    }
    case 'wrong-type': {
      const field = random.pick(fields.filter((f) => record[f.name] !== null && record[f.name] !== undefined));
      record[field.name] = wronglyTyped(record[field.name]);
      return field.name;
    }
    case 'unknown-field': {
      const [name, value] = random.pick(strayFields(source));
      record[name] = value;
      return name;
    }
  }
}
