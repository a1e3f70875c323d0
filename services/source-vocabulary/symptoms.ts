/**
 * Symptoms in the last 14 days. vhd (`signDetail`, words separated by commas), ncovi
 * (`trieu_chung`, usually lower case) and C06 (`trieuChung`, capitalised) write Vietnamese words;
 * PC-Covid's own keys are in its folder.
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
