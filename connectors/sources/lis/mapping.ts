/**
 * lis — laboratory information systems posting FHIR R4 Observations of SARS-CoV-2 tests. Only
 * final (or amended/corrected) results are facts: preliminary, cancelled and entered-in-error
 * observations fail the record (NonFinalResult, dead-lettered) so that no analyst counts a result
 * the lab has not released or has withdrawn.
 */
import type { TestResultRecord } from '../../../schemas/kinds/test-result/record.ts';
import { CT_VALUE_LOINC, LOINC_TEST_TYPES, type SpecimenType, type TestResultValue } from '../../../schemas/kinds/test-result/values.ts';
import type { Gender } from '../../../schemas/kinds/canonical-values.ts';
import { envelope, keyedByPerson, type SourceMappings } from '../../../services/normalizer/mapping/pair-mapping.ts';
import { checkBirthYear } from '../../../services/normalizer/mapping/rules/birth-year.ts';
import { checkAgainstCccd, documentOfType, type Identified } from '../../../services/normalizer/mapping/rules/identity.ts';
import { instantWithOffset, notInFuture } from '../../../services/normalizer/mapping/rules/local-time.ts';
import { phoneE164 } from '../../../services/normalizer/mapping/rules/phone.ts';
import { ERROR_CLASSES, MappingProblem, ownErrorClass } from '../../../services/normalizer/mapping/rules/problem.ts';
import { secondaryProvince } from '../../../services/normalizer/mapping/rules/province.ts';
import { QUALITY_FLAGS, type QualityFlags } from '../../../services/normalizer/mapping/rules/quality-flags.ts';
import { text } from '../../../services/normalizer/mapping/rules/text.ts';

interface Coding { system?: string | null; code: string; display?: string | null }
interface Concept { coding?: Coding[]; text?: string | null }
interface Identifier { system?: string | null; value: string }

/** connectors/sources/lis/raw/test-result.avsc */
export interface LisObservation {
  resourceType: string;
  id: string;
  status: string;
  code: Concept;
  subject: { identifier?: Identifier | null; display?: string | null; birthYear?: number | null; gender?: string | null };
  specimen?: { identifier?: Identifier | null; type?: Concept | null } | null;
  effectiveDateTime: string;
  issued: string;
  valueCodeableConcept?: Concept | null;
  component?: { code: Concept; valueQuantity?: { value: number; unit?: string | null } | null }[];
  performer?: { identifier?: Identifier | null; display?: string | null; provinceCode?: string | null }[];
}

/** Not yet in ERROR_CLASSES (rules/problem.ts): to be added there when the kind is wired in. */
export const NON_FINAL_RESULT = ownErrorClass('NonFinalResult');

export const LOINC_SYSTEM = 'http://loinc.org';
export const SNOMED_SYSTEM = 'http://snomed.info/sct';

/** Statuses whose value is a released result (FHIR observation-status). */
export const FINAL_STATUSES = new Set(['final', 'amended', 'corrected']);

/** Identifier systems of the Vietnamese LIS profile. */
export const IDENTIFIER_SYSTEMS = { CCCD: 'urn:vn:cccd', CMND: 'urn:vn:cmnd', PASSPORT: 'urn:vn:passport', PHONE: 'urn:vn:phone' } as const;

/** SNOMED CT qualifier values and HL7 v2-0078 interpretation codes for the result. */
export const RESULT_CODES: Readonly<Record<string, TestResultValue>> = {
  '260373001': 'POSITIVE', // Detected
  '260415000': 'NEGATIVE', // Not detected
  '419984006': 'INCONCLUSIVE', // Inconclusive
  POS: 'POSITIVE',
  NEG: 'NEGATIVE',
  IND: 'INCONCLUSIVE',
};

/** SNOMED CT specimen types. */
export const SPECIMEN_CODES: Readonly<Record<string, SpecimenType>> = {
  '258500001': 'NASOPHARYNGEAL_SWAB',
  '258529004': 'OROPHARYNGEAL_SWAB', // Throat swab
  '258560004': 'SALIVA', // Oral saliva sample
  '119297000': 'BLOOD',
};

export const GENDER_CODES: Readonly<Record<string, Gender>> = { male: 'MALE', female: 'FEMALE', other: 'OTHER' };

