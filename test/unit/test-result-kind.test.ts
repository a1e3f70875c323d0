/**
 * The test-result kind and its lis source, in isolation (not yet in the catalogue): the example
 * maps to the expected canonical record, valid for canonical.avsc; bad inputs fail with a clear path.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { EXAMPLES } from '../../connectors/sources/lis/examples.ts';
import { MAPPINGS } from '../../connectors/sources/lis/mapping.ts';
import type { MappingContext, PersonIdentity, RawInput } from '../../services/normalizer/mapping/contract.ts';
import type { PairMapping } from '../../services/normalizer/mapping/pair-mapping.ts';
import { MappingProblem } from '../../services/normalizer/mapping/rules/problem.ts';

const json = (file: string) => JSON.parse(readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8')) as avro.Schema;
const canonical = avro.Type.forSchema(json('schemas/kinds/test-result/canonical.avsc'));
const lisRaw = avro.Type.forSchema(json('connectors/sources/lis/raw/test-result.avsc'));

function personKey(identity: PersonIdentity): string {
  const name = 'document' in identity ? `${identity.document.type}:${identity.document.number}` : `PHONE:${identity.phone}`;
  return createHmac('sha256', 'test-secret').update(name).digest('hex');
}
const CONTEXT: MappingContext = { personKey, now: Date.parse('2021-09-01T00:00:00Z'), checkpointIdOfLocationQr: () => undefined };

function input(value: Record<string, unknown>): RawInput {
  // As the engine hands it over: decoded from the raw topic.
  const decoded = lisRaw.fromBuffer(lisRaw.toBuffer(value)) as Record<string, unknown>;
  return { source: 'lis', kind: 'test-result' as never, value: decoded, sourceRecordId: String(value.id), eventId: '6f1d2c3b-0000-5000-8000-000000000001', receivedAt: Date.parse('2021-08-14T14:05:00Z') };
}

const lis = (MAPPINGS as Record<string, PairMapping>)['test-result']!;
const example = EXAMPLES['lis/test-result']!;

function failure(value: Record<string, unknown>) {
  try {
    lis.map(input(value), CONTEXT);
  } catch (error) {
    if (error instanceof MappingProblem) return error.failure;
    throw error;
  }
  throw new Error('mapped');
}

describe('lis test results', () => {
  it('maps the example to its canonical record, valid for canonical.avsc', () => {
    const record = lis.map(input(example as Record<string, unknown>), CONTEXT);
    expect(record).toEqual({
      event_id: '6f1d2c3b-0000-5000-8000-000000000001',
      kind: 'test-result',
      source: 'lis',
      source_record_id: 'obs-HCDC-20210814-004812',
      occurred_at: Date.parse('2021-08-14T02:35:12Z'),
      received_at: Date.parse('2021-08-14T14:05:00Z'),
      province_code: '79',
      person_key: personKey({ document: { type: 'CCCD', number: '079192004321' } }),
      person: { full_name: 'Trần Thị Mai', document: { type: 'CCCD', number: '079192004321' }, birth_year: 1992, gender: 'FEMALE', phone: null },
      specimen: { id: 'S21-0814-00931', type: 'NASOPHARYNGEAL_SWAB' },
      test_type: 'PCR',
      loinc_code: '94500-6',
      result: 'POSITIVE',
      ct_value: 23.4,
      lab: { id: 'HCDC-79', name: 'Trung tâm Kiểm soát Bệnh tật TP.HCM', province_code: '79' },
      sampled_at: Date.parse('2021-08-14T02:35:12Z'),
      reported_at: Date.parse('2021-08-14T14:02:40Z'),
      quality_flags: [],
    });
    const paths: string[] = [];
    expect(canonical.isValid({ ...record, normalized_at: Date.now() }, { errorHook: (path) => paths.push(path.join('.')) }), paths.join(', ')).toBe(true);
  });

  it('keys the record by the person, from the raw record alone', () => {
    const raw = input(example as Record<string, unknown>);
    expect(lis.key(raw, personKey)).toBe(personKey({ document: { type: 'CCCD', number: '079192004321' } }));
  });

  it('fails bad inputs with a clear path', () => {
    const base = structuredClone(example) as Record<string, any>;
    const unknownLoinc = structuredClone(base);
    unknownLoinc.code.coding[0].code = '12345-6';
    expect(failure(unknownLoinc)).toMatchObject({ errorClass: 'UnknownCode', path: 'code.coding' });
    const noSubject = structuredClone(base);
    noSubject.subject.identifier = null;
    expect(failure(noSubject)).toMatchObject({ errorClass: 'UnknownCode', path: 'subject.identifier' });
    const badTime = structuredClone(base);
    badTime.effectiveDateTime = '14/08/2021 09:35';
    expect(failure(badTime)).toMatchObject({ errorClass: 'MalformedDate', path: 'effectiveDateTime' });
    for (const status of ['preliminary', 'cancelled', 'entered-in-error']) {
      expect(failure({ ...base, status })).toMatchObject({ errorClass: 'NonFinalResult', path: 'status' });
    }
  });
});

describe('test_results in ClickHouse', () => {
  it('applies every migration to an embedded session and reads positivity per day, province and test type', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const { Session } = await import('chdb');
    const { readMigrationFiles, renderMigration, splitStatements } = await import('../../services/clickhouse/migrations.ts');
    const dir = mkdtempSync(path.join(tmpdir(), 'truc-test-results-'));
    const session = new Session(dir);
    try {
      for (const file of readMigrationFiles()) for (const statement of splitStatements(renderMigration(file.sql, null))) session.query(statement);
      const row = (id: number, day: string, province: string, type: string, result: string) =>
        `('00000000-0000-4000-8000-${String(id).padStart(12, '0')}', 'lis', '${day} 02:00:00', '${day} 03:00:00', '${day} 03:00:00', '${province}', NULL, 1990, 'MALE', 'NASOPHARYNGEAL_SWAB', '${type}', '94500-6', '${result}', NULL, 'LAB', NULL, '${day} 02:00:00', '${day} 02:30:00', [])`;
      session.query(`INSERT INTO test_results VALUES ${[
        row(1, '2021-08-14', '79', 'PCR', 'POSITIVE'),
        row(2, '2021-08-14', '79', 'PCR', 'NEGATIVE'),
        row(3, '2021-08-14', '79', 'PCR', 'NEGATIVE'),
        row(4, '2021-08-14', '79', 'PCR', 'INCONCLUSIVE'),
        row(5, '2021-08-14', '01', 'RAPID_ANTIGEN', 'POSITIVE'),
      ].join(', ')}`);
      const out = session.query(
        `SELECT toString(day) AS day, province_code, test_type, results, positive_results, positivity
         FROM test_positivity_daily ORDER BY province_code`,
        'JSONEachRow',
      );
      const rows = out.trim().split('\n').map((line: string) => JSON.parse(line));
      expect(rows).toEqual([
        { day: '2021-08-14', province_code: '01', test_type: 'RAPID_ANTIGEN', results: 1, positive_results: 1, positivity: 1 },
        // The inconclusive result is left out of the ratio: 1 positive of 3 conclusive.
        { day: '2021-08-14', province_code: '79', test_type: 'PCR', results: 4, positive_results: 1, positivity: 0.3333 },
      ]);
    } finally {
      session.cleanup?.();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('pccovid test results', async () => {
  const { TEST_RESULT } = await import('../../connectors/sources/pccovid/test-result-mapping.ts');
  const { EXAMPLE } = await import('../../connectors/sources/pccovid/test-result-example.ts');
  const raw = avro.Type.forSchema(json('connectors/sources/pccovid/raw/test-result.avsc'));
  const pccovidInput = (value: Record<string, unknown>): RawInput => ({
    source: 'pccovid', kind: 'test-result' as never, value: raw.fromBuffer(raw.toBuffer(value)) as Record<string, unknown>,
    sourceRecordId: String(value.id), eventId: '6f1d2c3b-0000-5000-8000-000000000002', receivedAt: Date.parse('2021-08-14T03:00:00Z'),
  });

  it('maps the example to its canonical record, valid for canonical.avsc', () => {
    const record = TEST_RESULT.map(pccovidInput(EXAMPLE as Record<string, unknown>), CONTEXT);
    expect(record).toEqual({
      event_id: '6f1d2c3b-0000-5000-8000-000000000002', kind: 'test-result', source: 'pccovid', source_record_id: EXAMPLE.id,
      occurred_at: 1628908512000, received_at: Date.parse('2021-08-14T03:00:00Z'), province_code: '31',
      person_key: personKey({ document: { type: 'CCCD', number: '031092001234' } }),
      person: { full_name: 'Phạm Minh Tuấn', document: { type: 'CCCD', number: '031092001234' }, birth_year: 1992, gender: 'MALE', phone: '+84912345678' },
      specimen: { id: null, type: 'OTHER' }, test_type: 'RAPID_ANTIGEN', loinc_code: '94558-4', result: 'NEGATIVE', ct_value: null,
      lab: { id: 'TYT-31-11410', name: 'Trạm Y tế phường Lạch Tray', province_code: '31' },
      sampled_at: 1628908512000, reported_at: 1628910312000, quality_flags: [],
    });
    expect(canonical.isValid({ ...record, normalized_at: Date.now() })).toBe(true);
  });

  it('fails an unknown test type or result code on its field', () => {
    expect(() => TEST_RESULT.map(pccovidInput({ ...EXAMPLE, testType: 'ELISA' }), CONTEXT)).toThrow(/UnknownCode at testType/);
    expect(() => TEST_RESULT.map(pccovidInput({ ...EXAMPLE, result: 'CHO' }), CONTEXT)).toThrow(/UnknownCode at result/);
  });
});

describe('generated lis test results', async () => {
  const { PAIR_SPECS } = await import('../../connectors/sources/lis/generator.ts');
  const { Random } = await import('../../services/generator/random.ts');
  const { Population, DeclarantLog } = await import('../../services/generator/people.ts');
  const { IdSequences } = await import('../../services/generator/ids.ts');
  const random = new Random(2021);
  const people = new Population(random.fork(), 2000);
  const ids = new IdSequences(random.fork());
  const spec = PAIR_SPECS[0]!;
  const from = Date.parse('2021-08-01T00:00:00Z');

  it('maps several thousand generated records to their truth', () => {
    const differences: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const { record, truth } = spec.render({ random, people, declarants: new DeclarantLog(), ids, time: from + i * 600_000 }, null);
      const mappedRecord = lis.map(input(record), CONTEXT);
      for (const [field, expected] of Object.entries(truth)) {
        if (JSON.stringify(mappedRecord[field]) !== JSON.stringify(expected)) differences.push(`${record.id} ${field}: ${JSON.stringify(mappedRecord[field])} ≠ ${JSON.stringify(expected)}`);
      }
      if (!canonical.isValid({ ...mappedRecord, normalized_at: 0 })) differences.push(`${record.id} invalid`);
    }
    expect(differences.slice(0, 5)).toEqual([]);
  });

  it('fails its defects on their path', () => {
    for (const [defect, errorClass] of [['future-date', 'FutureDate'], ['impossible-date', 'ImpossibleDate']] as const) {
      const { record, truth } = spec.render({ random, people, declarants: new DeclarantLog(), ids, time: from }, defect);
      const path = spec.problems[defect]!(record, truth, random);
      expect(failure(record)).toMatchObject({ errorClass, path });
    }
  });
});

describe('generated pccovid test results', async () => {
  const { TEST_RESULT_SPEC: spec } = await import('../../connectors/sources/pccovid/test-result-generator.ts');
  const { TEST_RESULT } = await import('../../connectors/sources/pccovid/test-result-mapping.ts');
  const { Random } = await import('../../services/generator/random.ts');
  const { Population, DeclarantLog } = await import('../../services/generator/people.ts');
  const { IdSequences } = await import('../../services/generator/ids.ts');
  const raw = avro.Type.forSchema(json('connectors/sources/pccovid/raw/test-result.avsc'));
  const random = new Random(815);
  const people = new Population(random.fork(), 2000);
  const ids = new IdSequences(random.fork());
  const from = Date.parse('2021-08-01T00:00:00Z');
  const toInput = (value: Record<string, unknown>): RawInput => ({
    source: 'pccovid', kind: 'test-result' as never, value: raw.fromBuffer(raw.toBuffer(value)) as Record<string, unknown>,
    sourceRecordId: String(value.id), eventId: '6f1d2c3b-0000-5000-8000-000000000003', receivedAt: from,
  });

  it('maps several thousand generated records to their truth', () => {
    const differences: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const { record, truth } = spec.render({ random, people, declarants: new DeclarantLog(), ids, time: from + i * 600_000 }, null);
      const mappedRecord = TEST_RESULT.map(toInput(record), CONTEXT);
      for (const [field, expected] of Object.entries(truth)) {
        if (JSON.stringify(mappedRecord[field]) !== JSON.stringify(expected)) differences.push(`${record.id} ${field}: ${JSON.stringify(mappedRecord[field])} ≠ ${JSON.stringify(expected)}`);
      }
      if (!canonical.isValid({ ...mappedRecord, normalized_at: 0 })) differences.push(`${record.id} invalid`);
    }
    expect(differences.slice(0, 5)).toEqual([]);
  });

  it('fails its defects with their error class on their path', () => {
    const classes = { 'future-date': 'FutureDate', 'unknown-province': 'UnknownProvince', 'impossible-date': 'ImpossibleDate', 'birth-year-out-of-range': 'BirthYearOutOfRange' } as const;
    for (const [defect, errorClass] of Object.entries(classes) as [keyof typeof classes, string][]) {
      const { record, truth } = spec.render({ random, people, declarants: new DeclarantLog(), ids, time: from }, defect);
      const path = spec.problems[defect]!(record, truth, random);
      let caught: unknown;
      try { TEST_RESULT.map(toInput(record), CONTEXT); } catch (error) { caught = error; }
      expect(caught, defect).toBeInstanceOf(MappingProblem);
      expect((caught as MappingProblem).failure).toMatchObject({ errorClass, path });
    }
  });
});
