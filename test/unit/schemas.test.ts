/**
 * The Avro schemas in `schemas/`: one raw schema per (source, kind) of the catalogue and one canonical
 * schema per kind, all parseable, documented on every record, field and enum, with record ids where
 * the catalogue says, one envelope and one definition of each shared named type across the canonical
 * kinds, and realistic raw records (test/fixtures/raw-examples.ts) that validate, also with their
 * optional fields left out.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { KINDS, SOURCES, canonicalSchema, kindEntry, rawSchema, sourceEntry, sourceFolder, sourceKinds, type Kind } from '../../services/platform/catalog.ts';
import { REPO_ROOT } from '../../services/platform/config.ts';
import { SCHEMAS_DIR } from '../../services/platform/schema-files.ts';
import { sampleHealthDeclaration } from '../fixtures/health-declaration.ts';
import { RAW_EXAMPLES, rawExample } from '../fixtures/raw-examples.ts';

type Json = Record<string, unknown>;

const ENVELOPE = [
  'event_id',
  'kind',
  'source',
  'source_record_id',
  'occurred_at',
  'received_at',
  'normalized_at',
  'province_code',
  'person_key',
] as const;

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);

// As the registry parses (services/schema-registry/compatibility.ts): Java's parser rejects nameless types.
const parse = (schema: unknown): avro.Type => avro.Type.forSchema(schema as avro.Schema, { noAnonymousTypes: true });

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fullName(name: string, namespace: string | undefined): string {
  return name.includes('.') || !namespace ? name : `${namespace}.${name}`;
}

function hasDoc(node: Json): boolean {
  return typeof node.doc === 'string' && node.doc.trim().length > 0;
}

interface SchemaWalk {
  /** Path of every record, enum, fixed or field without a non-empty doc. */
  undocumented: string[];
  /** Every named type defined (not merely referenced) in the schema, by full name. */
  named: Map<string, Json>;
  /** Names of the enums defined. */
  enums: string[];
}

function walkSchema(schema: unknown): SchemaWalk {
  const result: SchemaWalk = { undocumented: [], named: new Map(), enums: [] };
  const visit = (node: unknown, at: string, namespace: string | undefined): void => {
    if (typeof node === 'string') return; // a primitive, or a reference to a type defined earlier
    if (Array.isArray(node)) {
      node.forEach((branch, i) => visit(branch, `${at}|${i}`, namespace));
      return;
    }
    if (!isObject(node)) throw new Error(`${at}: unexpected schema node ${JSON.stringify(node)}`);
    const type = node.type;
    if (type === 'record' || type === 'enum' || type === 'fixed') {
      const name = fullName(String(node.name), (node.namespace as string | undefined) ?? namespace);
      const here = `${at}<${name}>`;
      if (!hasDoc(node)) result.undocumented.push(here);
      result.named.set(name, node);
      if (type === 'enum') result.enums.push(name);
      if (type === 'record') {
        const inner = name.slice(0, name.lastIndexOf('.')) || undefined;
        for (const field of node.fields as Json[]) {
          const fieldAt = `${here}.${String(field.name)}`;
          if (!hasDoc(field)) result.undocumented.push(fieldAt);
          visit(field.type, fieldAt, inner);
        }
      }
      return;
    }
    if (type === 'array') return visit(node.items, `${at}[]`, namespace);
    if (type === 'map') return visit(node.values, `${at}{}`, namespace);
    if (typeof type === 'string' && PRIMITIVES.has(type)) return; // e.g. { type: 'long', logicalType: ... }
    visit(type, at, namespace);
  };
  visit(schema, '', undefined);
  return result;
}

/** The type at a dotted field path through records, and whether every field on the way is required. */
function fieldAtPath(type: avro.Type, dotted: string): { type: avro.Type; required: boolean } | undefined {
  let current = type;
  let required = true;
  for (const name of dotted.split('.')) {
    if (!(current instanceof avro.types.RecordType)) return undefined;
    const field = current.fields.find((f) => f.name === name);
    if (field === undefined) return undefined;
    if (field.defaultValue() !== undefined) required = false;
    current = field.type;
  }
  return { type: current, required };
}

function valueAtPath(value: unknown, dotted: string): unknown {
  return dotted.split('.').reduce<unknown>((at, name) => (isObject(at) ? at[name] : undefined), value);
}

