/**
 * Canonical record → row of its ClickHouse table. A row is shaped from the record's pseudonymous
 * view (services/platform/field-classes.ts), the same the pseudonymous tier of agencies gets: the
 * fields the schema classifies as direct identifiers or free text (names, documents, phones,
 * address lines, seats, plates, report coordinates, free text) are not in it, so no table can hold
 * them (docs/privacy.md); of a withheld list only its length may be counted. Each kind lists the
 * top-level fields it knows (projected or deliberately left out), so a field added later to a
 * canonical schema is recognised as new (schema-evolution.ts).
 *
 * Values arrive as the platform serde decodes them: instants as epoch milliseconds (DateTime64(3)
 * takes them as-is), dates as days since the epoch, enums as their symbol, unions unwrapped.
 */
import { KINDS, type Kind } from '../../services/platform/catalog.ts';
import { pseudonymousView } from '../../services/platform/field-classes.ts';

export type Row = Record<string, unknown>;
type CanonicalRecord = Record<string, unknown>;

export interface KindProjection {
  table: string;
  /** Top-level canonical fields this projection handles (kept or left out on purpose). */
  knownFields: ReadonlySet<string>;
  project(record: CanonicalRecord): Row;
}

/** How many items a withheld list holds (the items themselves stay out of the view). */
type CountWithheld = (path: string) => number;

