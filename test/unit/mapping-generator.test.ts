/**
 * The normalizer's mappings against the data generator, over several seeds and every (source,
 * kind): a valid item maps to a valid canonical record equal to its truth, a normalizer-stage
 * defect fails with its error class on its path, soft problems show up as flags, and
 * `partitionKey` is the key the canonical record will have.
 */
import { createHmac } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { CHECKPOINTS, QUALITY_FLAG_OF, generate, type GeneratedItem, type NormalizerDefect } from '../../services/generator/index.ts';
import { mapRecord, partitionKey, type CanonicalRecord, type MappingContext, type PersonIdentity, type RawInput } from '../../services/normalizer/mapping/index.ts';
import { canonicalSchema, rawSchema, sourceKinds, type Kind } from '../../services/platform/catalog.ts';
import { mobileToE164 } from '../../services/source-vocabulary/phone-numbers.ts';
import { parsePersonalQr } from '../../services/source-vocabulary/personal-qr.ts';

function personKey(identity: PersonIdentity): string {
  const name = 'document' in identity ? `${identity.document.type}:${identity.document.number}` : `PHONE:${identity.phone}`;
  return createHmac('sha256', 'test-secret').update(name).digest('hex');
}

const CHECKPOINT_OF_LOCATION_QR = new Map(CHECKPOINTS.flatMap((checkpoint) => (checkpoint.locationQrId === null ? [] : [[checkpoint.locationQrId, checkpoint.code] as const])));

const CONTEXT: MappingContext = {
  personKey,
  now: Date.now(),
  checkpointIdOfLocationQr: (locationQrId) => CHECKPOINT_OF_LOCATION_QR.get(locationQrId),
};

const ERROR_CLASS_OF: Readonly<Record<NormalizerDefect, string>> = {
  'unknown-province': 'UnknownProvince',
  'impossible-date': 'ImpossibleDate',
  'future-date': 'FutureDate',
  'birth-year-out-of-range': 'BirthYearOutOfRange',
  'malformed-qr-payload': 'MalformedQrPayload',
};

/** Fields of a passage the engine copies from the registry (canonical.checkpoint), not the mapping. */
const ENRICHED_BY_ENGINE = new Set(['province_code', 'checkpoint_name', 'checkpoint_type', 'checkpoint_province_code']);

const rawTypes = new Map<string, avro.Type>();
const canonicalTypes = new Map<Kind, avro.Type>();

function rawType(source: string, kind: Kind): avro.Type {
  const key = `${source}/${kind}`;
  let type = rawTypes.get(key);
  if (!type) {
    type = avro.Type.forSchema(rawSchema(source, kind) as avro.Schema);
    rawTypes.set(key, type);
  }
  return type;
}

function canonicalType(kind: Kind): avro.Type {
  let type = canonicalTypes.get(kind);
  if (!type) {
    type = avro.Type.forSchema(canonicalSchema(kind) as avro.Schema);
    canonicalTypes.set(kind, type);
  }
  return type;
}

/** An item that reaches the normalizer, as the engine hands it over: decoded from its raw topic. */
interface Case {
  item: GeneratedItem;
  input: RawInput;
}

function asInput(item: GeneratedItem): RawInput {
  const type = rawType(item.source, item.kind);
  return {
    source: item.source,
    kind: item.kind,
    value: type.fromBuffer(type.toBuffer(item.record)) as Record<string, unknown>,
    sourceRecordId: item.sourceRecordId!,
    eventId: item.eventId!,
    receivedAt: Date.parse('2021-09-01T00:00:00Z'),
  };
}

const SEEDS = [11, 2021, 815];
const CASES: Case[] = SEEDS.flatMap((seed) => generate({ seed, count: 6000, invalid: 0.12, flagged: 0.06, duplicates: 0.1 }))
  .filter((item) => item.label.valid || item.label.stage === 'normalizer')
  .map((item) => ({ item, input: asInput(item) }));
const VALID = CASES.filter(({ item }) => item.label.valid);
const DEFECTIVE = CASES.filter(({ item }) => !item.label.valid);

/** What a case is, for messages: no personal data beyond the generated record's ids. */
function describeCase({ item }: Case): string {
  return `${item.source}/${item.kind} ${item.sourceRecordId}`;
}

function mapped(testCase: Case): CanonicalRecord {
  const outcome = mapRecord(testCase.input, CONTEXT);
  if (!outcome.ok) throw new Error(`${describeCase(testCase)} failed: ${JSON.stringify(outcome.failure)}`);
  return outcome.record;
}