/** The record branch of a field's type (itself, or the record in a nullable union), if any. */
function recordBranch(type: avro.Type): avro.types.RecordType | undefined {
  if (type instanceof avro.types.RecordType) return type;
  if (type instanceof avro.types.UnwrappedUnionType) {
    return type.types.find((branch): branch is avro.types.RecordType => branch instanceof avro.types.RecordType);
  }
  return undefined;
}

/**
 * Leaves out every field that has a default, except nested records that are present, whose own
 * defaulted fields are left out instead: what a producer sending only what it must would post.
 */
function withoutDefaults(value: Json, type: avro.types.RecordType): Json {
  const out: Json = {};
  for (const field of type.fields) {
    const fieldValue = value[field.name];
    const nested = recordBranch(field.type);
    if (nested !== undefined && isObject(fieldValue)) out[field.name] = withoutDefaults(fieldValue, nested);
    else if (field.defaultValue() === undefined) out[field.name] = fieldValue;
  }
  return out;
}

/** Only the fields without a default, at the top level. */
function requiredOnly(value: Json, type: avro.types.RecordType): Json {
  return Object.fromEntries(type.fields.filter((f) => f.defaultValue() === undefined).map((f) => [f.name, value[f.name]]));
}

function problems(type: avro.Type, value: unknown): string[] {
  const found: string[] = [];
  type.isValid(value, { errorHook: (at: string[]) => found.push(at.join('.') || '(record)') });
  return found;
}

const SOURCE_KINDS = sourceKinds();
const pairName = ({ source, kind }: { source: string; kind: Kind }) => `${source}/${kind}`;

function canonicalFile(kind: Kind): string {
  return path.join(SCHEMAS_DIR, 'kinds', kind, 'canonical.avsc');
}

function rawFile(source: string, kind: Kind): string {
  return path.join(REPO_ROOT, sourceFolder(source), 'raw', `${kind}.avsc`);
}

describe('schema files', () => {
  it('has a raw schema for every (source, kind) of the catalogue and a canonical schema for every kind', () => {
    expect(SOURCE_KINDS.length).toBeGreaterThanOrEqual(11);
    for (const pair of SOURCE_KINDS) expect(existsSync(rawFile(pair.source, pair.kind)), pairName(pair)).toBe(true);
    for (const kind of KINDS) expect(existsSync(canonicalFile(kind)), kind).toBe(true);
  });

  it('has no raw schema the catalogue does not list', () => {
    const listed = new Set(SOURCE_KINDS.map(pairName));
    const onDisk = SOURCES.flatMap((source) =>
      readdirSync(path.join(REPO_ROOT, sourceFolder(source), 'raw'))
        .filter((file) => file.endsWith('.avsc'))
        .map((file) => `${source}/${file.slice(0, -'.avsc'.length)}`),
    );
    expect(onDisk.sort()).toEqual([...listed].sort());
  });

  it('parses every schema with avsc, nameless types refused as the registry does', () => {
    for (const { source, kind } of SOURCE_KINDS) expect(() => parse(rawSchema(source, kind)), `${source}/${kind}`).not.toThrow();
    for (const kind of KINDS) expect(() => parse(canonicalSchema(kind)), kind).not.toThrow();
  });

  it('documents every record, field and enum', () => {
    const undocumented = [
      ...SOURCE_KINDS.flatMap(({ source, kind }) => walkSchema(rawSchema(source, kind)).undocumented.map((p) => `raw/${source}/${kind}: ${p}`)),
      ...KINDS.flatMap((kind) => walkSchema(canonicalSchema(kind)).undocumented.map((p) => `canonical/${kind}: ${p}`)),
    ];
    expect(undocumented).toEqual([]);
  });

  it('puts raw schemas in vn.truc.raw.<source> and canonical ones in vn.truc.canonical', () => {
    for (const { source, kind } of SOURCE_KINDS) {
      expect(rawSchema(source, kind).namespace, `${source}/${kind}`).toBe(`vn.truc.raw.${source.replaceAll('-', '_')}`);
    }
    for (const kind of KINDS) expect(canonicalSchema(kind).namespace, kind).toBe('vn.truc.canonical');
  });
});

