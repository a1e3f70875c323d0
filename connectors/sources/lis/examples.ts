/** One realistic record of lis, as a laboratory posts it (FHIR R4 Observation JSON), every field present. */
export const EXAMPLES: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  'lis/test-result': {
    resourceType: 'Observation',
    id: 'obs-HCDC-20210814-004812',
    status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory', display: 'Laboratory' }], text: null }],
    code: { coding: [{ system: 'http://loinc.org', code: '94500-6', display: 'SARS-CoV-2 RNA [Presence] in Respiratory specimen by NAA with probe detection' }], text: 'SARS-CoV-2 RT-PCR' },
    subject: { identifier: { system: 'urn:vn:cccd', value: '079192004321' }, display: 'Trần Thị Mai', birthYear: 1992, gender: 'female' },
    specimen: {
      identifier: { system: 'urn:vn:lis:hcdc:accession', value: 'S21-0814-00931' },
      type: { coding: [{ system: 'http://snomed.info/sct', code: '258500001', display: 'Nasopharyngeal swab' }], text: null },
    },
    effectiveDateTime: '2021-08-14T09:35:12+07:00',
    issued: '2021-08-14T21:02:40+07:00',
    valueCodeableConcept: { coding: [{ system: 'http://snomed.info/sct', code: '260373001', display: 'Detected' }], text: 'Dương tính' },
    component: [
      { code: { coding: [{ system: 'http://loinc.org', code: '94510-5', display: 'SARS-CoV-2 N gene [Cycle Threshold #]' }], text: null }, valueQuantity: { value: 23.4, unit: '{Ct}' } },
    ],
    performer: [{ identifier: { system: 'urn:vn:lab', value: 'HCDC-79' }, display: 'Trung tâm Kiểm soát Bệnh tật TP.HCM', provinceCode: '79' }],
  },
};