/** A kind's table and how a row is shaped from a record's pseudonymous view. */
interface KindShape {
  table: string;
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

function object(record: CanonicalRecord, field: string): CanonicalRecord {
  const value = record[field];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ProjectionError(`${field} is not a record`);
  return value as CanonicalRecord;
}

function optionalObject(record: CanonicalRecord, field: string): CanonicalRecord | null {
  const value = record[field];
  return value === null || value === undefined ? null : object(record, field);
}

function required(record: CanonicalRecord, field: string, type: 'string' | 'number' | 'boolean'): unknown {
  const value = record[field];
  if (typeof value !== type) throw new ProjectionError(`${field} is missing or not a ${type}`);
  return value;
}

/** Codes in the tables are '' when unknown (they are sort keys; '' sorts first and needs no Nullable). */
function code(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function nullable(value: unknown): unknown {
  return value === undefined ? null : value;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? (value as string[]) : [];
}

function envelope(record: CanonicalRecord): Row {
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

function exposure(record: CanonicalRecord, countWithheld: CountWithheld): Row {
  const answers = object(record, 'exposure');
  return {
    contact_with_case: nullable(answers.contact_with_case),
    from_outbreak_area: nullable(answers.from_outbreak_area),
    contact_with_symptomatic: nullable(answers.contact_with_symptomatic),
    places_visited_count: countWithheld('exposure.places_visited'),
  };
}

function personFacts(record: CanonicalRecord): Row {
  const person = object(record, 'person');
  return { birth_year: nullable(person.birth_year), gender: nullable(person.gender), nationality: nullable(person.nationality) };
}

const known = (...fields: string[]) => new Set([...ENVELOPE, ...fields]);

const SHAPES: Readonly<Record<Kind, KindShape>> = {
  'health-declaration': {
    table: 'health_declarations',
    knownFields: known('declaration_type', 'person', 'address', 'symptoms', 'exposure', 'vaccination'),
    row(view, countWithheld) {
      const address = object(view, 'address');
      const vaccination = object(view, 'vaccination');
      return {
        ...envelope(view),
        district_code: code(address.district_code),
        ward_code: code(address.ward_code),
        declaration_type: required(view, 'declaration_type', 'string'),
        ...personFacts(view),
        symptoms: strings(view.symptoms),
        ...exposure(view, countWithheld),
        vaccine_doses: typeof vaccination.doses === 'number' ? vaccination.doses : 0,
        last_dose_date: nullable(vaccination.last_dose_date),
      };
    },
  },
  'movement-declaration': {
    table: 'movement_declarations',
    knownFields: known('person', 'transport_mode', 'vehicle_code', 'seat', 'origin', 'destination', 'departure_date', 'symptoms', 'exposure'),
    row(view, countWithheld) {
      const mode = required(view, 'transport_mode', 'string');
      const origin = object(view, 'origin');
      const destination = object(view, 'destination');
      return {
        ...envelope(view),
        ...personFacts(view),
        transport_mode: mode,
        // Null for a PERSONAL journey: the view leaves a private vehicle's plate out.
        vehicle_code: nullable(view.vehicle_code),
        origin_province_code: code(origin.province_code),
        origin_place: nullable(origin.name),
        destination_province_code: code(destination.province_code),
        destination_place: nullable(destination.name),
        departure_date: required(view, 'departure_date', 'number'),
        symptoms: strings(view.symptoms),
        ...exposure(view, countWithheld),
      };
    },
  },
  'citizen-report': {
    table: 'citizen_reports',
    knownFields: known('report_id', 'category', 'text', 'location', 'channel', 'reporter', 'anonymous'),
    row(view) {
      const location = object(view, 'location');
      return {
        ...envelope(view),
        district_code: code(location.district_code),
        ward_code: code(location.ward_code),
        report_id: required(view, 'report_id', 'string'),
        category: required(view, 'category', 'string'),
        channel: required(view, 'channel', 'string'),
        anonymous: view.anonymous === true,
      };
    },
  },
  checkpoint: {
    table: 'checkpoints',
    knownFields: known(
      'checkpoint_id', 'name', 'type', 'district_code', 'road', 'km_marker', 'managing_level', 'managing_agency',
      'status', 'coordinates', 'location_qr_id', 'valid_from', 'valid_to',
    ),
    row(view) {
      const coordinates = optionalObject(view, 'coordinates');
      const { person_key: _none, ...rest } = envelope(view);
      return {
        ...rest,
        checkpoint_id: required(view, 'checkpoint_id', 'string'),
        name: required(view, 'name', 'string'),
        type: required(view, 'type', 'string'),
        district_code: code(view.district_code),
        road: nullable(view.road),
        km_marker: nullable(view.km_marker),
        managing_level: nullable(view.managing_level),
        managing_agency: nullable(view.managing_agency),
        status: required(view, 'status', 'string'),
        latitude: coordinates ? nullable(coordinates.latitude) : null,
        longitude: coordinates ? nullable(coordinates.longitude) : null,
        location_qr_id: nullable(view.location_qr_id),
        valid_from: nullable(view.valid_from),
        valid_to: nullable(view.valid_to),
      };
    },
  },
  'checkpoint-passage': {
    table: 'checkpoint_passages',
    knownFields: known(
      'checkpoint_id', 'checkpoint_name', 'checkpoint_type', 'checkpoint_province_code', 'document', 'vehicle_plate',
      'direction', 'passed_at', 'identification_method', 'health_status', 'outcome',
    ),
    row(view) {
      return {
        ...envelope(view),
        checkpoint_id: required(view, 'checkpoint_id', 'string'),
        checkpoint_name: nullable(view.checkpoint_name),
        checkpoint_type: nullable(view.checkpoint_type),
        checkpoint_province_code: code(view.checkpoint_province_code),
        direction: code(view.direction),
        passed_at: required(view, 'passed_at', 'number'),
        identification_method: required(view, 'identification_method', 'string'),
        health_status: required(view, 'health_status', 'string'),
        outcome: code(view.outcome),
      };
    },
  },
};

function countAt(record: CanonicalRecord, path: string): number {
  let value: unknown = record;
  for (const part of path.split('.')) value = value !== null && typeof value === 'object' ? (value as CanonicalRecord)[part] : undefined;
  return Array.isArray(value) ? value.length : 0;
}

export const PROJECTIONS: Readonly<Record<Kind, KindProjection>> = Object.fromEntries(
  KINDS.map((kind) => {
    const { table, knownFields, row } = SHAPES[kind];
    const project = (record: CanonicalRecord): Row => row(pseudonymousView(kind, record), (path) => countAt(record, path));
    return [kind, { table, knownFields, project }];
  }),
) as Record<Kind, KindProjection>;

/** Every table the sink writes, for checks over all of them. */
export const SINK_TABLES: readonly string[] = Object.values(PROJECTIONS).map((projection) => projection.table);
