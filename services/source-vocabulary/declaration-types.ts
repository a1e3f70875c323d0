/**
 * Which declaration form a health declaration was made on, per source, and what each source means
 * when it leaves the field out (their raw schema docs say so).
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
const UPPER_SNAKE_CODES = defineVocabulary<DeclarationType>('declaration type code', {
  DOMESTIC: ['NOI_DIA'],
  ENTRY: ['NHAP_CANH'],
  WHOLE_POPULATION: ['TOAN_DAN'],
});

export const DECLARATION_TYPE_CODES: Readonly<Record<'vhd' | 'ncovi' | 'pccovid' | 'c06', DeclarationTypeCodes>> = {
  // Forms from before the field existed were domestic ones.
  vhd: {
    field: 'formType',
    codes: defineVocabulary<DeclarationType>('vhd formType', { DOMESTIC: ['noidia'], ENTRY: ['nhapcanh'], WHOLE_POPULATION: ['toandan'] }),
    whenAbsent: 'DOMESTIC',
  },
  // Early app versions only had the whole-population form.
  ncovi: {
    field: 'loai_to_khai',
    codes: defineVocabulary<DeclarationType>('ncovi loai_to_khai', { DOMESTIC: ['noi_dia'], ENTRY: ['nhap_canh'], WHOLE_POPULATION: ['toan_dan'] }),
    whenAbsent: 'WHOLE_POPULATION',
  },
  pccovid: { field: 'declarationType', codes: UPPER_SNAKE_CODES, whenAbsent: 'WHOLE_POPULATION' },
  c06: { field: 'loaiToKhai', codes: UPPER_SNAKE_CODES, whenAbsent: 'WHOLE_POPULATION' },
};
