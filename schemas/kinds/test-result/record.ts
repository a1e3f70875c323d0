/**
 * The canonical record of a test result, as the mappings build it (the fields of `canonical.avsc`
 * without `normalized_at`, which the engine stamps).
 */
import type { IdentityDocument } from '../../../services/normalizer/mapping/rules/identity.ts';
import type { Gender } from '../canonical-values.ts';
import type { Envelope } from '../shared-records.ts';
import type { SpecimenType, TestResultValue, TestType } from './values.ts';

export interface TestedPerson {
  full_name: string | null;
  document: IdentityDocument | null;
  birth_year: number | null;
  gender: Gender | null;
  phone: string | null;
}

// 'test-result' joins the Kind union once the kind is listed in the catalogue.
export interface TestResultRecord extends Envelope<'test-result'> {
  person: TestedPerson;
  specimen: { id: string | null; type: SpecimenType };
  test_type: TestType;
  loinc_code: string;
  result: TestResultValue;
  ct_value: number | null;
  lab: { id: string; name: string | null; province_code: string | null };
  sampled_at: number;
  reported_at: number;
}
