/**
 * PC-Covid's own codes in its declarations and reports: declaration forms, numeric genders,
 * symptom keys (it has no key for some symptoms: they arrive as `other`), transport keys and
 * report types. Scans and personal QR identities have their own files beside this one.
 */
import type { Gender, ReportCategory, Symptom, TransportMode } from '../../../../schemas/kinds/canonical-values.ts';
import { UPPER_SNAKE_CODES, type DeclarationTypeCodes } from '../../../../services/source-vocabulary/declaration-types.ts';
import { defineVocabulary } from '../../../../services/source-vocabulary/vocabulary.ts';

/** Early app versions only had the whole-population form. */
export const DECLARATION_TYPES: DeclarationTypeCodes = { field: 'declarationType', codes: UPPER_SNAKE_CODES, whenAbsent: 'WHOLE_POPULATION' };

/** PC-Covid's numeric gender codes (health and movement declarations). */
export const GENDER_CODES = defineVocabulary<Gender, number>('PC-Covid gender code', {
  MALE: [1],
  FEMALE: [2],
  OTHER: [3],
});

/** The symptoms PC-Covid has a key for; any other symptom is sent as `other`. */
export type PccovidSymptom = Exclude<Symptom, 'NAUSEA_OR_VOMITING' | 'DIARRHEA' | 'RUNNY_NOSE' | 'CHILLS'>;

/** PC-Covid `symptoms` keys (health and movement declarations). */
export const SYMPTOM_KEYS = defineVocabulary<PccovidSymptom>('PC-Covid symptom key', {
  FEVER: ['fever'],
  COUGH: ['cough'],
  SHORTNESS_OF_BREATH: ['shortness_of_breath'],
  SORE_THROAT: ['sore_throat'],
  LOSS_OF_TASTE_OR_SMELL: ['loss_of_taste_smell'],
  FATIGUE: ['fatigue'],
  MUSCLE_PAIN: ['muscle_pain'],
  HEADACHE: ['headache'],
  OTHER: ['other'],
});

export const TRANSPORT_TYPES = defineVocabulary<TransportMode>('PC-Covid transportType', {
  AIR: ['plane'],
  RAIL: ['train'],
  COACH: ['coach'],
  WATERWAY: ['ship'],
  PERSONAL: ['car', 'motorbike', 'other'],
});

export const REPORT_TYPES = defineVocabulary<ReportCategory>('PC-Covid reportType', {
  SUSPECTED_CASE: ['NGHI_NHIEM'],
  RETURNEE_FROM_OUTBREAK_AREA: ['TU_VUNG_DICH_VE'],
  QUARANTINE_VIOLATION: ['VI_PHAM_CACH_LY'],
  GATHERING: ['TU_TAP_DONG_NGUOI'],
  SUPPORT_REQUEST: ['CAN_HO_TRO'],
  OTHER: ['KHAC'],
});
