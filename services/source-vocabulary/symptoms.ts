/**
 * Symptoms in the last 14 days. vhd (`signDetail`, words separated by commas), ncovi
 * (`trieu_chung`, usually lower case) and C06 (`trieuChung`, capitalised) write Vietnamese words;
 * PC-Covid sends its own keys and has no key for some symptoms (they arrive as `other`).
 */
import type { Symptom } from '../../schemas/kinds/canonical-values.ts';
import { defineVocabulary } from './vocabulary.ts';

/** Vietnamese symptom words of vhd, ncovi and C06 (case and diacritics do not matter in lookups). */
export const SYMPTOM_WORDS = defineVocabulary<Symptom>('symptom word', {
  FEVER: ['Sốt', 'Sốt cao', 'Sốt nhẹ'],
  COUGH: ['Ho', 'Ho khan', 'Ho có đờm'],
  SHORTNESS_OF_BREATH: ['Khó thở', 'Tức ngực khó thở'],
  SORE_THROAT: ['Đau họng', 'Rát họng'],
  LOSS_OF_TASTE_OR_SMELL: ['Mất vị giác', 'Mất khứu giác', 'Mất vị giác và khứu giác'],
  FATIGUE: ['Mệt mỏi'],
  MUSCLE_PAIN: ['Đau mỏi cơ', 'Đau cơ', 'Đau nhức người'],
  HEADACHE: ['Đau đầu', 'Nhức đầu'],
  NAUSEA_OR_VOMITING: ['Buồn nôn', 'Nôn'],
  DIARRHEA: ['Tiêu chảy'],
  RUNNY_NOSE: ['Sổ mũi', 'Chảy nước mũi'],
  CHILLS: ['Ớn lạnh', 'Rét run'],
  OTHER: ['Triệu chứng khác', 'Khác'],
});

/** The symptoms PC-Covid has a key for; any other symptom is sent as `other`. */
export type PccovidSymptom = Exclude<Symptom, 'NAUSEA_OR_VOMITING' | 'DIARRHEA' | 'RUNNY_NOSE' | 'CHILLS'>;

/** PC-Covid `symptoms` keys (health and movement declarations). */
export const PCCOVID_SYMPTOM_KEYS = defineVocabulary<PccovidSymptom>('PC-Covid symptom key', {
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