/** The identity the truth says the record is about (passages' truths carry no phone: it comes from the record). */
function truthIdentity({ item }: Case): PersonIdentity | null {
  const truth = item.truth!;
  switch (truth.kind) {
    case 'health-declaration':
    case 'movement-declaration':
      if (truth.person.document) return { document: truth.person.document };
      return truth.person.phone ? { phone: truth.person.phone } : null;
    case 'checkpoint-passage': {
      if (truth.document) return { document: truth.document };
      const record = item.record as { qrPayload?: string; qrContent?: string | null; phone?: string | null };
      const qr = parsePersonalQr(record.qrPayload ?? record.qrContent ?? '');
      const phone = mobileToE164(qr?.documentNumber ?? record.phone ?? '');
      return phone ? { phone } : null;
    }
    case 'citizen-report':
      return truth.reporter?.phone ? { phone: truth.reporter.phone } : null;
    case 'checkpoint':
      return null;
    default: {
      // A kind added later names its person as declarations do.
      const person = (truth as { person?: { document: { type: string; number: string } | null; phone: string | null } }).person;
      if (person?.document) return { document: person.document } as PersonIdentity;
      return person?.phone ? { phone: person.phone } : null;
    }
  }
}

/** The canonical key the catalogue names for the kind. */
function canonicalKey(record: CanonicalRecord, testCase: Case): string {
  if (testCase.item.kind === 'citizen-report') return record.report_id as string;
  if (testCase.item.kind === 'checkpoint') return record.checkpoint_id as string;
  return (record.person_key as string | null) ?? testCase.input.sourceRecordId;
}

describe('mappings against the generator', () => {
  it('has valid items and normalizer-stage defects of every (source, kind) to check', () => {
    for (const { source, kind } of sourceKinds()) {
      expect(VALID.filter(({ item }) => item.source === source && item.kind === kind).length, `${source}/${kind}`).toBeGreaterThan(100);
    }
    expect(new Set(DEFECTIVE.map(({ item }) => (item.label.valid ? '' : item.label.defect)))).toEqual(new Set(Object.keys(ERROR_CLASS_OF)));
  });

  it('maps every valid item to a record of its canonical schema', () => {
    const invalid: string[] = [];
    for (const testCase of VALID) {
      const paths: string[] = [];
      canonicalType(testCase.item.kind).isValid({ ...mapped(testCase), normalized_at: Date.now() }, { errorHook: (path) => paths.push(path.join('.')) });
      if (paths.length > 0) invalid.push(`${describeCase(testCase)}: ${paths.join(', ')}`);
    }
    expect(invalid.slice(0, 10)).toEqual([]);
  });

  it('maps every valid item to its truth, with the envelope the input gives', () => {
    const differences: string[] = [];
    for (const testCase of VALID) {
      const record = mapped(testCase);
      for (const [field, expected] of Object.entries(testCase.item.truth!)) {
        if (testCase.item.kind === 'checkpoint-passage' && ENRICHED_BY_ENGINE.has(field)) continue;
        if (!isDeepStrictEqual(record[field], expected)) {
          differences.push(`${describeCase(testCase)} ${field}: ${JSON.stringify(record[field])} ≠ ${JSON.stringify(expected)}`);
        }
      }
      if (record.event_id !== testCase.item.eventId) differences.push(`${describeCase(testCase)} event_id`);
      if (record.received_at !== testCase.input.receivedAt) differences.push(`${describeCase(testCase)} received_at`);
    }
    expect(differences.slice(0, 10)).toEqual([]);
  });

  it('leaves the registry fields of passages to the engine', () => {
    for (const testCase of VALID.filter(({ item }) => item.kind === 'checkpoint-passage')) {
      expect(mapped(testCase)).toMatchObject({ province_code: null, checkpoint_name: null, checkpoint_type: null, checkpoint_province_code: null });
    }
  });

  it('keys people by the identity of the truth: the document, else the phone', () => {
    const wrong: string[] = [];
    for (const testCase of VALID) {
      const identity = truthIdentity(testCase);
      const expected = identity === null ? null : personKey(identity);
      if (mapped(testCase).person_key !== expected) wrong.push(describeCase(testCase));
    }
    expect(wrong.slice(0, 10)).toEqual([]);
    // Every declaration identifies its declarant.
    expect(VALID.filter((testCase) => testCase.item.kind.endsWith('declaration') && mapped(testCase).person_key === null).map(describeCase)).toEqual([]);
  });

  it('shows every soft problem as its quality flag', () => {
    const flagged = VALID.filter(({ item }) => item.label.flags.length > 0);
    expect(flagged.length).toBeGreaterThan(100);
    for (const testCase of flagged) {
      const flags = mapped(testCase).quality_flags;
      for (const { flag } of testCase.item.label.flags) {
        expect(flags, describeCase(testCase)).toContain(QUALITY_FLAG_OF[flag]);
      }
    }
  });

  it('fails every item with a normalizer-stage defect with its error class, on its path', () => {
    const wrong: string[] = [];
    for (const testCase of DEFECTIVE) {
      const { label } = testCase.item;
      if (label.valid) continue;
      const outcome = mapRecord(testCase.input, CONTEXT);
      const expected = { errorClass: ERROR_CLASS_OF[label.defect as NormalizerDefect], path: label.path };
      if (outcome.ok || outcome.failure.errorClass !== expected.errorClass || outcome.failure.path !== expected.path) {
        wrong.push(`${describeCase(testCase)} ${label.defect}: ${JSON.stringify(outcome.ok ? 'mapped' : outcome.failure)}`);
      }
    }
    expect(wrong.slice(0, 10)).toEqual([]);
  });

  it('keys every valid record as its canonical record will be keyed, from the raw record alone', () => {
    const wrong: string[] = [];
    for (const testCase of VALID) {
      const expected = canonicalKey(mapped(testCase), testCase);
      const { source, kind, sourceRecordId } = testCase.input;
      // Producers key the record as posted (JSON); the engine maps it decoded from Avro: both must agree.
      const keys = [partitionKey(testCase.input, personKey), partitionKey({ source, kind, sourceRecordId, value: testCase.item.record }, personKey)];
      if (keys.some((key) => key !== expected)) wrong.push(`${describeCase(testCase)}: ${keys.join(' / ')} ≠ ${expected}`);
    }
    expect(wrong.slice(0, 10)).toEqual([]);
  });

  it('keys the records it cannot map too, falling back to the source record id when no person can be read', () => {
    for (const testCase of DEFECTIVE) {
      const key = partitionKey(testCase.input, personKey);
      expect(typeof key, describeCase(testCase)).toBe('string');
      if (!testCase.item.label.valid && testCase.item.label.defect === 'malformed-qr-payload') expect(key).toBe(testCase.input.sourceRecordId);
    }
  });
});

