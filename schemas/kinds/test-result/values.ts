/**
 * What every source of test results shares: the canonical enums of `canonical.avsc` and the LOINC
 * codes Truc accepts (README.md says what each means). Kept here so the sources' mappings and
 * generators read one table.
 */

export const TEST_TYPES = ['PCR', 'RAPID_ANTIGEN', 'ANTIBODY'] as const;
export type TestType = (typeof TEST_TYPES)[number];

export const TEST_RESULTS = ['POSITIVE', 'NEGATIVE', 'INCONCLUSIVE'] as const;
export type TestResultValue = (typeof TEST_RESULTS)[number];

export const SPECIMEN_TYPES = ['NASOPHARYNGEAL_SWAB', 'OROPHARYNGEAL_SWAB', 'SALIVA', 'BLOOD', 'OTHER'] as const;
export type SpecimenType = (typeof SPECIMEN_TYPES)[number];

/** SARS-CoV-2 LOINC codes and the test type each one is. */
export const LOINC_TEST_TYPES: Readonly<Record<string, TestType>> = {
  // SARS-CoV-2 RNA [Presence] in Respiratory specimen by NAA with probe detection
  '94500-6': 'PCR',
  // SARS-CoV-2 RNA [Presence] in Saliva (oral fluid) by NAA with probe detection
  '94845-5': 'PCR',
  // SARS-CoV-2 Ag [Presence] in Respiratory specimen by Rapid immunoassay
  '94558-4': 'RAPID_ANTIGEN',
  // SARS-CoV-2 Ab [Presence] in Serum or Plasma by Immunoassay
  '94762-2': 'ANTIBODY',
  // SARS-CoV-2 IgG Ab [Presence] in Serum or Plasma by Immunoassay
  '94563-4': 'ANTIBODY',
};

/** The LOINC code a source that names only the test type (PC-Covid) stands for. */
export const LOINC_OF_TEST_TYPE: Readonly<Record<TestType, string>> = {
  PCR: '94500-6',
  RAPID_ANTIGEN: '94558-4',
  ANTIBODY: '94762-2',
};

/** LOINC of the PCR cycle-threshold component: SARS-CoV-2 (COVID-19) N gene [Cycle Threshold #] by NAA with probe detection. */
export const CT_VALUE_LOINC = '94510-5';
