/**
 * How a kind's ClickHouse row is shaped from a canonical record's pseudonymous view (each kind's
 * `schemas/kinds/<kind>/clickhouse.ts` uses these): the view is what the schema's field classes
 * leave of a record (services/platform/field-classes.ts), so no row can hold a direct identifier or
 * free text (docs/privacy.md).
 *
 * Values arrive as the platform serde decodes them: instants as epoch milliseconds (DateTime64(3)
 * takes them as-is), dates as days since the epoch, enums as their symbol, unions unwrapped.
 */

export type Row = Record<string, unknown>;
export type CanonicalRecord = Record<string, unknown>;

/** How many items a withheld list holds (the items themselves stay out of the view). */
export type CountWithheld = (path: string) => number;

/** A kind's table and how a row is shaped from a record's pseudonymous view. */
export interface KindShape {
  table: string;
  /** Top-level canonical fields this shape handles (kept or left out on purpose): a field added later is recognised as new. */
  knownFields: ReadonlySet<string>;
  row(view: CanonicalRecord, countWithheld: CountWithheld): Row;
}

/** A record the projection cannot turn into a row (a field missing or of another shape). */
export class ProjectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProjectionError';
  }
}

const ENVELOPE = ['event_id', 'kind', 'source', 'source_record_id', 'occurred_at', 'received_at', 'normalized_at', 'province_code', 'person_key', 'quality_flags'];

export function object(record: CanonicalRecord, field: string): CanonicalRecord {
  const value = record[field];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ProjectionError(`${field} is not a record`);
  return value as CanonicalRecord;
}

export function optionalObject(record: CanonicalRecord, field: string): CanonicalRecord | null {
  const value = record[field];
  return value === null || value === undefined ? null : object(record, field);
}

export function required(record: CanonicalRecord, field: string, type: 'string' | 'number' | 'boolean'): unknown {
  const value = record[field];
  if (typeof value !== type) throw new ProjectionError(`${field} is missing or not a ${type}`);
  return value;
}

/** Codes in the tables are '' when unknown (they are sort keys; '' sorts first and needs no Nullable). */
export function code(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

export function nullable(value: unknown): unknown {
  return value === undefined ? null : value;
}

export function strings(value: unknown): string[] {
  return Array.isArray(value) ? (value as string[]) : [];
}

export function envelope(record: CanonicalRecord): Row {
  return {
    event_id: required(record, 'event_id', 'string'),
    source: required(record, 'source', 'string'),
    occurred_at: required(record, 'occurred_at', 'number'),
    received_at: required(record, 'received_at', 'number'),
    normalized_at: required(record, 'normalized_at', 'number'),
    province_code: code(record.province_code),
    person_key: nullable(record.person_key),
    quality_flags: strings(record.quality_flags),
  };
}

export function exposure(record: CanonicalRecord, countWithheld: CountWithheld): Row {
  const answers = object(record, 'exposure');
  return {
    contact_with_case: nullable(answers.contact_with_case),
    from_outbreak_area: nullable(answers.from_outbreak_area),
    contact_with_symptomatic: nullable(answers.contact_with_symptomatic),
    places_visited_count: countWithheld('exposure.places_visited'),
  };
}

export function personFacts(record: CanonicalRecord): Row {
  const person = object(record, 'person');
  return { birth_year: nullable(person.birth_year), gender: nullable(person.gender), nationality: nullable(person.nationality) };
}

/** The envelope's fields and the kind's own: a kind shape's knownFields. */
export const known = (...fields: string[]) => new Set([...ENVELOPE, ...fields]);
