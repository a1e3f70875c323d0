/**
 * pccovid test results: what the app shows on the user's profile. Identity as on its declarations
 * (identity type and number, or the phone with SDT), times in epoch milliseconds, the app's own
 * codes for test types and results. The app names no LOINC code: the test type's usual one stands in.
 */
import type { TestResultRecord } from '../../../schemas/kinds/test-result/record.ts';
import { LOINC_OF_TEST_TYPE, type TestResultValue, type TestType } from '../../../schemas/kinds/test-result/values.ts';
import { envelope, keyedByPerson, type PairMapping } from '../../../services/normalizer/mapping/pair-mapping.ts';
import { birthYearOfDate } from '../../../services/normalizer/mapping/rules/birth-year.ts';
import { optionalCode, requiredCode } from '../../../services/normalizer/mapping/rules/enums.ts';
import { checkAgainstCccd, documentOfType, type Identified } from '../../../services/normalizer/mapping/rules/identity.ts';
import { localFormat, notInFuture } from '../../../services/normalizer/mapping/rules/local-time.ts';
import { phoneE164 } from '../../../services/normalizer/mapping/rules/phone.ts';
import { requiredProvince } from '../../../services/normalizer/mapping/rules/province.ts';
import { QUALITY_FLAGS, type QualityFlags } from '../../../services/normalizer/mapping/rules/quality-flags.ts';
import { text } from '../../../services/normalizer/mapping/rules/text.ts';
import { GENDER_CODES as PCCOVID_GENDER_CODES } from './vocabulary/app-codes.ts';
import { QR_IDENTITY_TYPES } from './vocabulary/identity-types.ts';
import { defineVocabulary } from '../../../services/source-vocabulary/vocabulary.ts';

/** connectors/sources/pccovid/raw/test-result.avsc */
export interface PccovidTestResult {
  id: string;
  qid?: string | null;
  fullName?: string | null;
  identityType?: string | null;
  identityNumber?: string | null;
  dateOfBirth?: string | null;
  gender?: number | null;
  phone: string;
  testType: string;
  result: string;
  ctValue?: number | null;
  facilityCode: string;
  facilityName?: string | null;
  facilityProvinceCode: string;
  sampleTime: number;
  resultTime: number;
}

export const PCCOVID_TEST_TYPES = defineVocabulary<TestType>('PC-Covid test type', { PCR: ['PCR'], RAPID_ANTIGEN: ['TEST_NHANH'], ANTIBODY: ['KHANG_THE'] });
export const PCCOVID_TEST_RESULTS = defineVocabulary<TestResultValue>('PC-Covid test result', {
  POSITIVE: ['DUONG_TINH'],
  NEGATIVE: ['AM_TINH'],
  INCONCLUSIVE: ['KHONG_XAC_DINH'],
});

const BIRTH_DATE = localFormat('dd/MM/yyyy');

function identify(value: PccovidTestResult, flags: QualityFlags): Identified {
  const phone = phoneE164(value.phone, flags);
  if (value.identityType === null || value.identityType === undefined) return { document: null, phone };
  const type = requiredCode(QR_IDENTITY_TYPES, value.identityType, 'identityType');
  const number = text(value.identityNumber);
  return { document: type === 'PHONE' || number === null ? null : documentOfType(type, number), phone };
}

export const TEST_RESULT: PairMapping = keyedByPerson<PccovidTestResult, TestResultRecord>(identify, ({ input, value, context, flags }, declarant) => {
  const sampledAt = notInFuture(value.sampleTime, context.now, 'sampleTime');
  const reportedAt = notInFuture(value.resultTime, context.now, 'resultTime');
  const testType = requiredCode(PCCOVID_TEST_TYPES, value.testType, 'testType');
  const province = requiredProvince(value.facilityProvinceCode, 'facilityProvinceCode');
  const birthYear = text(value.dateOfBirth) === null ? null : birthYearOfDate(value.dateOfBirth!, BIRTH_DATE, sampledAt, 'dateOfBirth');
  const gender = optionalCode(PCCOVID_GENDER_CODES, value.gender, QUALITY_FLAGS.genderUnknown, flags);
  if (birthYear !== null) checkAgainstCccd(declarant.identified.document, birthYear, gender, flags);
  return {
    ...envelope('test-result', input, sampledAt, province, declarant.personKey),
    person: { full_name: text(value.fullName), document: declarant.identified.document, birth_year: birthYear, gender, phone: declarant.identified.phone },
    // The app sends no specimen.
    specimen: { id: null, type: 'OTHER' },
    test_type: testType,
    loinc_code: LOINC_OF_TEST_TYPE[testType],
    result: requiredCode(PCCOVID_TEST_RESULTS, value.result, 'result'),
    ct_value: testType === 'PCR' ? (value.ctValue ?? null) : null,
    lab: { id: value.facilityCode.trim(), name: text(value.facilityName), province_code: province },
    sampled_at: sampledAt,
    reported_at: reportedAt,
  };
});