function identify(value: LisObservation, flags: QualityFlags): Identified {
  const identifier = value.subject.identifier;
  const number = text(identifier?.value);
  if (identifier === null || identifier === undefined || number === null) {
    throw new MappingProblem(ERROR_CLASSES.unknownCode, 'subject.identifier', 'the tested person has no identifier');
  }
  switch (identifier.system) {
    case IDENTIFIER_SYSTEMS.CCCD: return { document: documentOfType('CCCD', number), phone: null };
    case IDENTIFIER_SYSTEMS.CMND: return { document: documentOfType('CMND', number), phone: null };
    case IDENTIFIER_SYSTEMS.PASSPORT: return { document: documentOfType('PASSPORT', number), phone: null };
    case IDENTIFIER_SYSTEMS.PHONE: return { document: null, phone: phoneE164(number, flags) };
    default: throw new MappingProblem(ERROR_CLASSES.unknownCode, 'subject.identifier.system', 'not a known identifier system (urn:vn:cccd, urn:vn:cmnd, urn:vn:passport, urn:vn:phone)');
  }
}

function codeIn(concept: Concept | null | undefined, system: string | null): string | null {
  const coding = concept?.coding?.find((c) => system === null || c.system === system);
  return coding === undefined ? null : coding.code.trim();
}

const TEST_RESULT = keyedByPerson<LisObservation, TestResultRecord>(identify, ({ input, value, context, flags }, declarant) => {
  if (!FINAL_STATUSES.has(value.status)) {
    throw new MappingProblem(NON_FINAL_RESULT, 'status', 'not a released result (final, amended or corrected)');
  }
  const loinc = codeIn(value.code, LOINC_SYSTEM);
  const testType = loinc === null ? undefined : LOINC_TEST_TYPES[loinc];
  if (loinc === null || testType === undefined) throw new MappingProblem(ERROR_CLASSES.unknownCode, 'code.coding', 'no known SARS-CoV-2 LOINC code');
  const resultCode = codeIn(value.valueCodeableConcept, null);
  const result = resultCode === null ? undefined : RESULT_CODES[resultCode];
  if (result === undefined) throw new MappingProblem(ERROR_CLASSES.unknownCode, 'valueCodeableConcept.coding', 'not a known result code (SNOMED CT or HL7 v2-0078)');
  const sampledAt = notInFuture(instantWithOffset(value.effectiveDateTime, 'effectiveDateTime'), context.now, 'effectiveDateTime');
  const reportedAt = notInFuture(instantWithOffset(value.issued, 'issued'), context.now, 'issued');
  const birthYear = value.subject.birthYear === null || value.subject.birthYear === undefined ? null : checkBirthYear(value.subject.birthYear, sampledAt, 'subject.birthYear');
  const gender = value.subject.gender ? (GENDER_CODES[value.subject.gender] ?? null) : null;
  if (value.subject.gender && gender === null && value.subject.gender !== 'unknown') flags.add(QUALITY_FLAGS.genderUnknown);
  if (birthYear !== null) checkAgainstCccd(declarant.identified.document, birthYear, gender, flags);
  // The Ct value is a PCR's only; a lab sending one for another test is ignored.
  const ct = testType === 'PCR' ? value.component?.find((c) => codeIn(c.code, LOINC_SYSTEM) === CT_VALUE_LOINC)?.valueQuantity?.value ?? null : null;
  const performer = value.performer?.[0];
  const labId = text(performer?.identifier?.value);
  if (labId === null) throw new MappingProblem(ERROR_CLASSES.unknownCode, 'performer', 'no performing laboratory');
  const labProvince = secondaryProvince(performer?.provinceCode, flags);
  const specimenCode = codeIn(value.specimen?.type, SNOMED_SYSTEM);
  return {
    ...envelope('test-result', input, sampledAt, labProvince, declarant.personKey),
    person: { full_name: text(value.subject.display), document: declarant.identified.document, birth_year: birthYear, gender, phone: declarant.identified.phone },
    specimen: { id: text(value.specimen?.identifier?.value), type: specimenCode === null ? 'OTHER' : (SPECIMEN_CODES[specimenCode] ?? 'OTHER') },
    test_type: testType,
    loinc_code: loinc,
    result,
    ct_value: ct,
    lab: { id: labId, name: text(performer?.display), province_code: labProvince },
    sampled_at: sampledAt,
    reported_at: reportedAt,
  };
});

export const MAPPINGS: SourceMappings = { 'test-result': TEST_RESULT };
