/** ncovi's own codes: its declaration forms (`loai_to_khai`). */
import type { DeclarationType } from '../../../schemas/kinds/canonical-values.ts';
import type { DeclarationTypeCodes } from '../../../services/source-vocabulary/declaration-types.ts';
import { defineVocabulary } from '../../../services/source-vocabulary/vocabulary.ts';

/** Early app versions only had the whole-population form. */
export const DECLARATION_TYPES: DeclarationTypeCodes = {
  field: 'loai_to_khai',
  codes: defineVocabulary<DeclarationType>('ncovi loai_to_khai', { DOMESTIC: ['noi_dia'], ENTRY: ['nhap_canh'], WHOLE_POPULATION: ['toan_dan'] }),
  whenAbsent: 'WHOLE_POPULATION',
};
