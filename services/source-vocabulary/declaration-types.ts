/**
 * Which declaration form a health declaration was made on: how a source says it, and what it means
 * when it leaves the field out (each source's folder has its own, as its raw schema docs say).
 */
import type { DeclarationType } from '../../schemas/kinds/canonical-values.ts';
import { defineVocabulary, type Vocabulary } from './vocabulary.ts';

export interface DeclarationTypeCodes {
  /** The raw field holding the code. */
  readonly field: string;
  readonly codes: Vocabulary<DeclarationType>;
  /** The declaration type of a record without the field (null). */
  readonly whenAbsent: DeclarationType;
}

/** PC-Covid `declarationType` and C06 `loaiToKhai` share these codes. */
export const UPPER_SNAKE_CODES = defineVocabulary<DeclarationType>('declaration type code', {
  DOMESTIC: ['NOI_DIA'],
  ENTRY: ['NHAP_CANH'],
  WHOLE_POPULATION: ['TOAN_DAN'],
});
