/**
 * Generated lis records: FHIR Observations of SARS-CoV-2 tests about people of the population, with
 * the canonical record the normalizer should make of each (the truth, without run fields).
 */
import type { PairSpec, RenderContext } from '../../../services/generator/pair-spec.ts';
import { MINUTE_MS, formatIsoOffset } from '../../../services/generator/local-time.ts';
import { futureDateIn, impossibleDateIn } from '../../../services/generator/problems.ts';
import type { Truth } from '../../../services/generator/truth.ts';
import { e164 } from '../../../services/generator/phones.ts';
import { PROVINCES } from '../../../services/platform/provinces.ts';
import { LOINC_OF_TEST_TYPE, TEST_RESULTS, TEST_TYPES, type TestResultValue, type TestType } from '../../../schemas/kinds/test-result/values.ts';
import { IDENTIFIER_SYSTEMS, LOINC_SYSTEM, RESULT_CODES, SNOMED_SYSTEM, SPECIMEN_CODES } from './mapping.ts';

const codeOf = <V extends string>(table: Readonly<Record<string, V>>, value: V): string => Object.keys(table).find((code) => table[code] === value)!;

function render(context: RenderContext) {
  const { random } = context;
  const person = random.pick(context.people.everyone);
  const testType: TestType = random.pick(TEST_TYPES);
  const result: TestResultValue = random.chance(0.1) ? 'POSITIVE' : random.chance(0.02) ? 'INCONCLUSIVE' : random.pick(TEST_RESULTS.filter((r) => r === 'NEGATIVE'));
  const ct = testType === 'PCR' && result === 'POSITIVE' ? Math.round(random.between(150, 380)) / 10 : null;
  const province = random.pick(PROVINCES).code;
  const sampledAt = Math.floor(context.time / 1000) * 1000;
  const reportedAt = sampledAt + random.between(30, 24 * 60) * MINUTE_MS;
  const specimenType = testType === 'ANTIBODY' ? 'BLOOD' : 'NASOPHARYNGEAL_SWAB';
  const document = person.document;
  const identifier = document ? { system: IDENTIFIER_SYSTEMS[document.type as 'CCCD' | 'CMND' | 'PASSPORT'], value: document.number } : { system: IDENTIFIER_SYSTEMS.PHONE, value: e164(person.phone) };
  const labId = `LAB-${province}-${String(random.between(1, 40)).padStart(3, '0')}`;
  const id = `obs-${context.ids.uuid()}`;
  const record = {
    resourceType: 'Observation',
    id,
    status: random.chance(0.95) ? 'final' : 'amended',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory', display: null }], text: null }],
    code: { coding: [{ system: LOINC_SYSTEM, code: LOINC_OF_TEST_TYPE[testType], display: null }], text: null },
    subject: { identifier, display: person.fullName, birthYear: person.birthYear, gender: person.gender.toLowerCase() },
    specimen: { identifier: { system: null, value: `S-${id.slice(4, 12)}` }, type: { coding: [{ system: SNOMED_SYSTEM, code: codeOf(SPECIMEN_CODES, specimenType), display: null }], text: null } },
    effectiveDateTime: formatIsoOffset(sampledAt),
    issued: formatIsoOffset(reportedAt),
    valueCodeableConcept: { coding: [{ system: SNOMED_SYSTEM, code: codeOf(RESULT_CODES, result), display: null }], text: null },
    component: ct === null ? [] : [{ code: { coding: [{ system: LOINC_SYSTEM, code: '94510-5', display: null }], text: null }, valueQuantity: { value: ct, unit: '{Ct}' } }],
    performer: [{ identifier: { system: 'urn:vn:lab', value: labId }, display: `Phòng xét nghiệm ${labId}`, provinceCode: province }],
  };
  // The canonical record minus run fields; Truth learns the kind when it is wired in.
  const truth = {
    kind: 'test-result', source: 'lis', source_record_id: id, occurred_at: sampledAt, province_code: province, quality_flags: [],
    person: { full_name: person.fullName, document: document ? { type: document.type, number: document.number } : null, birth_year: person.birthYear, gender: person.gender, phone: document ? null : e164(person.phone) },
    specimen: { id: `S-${id.slice(4, 12)}`, type: specimenType },
    test_type: testType, loinc_code: LOINC_OF_TEST_TYPE[testType], result, ct_value: ct,
    lab: { id: labId, name: `Phòng xét nghiệm ${labId}`, province_code: province },
    sampled_at: sampledAt, reported_at: reportedAt,
  } as unknown as Truth;
  return { record, truth };
}

export const PAIR_SPECS: PairSpec[] = [
  {
    source: 'lis',
    kind: 'test-result' as PairSpec['kind'],
    render,
    problems: {
      'future-date': futureDateIn('effectiveDateTime', formatIsoOffset),
      'impossible-date': impossibleDateIn('effectiveDateTime'),
    },
  },
];

/** Fields a laboratory system's integrators add by mistake: FHIR resource elements outside the subset Truc reads. */
export const STRAY_FIELDS: readonly (readonly [string, string])[] = [['language', 'vi-VN'], ['implicitRules', 'urn:lab:rules-v2']];
