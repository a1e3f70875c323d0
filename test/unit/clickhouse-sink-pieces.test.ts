import { describe, expect, it } from 'vitest';
import { isDataError } from '../../connectors/clickhouse-sink/clickhouse-errors.ts';
import { PROJECTIONS, ProjectionError } from '../../connectors/clickhouse-sink/projection.ts';
import { clickhouseTypeOf, schemaExtras } from '../../connectors/clickhouse-sink/schema-evolution.ts';
import { canonicalSchema, KINDS } from '../../services/platform/catalog.ts';
import { canonicalRecords } from '../support/canonical-records.ts';

describe('ClickHouse sink projection', () => {
  const records = canonicalRecords(7, 3_000);

  it('knows every field of the current canonical schemas (nothing is mistaken for a new field)', () => {
    for (const kind of KINDS) {
      const extras = schemaExtras(canonicalSchema(kind) as { fields: [] }, PROJECTIONS[kind]);
      expect(extras, kind).toEqual({ columns: [], skipped: [] });
    }
  });

  it('keeps identifying values out of every row', () => {
    for (const kind of KINDS) {
      const record = records.find((r) => r.kind === kind)!;
      const row = PROJECTIONS[kind].project(record);
      const text = JSON.stringify(row);
      const person = (record.person ?? {}) as { full_name?: string; phone?: string | null; document?: { number: string } | null };
      if (person.full_name) expect(text, kind).not.toContain(person.full_name);
      if (person.phone) expect(text, kind).not.toContain(person.phone);
      if (person.document) expect(text, kind).not.toContain(person.document.number);
      if (typeof record.text === 'string') expect(text, kind).not.toContain(record.text);
      for (const field of ['full_name', 'document', 'phone', 'line', 'text', 'reporter', 'seat', 'vehicle_plate', 'places_visited', 'source_record_id']) {
        expect(Object.keys(row), kind).not.toContain(field);
      }
    }
  });

  it('drops the plate of a private journey and keeps a flight code', () => {
    const movement = records.find((r) => r.kind === 'movement-declaration')!;
    expect(PROJECTIONS['movement-declaration'].project({ ...movement, transport_mode: 'PERSONAL', vehicle_code: '51B-123.45' }).vehicle_code).toBeNull();
    expect(PROJECTIONS['movement-declaration'].project({ ...movement, transport_mode: 'AIR', vehicle_code: 'VN213' }).vehicle_code).toBe('VN213');
  });

  it('refuses a record missing a required field with a ProjectionError naming it', () => {
    const declaration = records.find((r) => r.kind === 'health-declaration')!;
    expect(() => PROJECTIONS['health-declaration'].project({ ...declaration, occurred_at: undefined })).toThrow(ProjectionError);
    expect(() => PROJECTIONS['health-declaration'].project({ ...declaration, occurred_at: undefined })).toThrow(/occurred_at/);
  });
});

describe('ClickHouse sink schema evolution', () => {
  const projection = PROJECTIONS['citizen-report'];
  const withFields = (...fields: unknown[]) => ({ fields: [...(canonicalSchema('citizen-report') as { fields: unknown[] }).fields, ...fields] as [] });

  it('maps new nullable fields to nullable columns and leaves out the others, saying why', () => {
    const extras = schemaExtras(
      withFields(
        { name: 'priority', 'truc.class': 'operational', type: ['null', 'int'], doc: 'Triage priority.' },
        { name: 'closed_at', 'truc.class': 'operational', type: ['null', { type: 'long', logicalType: 'timestamp-millis' }], doc: 'When handled.' },
        { name: 'status', 'truc.class': 'operational', type: ['null', { type: 'enum', name: 'S', symbols: ['OPEN', 'CLOSED'] }] },
        { name: 'caller_phone', 'truc.class': 'direct-identifier', type: ['null', 'string'], doc: 'Phone of the caller.' },
        { name: 'caller_notes', 'truc.class': 'free-text', type: ['null', 'string'], doc: 'What the caller said.' },
        { name: 'unclassified', type: ['null', 'string'], doc: 'No class: left out until someone decides.' },
        { name: 'tags', 'truc.class': 'operational', type: { type: 'array', items: 'string' }, default: [] },
        { name: 'score', 'truc.class': 'operational', type: 'double', default: 0 },
        { name: 'bad-name', 'truc.class': 'operational', type: ['null', 'string'] },
      ),
      projection,
    );
    expect(extras.columns).toEqual([
      { name: 'priority', clickhouseType: 'Nullable(Int32)', comment: 'Triage priority.' },
      { name: 'closed_at', clickhouseType: "Nullable(DateTime64(3, 'UTC'))", comment: 'When handled.' },
      { name: 'status', clickhouseType: 'LowCardinality(Nullable(String))', comment: '' },
    ]);
    expect(extras.skipped.map((s) => s.name)).toEqual(['caller_phone', 'caller_notes', 'unclassified', 'tags', 'score', 'bad-name']);
    expect(extras.skipped.slice(0, 3).map((s) => s.reason)).toEqual([
      expect.stringMatching(/direct-identifier/), expect.stringMatching(/free-text/), expect.stringMatching(/none/),
    ]);
  });

  it('maps Avro types to ClickHouse types', () => {
    expect(clickhouseTypeOf('boolean')).toBe('Bool');
    expect(clickhouseTypeOf({ type: 'int', logicalType: 'date' })).toBe('Date32');
    expect(clickhouseTypeOf({ type: 'string', logicalType: 'uuid' })).toBe('UUID');
    expect(clickhouseTypeOf({ type: 'record', name: 'R', fields: [] })).toBeNull();
  });
});

describe('ClickHouse errors', () => {
  it('tell data refused from ClickHouse failing', () => {
    expect(isDataError({ type: 'VIOLATED_CONSTRAINT', code: '469' })).toBe(true);
    expect(isDataError({ type: 'CANNOT_PARSE_INPUT_ASSERTION_FAILED', code: '27' })).toBe(true);
    expect(isDataError({ type: 'TOO_MANY_PARTS', code: '252' })).toBe(false);
    expect(isDataError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(false);
  });
});