describe('raw schemas', () => {
  it("name the source's record id as a required string field, where the source has one", () => {
    for (const pair of SOURCE_KINDS) {
      const recordId = sourceEntry(pair.source)!.kinds[pair.kind]!.recordId;
      if (recordId === null) continue;
      const found = fieldAtPath(parse(rawSchema(pair.source, pair.kind)), recordId);
      expect(found, `${pairName(pair)}: ${recordId}`).toBeDefined();
      expect(found!.type.typeName, `${pairName(pair)}: ${recordId}`).toBe('string');
      expect(found!.required, `${pairName(pair)}: ${recordId}`).toBe(true);
    }
    // Gate readers send no id of their own: a keyed content id stands in.
    expect(sourceEntry('checkpoint-ops')!.kinds['checkpoint-passage']!.recordId).toBeNull();
  });

  it('use no Avro enums: raw values are mapped (or dead-lettered) by the normalizer, not refused at ingest', () => {
    for (const { source, kind } of SOURCE_KINDS) expect(walkSchema(rawSchema(source, kind)).enums, `${source}/${kind}`).toEqual([]);
  });

  it('map every Vietnamese CSV header of the checkpoint registry to exactly one field, named in its doc', () => {
    const headers = JSON.parse(
      readFileSync(path.join(REPO_ROOT, sourceFolder('checkpoint-ops'), 'raw', 'checkpoint.csv-headers.json'), 'utf8'),
    ) as Record<string, string>;
    const fields = rawSchema('checkpoint-ops', 'checkpoint').fields as Json[];
    expect(Object.values(headers).sort()).toEqual(fields.map((f) => f.name as string).sort());
    for (const [header, name] of Object.entries(headers)) {
      expect(header, 'headers are stored NFC-normalised').toBe(header.normalize('NFC'));
      expect(name).toMatch(/^[a-z][a-z0-9_]*$/);
      const field = fields.find((f) => f.name === name)!;
      expect(field.doc as string, name).toContain(`"${header}"`);
    }
  });

  describe.each(SOURCE_KINDS.map((pair) => [pairName(pair), pair] as const))('%s', (_name, { source, kind }) => {
    const type = parse(rawSchema(source, kind)) as avro.types.RecordType;
    const recordId = sourceEntry(source)!.kinds[kind]!.recordId;

    it('has a realistic example with every field of the schema (avsc ignores unknown keys, so typos would pass)', () => {
      const example = rawExample(source, kind);
      expect(Object.keys(example).sort()).toEqual(type.fields.map((f) => f.name).sort());
      if (recordId !== null) expect(valueAtPath(example, recordId)).toEqual(expect.any(String));
    });

    it('accepts the example', () => {
      const example = rawExample(source, kind);
      expect(problems(type, example)).toEqual([]);
      expect(type.fromBuffer(type.toBuffer(example))).toEqual(type.clone(example));
    });

    it('accepts the example with its optional fields left out, and fills their defaults when encoding', () => {
      const full = rawExample(source, kind);
      for (const sparse of [withoutDefaults(full, type), requiredOnly(full, type)]) {
        expect(Object.keys(sparse).length).toBeLessThanOrEqual(Object.keys(full).length);
        expect(problems(type, sparse)).toEqual([]);
        const decoded = type.fromBuffer(type.toBuffer(sparse)) as Json;
        for (const field of type.fields) {
          if (!(field.name in sparse)) expect(decoded[field.name], field.name).toEqual(field.defaultValue());
        }
      }
    });

    it('refuses the example without a required field', () => {
      const example = rawExample(source, kind);
      const required = type.fields.filter((f) => f.defaultValue() === undefined);
      expect(required.length).toBeGreaterThan(0);
      for (const field of required) {
        const missing = { ...example };
        delete missing[field.name];
        expect(problems(type, missing), field.name).toEqual([field.name]);
      }
    });
  });
});

