/**
 * Generated PC-Covid test results: the profile's identity as on its declarations, epoch-ms times,
 * the app's codes; with the canonical record the normalizer should make of each (the truth).
 */
import { birthDateDdMmYyyy } from '../../../services/generator/common-fields.ts';
import { MINUTE_MS, epochMs } from '../../../services/generator/local-time.ts';
import type { PairSpec, RenderContext } from '../../../services/generator/pair-spec.ts';
import { e164 } from '../../../services/generator/phones.ts';
import { futureDateIn, impossibleDateIn, outOfRangeBirthYearIn, unknownProvinceCodeIn } from '../../../services/generator/problems.ts';
import type { Truth } from '../../../services/generator/truth.ts';
import { PROVINCES } from '../../../services/platform/provinces.ts';
import { GENDER_CODES as PCCOVID_GENDER_CODES } from './vocabulary/app-codes.ts';
import { QR_IDENTITY_TYPES } from './vocabulary/identity-types.ts';
import { LOINC_OF_TEST_TYPE, TEST_TYPES, type TestResultValue } from '../../../schemas/kinds/test-result/values.ts';
import { PCCOVID_TEST_RESULTS, PCCOVID_TEST_TYPES } from './test-result-mapping.ts';

function render(context: RenderContext) {
  const { random } = context;
  const person = random.pick(context.people.everyone);
  const testType = random.pick(TEST_TYPES);
  const result: TestResultValue = random.chance(0.1) ? 'POSITIVE' : random.chance(0.02) ? 'INCONCLUSIVE' : 'NEGATIVE';
  const ct = testType === 'PCR' && result === 'POSITIVE' && random.chance(0.6) ? Math.round(random.between(150, 380)) / 10 : null;
  const province = random.pick(PROVINCES).code;
  const sampledAt = context.time;
  const reportedAt = sampledAt + random.between(15, 24 * 60) * MINUTE_MS;
  const document = person.document;
  const facilityCode = `TYT-${province}-${String(random.between(1, 900)).padStart(5, '0')}`;
  const record = {
    id: `XN-${context.ids.uuid()}`,
    qid: person.qid,
    fullName: person.fullName,
    identityType: QR_IDENTITY_TYPES.word(document ? document.type : 'PHONE'),
    identityNumber: document ? document.number : null,
    dateOfBirth: birthDateDdMmYyyy(person),
    gender: PCCOVID_GENDER_CODES.word(person.gender),
    phone: e164(person.phone),
    testType: PCCOVID_TEST_TYPES.word(testType),
    result: PCCOVID_TEST_RESULTS.word(result),
    ctValue: ct,
    facilityCode,
    facilityName: `Cơ sở xét nghiệm ${facilityCode}`,
    facilityProvinceCode: province,
    sampleTime: sampledAt,
    resultTime: reportedAt,
  };
  // The canonical record minus run fields; Truth learns the kind when it is wired in.
  const truth = {
    kind: 'test-result', source: 'pccovid', source_record_id: record.id, occurred_at: sampledAt, province_code: province, quality_flags: [],
    person: { full_name: person.fullName, document: document ? { type: document.type, number: document.number } : null, birth_year: person.birthYear, gender: person.gender, phone: e164(person.phone) },
    specimen: { id: null, type: 'OTHER' },
    test_type: testType, loinc_code: LOINC_OF_TEST_TYPE[testType], result, ct_value: ct,
    lab: { id: facilityCode, name: record.facilityName, province_code: province },
    sampled_at: sampledAt, reported_at: reportedAt,
  } as unknown as Truth;
  return { record, truth };
}

export const TEST_RESULT_SPEC: PairSpec = {
  source: 'pccovid',
  kind: 'test-result' as PairSpec['kind'],
  render,
  problems: {
    'future-date': futureDateIn('sampleTime', epochMs),
    'unknown-province': unknownProvinceCodeIn('facilityProvinceCode'),
    'impossible-date': impossibleDateIn('dateOfBirth'),
    'birth-year-out-of-range': outOfRangeBirthYearIn('dateOfBirth', 'date'),
  },
};