describe('mapRecord edge cases', () => {
  const vhd = VALID.find(({ item }) => item.source === 'vhd' && item.kind === 'health-declaration')!;

  it('keeps and flags a birth year that disagrees with the CCCD', () => {
    const withCccd = VALID.find(({ item }) => item.source === 'vhd' && item.kind === 'health-declaration' && /^0\d{11}$/.test(String(item.record.idCard)))!;
    const declared = (withCccd.input.value.YoB as number) + 2;
    const outcome = mapRecord({ ...withCccd.input, value: { ...withCccd.input.value, YoB: declared } }, CONTEXT);
    expect(outcome).toMatchObject({ ok: true, record: { person: { birth_year: declared }, quality_flags: ['CCCD_BIRTH_YEAR_MISMATCH'] } });
  });

  it('fails a birth year of 1850', () => {
    expect(mapRecord({ ...vhd.input, value: { ...vhd.input.value, YoB: 1850 } }, CONTEXT)).toEqual({
      ok: false,
      failure: { errorClass: 'BirthYearOutOfRange', path: 'YoB', message: expect.any(String) },
    });
  });

  it('turns a PC-Covid location QR the registry does not know into the checkpoint id itself', () => {
    const scan = VALID.find(({ item }) => item.source === 'pccovid' && item.kind === 'checkpoint-passage')!;
    const outcome = mapRecord({ ...scan.input, value: { ...scan.input.value, locationId: 'LQ-99-000001' } }, CONTEXT);
    expect(outcome).toMatchObject({ ok: true, record: { checkpoint_id: 'LQ-99-000001' } });
  });

  it('refuses a (source, kind) outside the catalogue', () => {
    expect(mapRecord({ ...vhd.input, source: 'zalo' }, CONTEXT)).toMatchObject({ ok: false, failure: { errorClass: 'UnsupportedSourceKind' } });
    expect(() => partitionKey({ ...vhd.input, source: 'zalo' }, personKey)).toThrow(/no mapping/);
  });
});