describe('avsc and missing fields (decides what ingest must do before validating)', () => {
  const type = parse({
    type: 'record',
    name: 'Probe',
    namespace: 'vn.truc.test',
    doc: 'Probe',
    fields: [
      { name: 'id', type: 'string', doc: 'required' },
      { name: 'note', type: ['null', 'string'], default: null, doc: 'nullable with default' },
      { name: 'tags', type: { type: 'array', items: 'string' }, default: [], doc: 'array with default' },
      { name: 'count', type: 'int', default: 0, doc: 'int with default' },
      { name: 'nodefault', type: ['null', 'string'], doc: 'nullable without default' },
    ],
  }) as avro.types.RecordType;

  it('treats a missing field that has a default as its default: isValid, toBuffer and clone accept and fill it', () => {
    const sparse = { id: 'x', nodefault: null };
    expect(type.isValid(sparse)).toBe(true);
    expect({ ...(type.fromBuffer(type.toBuffer(sparse)) as Json) }).toEqual({ id: 'x', note: null, tags: [], count: 0, nodefault: null });
    expect({ ...(type.clone(sparse) as Json) }).toEqual({ id: 'x', note: null, tags: [], count: 0, nodefault: null });
    // An explicit undefined counts as missing.
    expect(type.isValid({ id: 'x', note: undefined, nodefault: null })).toBe(true);
  });

  it('refuses a missing field without a default, even a nullable one', () => {
    expect(problems(type, { id: 'x' })).toEqual(['nodefault']);
    expect(() => type.toBuffer({ id: 'x' })).toThrow();
    expect(problems(type, { nodefault: null })).toEqual(['id']);
  });

  it('ignores unknown keys: isValid passes them and toBuffer drops them', () => {
    const withExtra = { id: 'x', nodefault: null, idd: 'typo' };
    expect(type.isValid(withExtra)).toBe(true);
    expect(type.fromBuffer(type.toBuffer(withExtra))).not.toHaveProperty('idd');
  });
});

describe('canonical schemas', () => {
  const schemas = Object.fromEntries(KINDS.map((kind) => [kind, canonicalSchema(kind)])) as Record<Kind, Json>;

  it('share one envelope, field for field (name, type, default), at the head of every kind', () => {
    const shape = (field: Json) => JSON.stringify({ name: field.name, type: field.type, default: field.default });
    const reference = (schemas['health-declaration'].fields as Json[]).slice(0, ENVELOPE.length).map(shape);
    expect(reference.map((s) => (JSON.parse(s) as Json).name)).toEqual([...ENVELOPE]);
    for (const kind of KINDS) {
      expect((schemas[kind].fields as Json[]).slice(0, ENVELOPE.length).map(shape), kind).toEqual(reference);
    }
  });

  it('have the key field of their kind as a field', () => {
    for (const kind of KINDS) {
      const names = (schemas[kind].fields as Json[]).map((f) => f.name);
      expect(names, kind).toContain(kindEntry(kind).key);
    }
  });

  it('define each named type they share identically', () => {
    const definitions = new Map<string, { kind: Kind; text: string }[]>();
    for (const kind of KINDS) {
      for (const [name, definition] of walkSchema(schemas[kind]).named) {
        const list = definitions.get(name) ?? [];
        list.push({ kind, text: JSON.stringify(definition) });
        definitions.set(name, list);
      }
    }
    const shared = [...definitions].filter(([, list]) => list.length > 1);
    const sharedNames = shared.map(([name]) => name.replace('vn.truc.canonical.', ''));
    for (const expected of ['Person', 'IdentityDocument', 'DocumentType', 'Gender', 'Symptom', 'Exposure', 'Coordinates', 'CheckpointType']) {
      expect(sharedNames).toContain(expected);
    }
    for (const [name, list] of shared) {
      for (const { kind, text } of list) expect(text, `${name} in ${kind} differs from ${list[0]!.kind}`).toBe(list[0]!.text);
    }
  });

  const occurredAt = Date.UTC(2021, 7, 14, 2, 35, 12, 481);
  const envelope = (kind: Kind, source: string, sourceRecordId: string, provinceCode: string | null, personKey: string | null) => ({
    event_id: '0b8e2f6a-3c1d-5e4f-8a9b-7c6d5e4f3a2b',
    kind,
    source,
    source_record_id: sourceRecordId,
    occurred_at: occurredAt,
    received_at: occurredAt + 1_250,
    normalized_at: occurredAt + 1_900,
    province_code: provinceCode,
    person_key: personKey,
  });
  const personKey = '9c2e4a6b8d0f1e3a5c7b9d1f3e5a7c9b1d3f5e7a9c1b3d5f7e9a1c3b5d7f9e1a';

  const examples: Record<Kind, Json> = {
    'health-declaration': sampleHealthDeclaration(),
    'movement-declaration': {
      ...envelope('movement-declaration', 'vhd', '60f2b118e4b0a71d2c8e7a02', '38', personKey),
      person: {
        full_name: 'Trần Thị Bích Ngọc',
        document: { type: 'CCCD', number: '038190004567' },
        birth_year: 1990,
        gender: 'FEMALE',
        nationality: 'VN',
        phone: '+84987654321',
      },
      transport_mode: 'AIR',
      vehicle_code: 'VN1270',
      seat: '23C',
      origin: { province_code: '79', name: 'Sân bay Tân Sơn Nhất' },
      destination: { province_code: '38', name: 'Cảng hàng không Thọ Xuân' },
      departure_date: 18_855,
      symptoms: [],
      exposure: { contact_with_case: false, from_outbreak_area: false, contact_with_symptomatic: false, places_visited: ['79'] },
      quality_flags: [],
    },
    'citizen-report': {
      ...envelope('citizen-report', 'hotline-1022', 'HCM-2021-0814-00057', '79', personKey),
      report_id: 'hotline-1022:HCM-2021-0814-00057',
      category: 'QUARANTINE_VIOLATION',
      text: 'Người dân phản ánh hộ F1 tại địa chỉ 123/4 Quang Trung ra khỏi nhà nhiều lần trong thời gian cách ly.',
      location: { province_code: '79', district_code: '764', ward_code: '26899', line: '123/4 Quang Trung', coordinates: null },
      channel: 'HOTLINE',
      reporter: { name: 'Chị Thu', phone: '+84903123456' },
      anonymous: false,
      quality_flags: [],
    },
    checkpoint: {
      ...envelope('checkpoint', 'checkpoint-ops', 'BD-QL13-01', '74', null),
      checkpoint_id: 'BD-QL13-01',
      name: 'Chốt kiểm soát cầu Vĩnh Bình',
      type: 'ROAD',
      district_code: '725',
      road: 'QL13',
      km_marker: 'Km 16+200',
      managing_level: 'PROVINCIAL',
      managing_agency: 'Công an tỉnh Bình Dương',
      status: 'ACTIVE',
      coordinates: { latitude: 10.8842, longitude: 106.7113 },
      location_qr_id: 'LQ-74-001203',
      valid_from: Date.UTC(2021, 6, 18, 17, 0),
      valid_to: null,
      quality_flags: [],
    },
    'checkpoint-passage': {
      ...envelope('checkpoint-passage', 'pccovid', 'SC-20210814-74-00912345', '74', personKey),
      checkpoint_id: 'BD-QL13-01',
      checkpoint_name: 'Chốt kiểm soát cầu Vĩnh Bình',
      checkpoint_type: 'ROAD',
      checkpoint_province_code: '74',
      document: { type: 'CCCD', number: '079088001234' },
      vehicle_plate: '61A-345.67',
      direction: 'IN',
      passed_at: occurredAt,
      identification_method: 'PERSONAL_QR',
      health_status: 'GREEN',
      outcome: 'ALLOWED',
      quality_flags: [],
    },
    'test-result': {
      ...envelope('test-result', 'lis', 'obs-HCDC-20210814-004812', '79', personKey),
      person: { full_name: 'Trần Thị Mai', document: { type: 'CCCD', number: '079192004321' }, birth_year: 1992, gender: 'FEMALE', phone: null },
      specimen: { id: 'S21-0814-00931', type: 'NASOPHARYNGEAL_SWAB' },
      test_type: 'PCR',
      loinc_code: '94500-6',
      result: 'POSITIVE',
      ct_value: 23.4,
      lab: { id: 'HCDC-79', name: 'Trung tâm Kiểm soát Bệnh tật TP.HCM', province_code: '79' },
      sampled_at: occurredAt,
      reported_at: occurredAt + 41_000_000,
      quality_flags: [],
    },
  };

  it.each(KINDS)('accept a realistic %s record, and one with its optional fields left out', (kind) => {
    const type = parse(schemas[kind]) as avro.types.RecordType;
    const example = examples[kind];
    expect(example.kind).toBe(kind);
    expect(Object.keys(example).sort()).toEqual(type.fields.map((f) => f.name).sort());
    expect(problems(type, example)).toEqual([]);
    expect(problems(type, withoutDefaults(example, type))).toEqual([]);
  });
});

it('keeps one raw example per catalogued (source, kind) and none for pairs the catalogue does not list', () => {
  expect(Object.keys(RAW_EXAMPLES).sort()).toEqual(SOURCE_KINDS.map(pairName).sort());
});
