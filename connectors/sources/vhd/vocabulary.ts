/**
 * vhd's own codes: its declaration forms (`formType`) and its movement form's vehicle labels
 * (`vehicle`, sometimes without diacritics; a journey declared as other counts as PERSONAL).
 */
import type { DeclarationType, TransportMode } from '../../../schemas/kinds/canonical-values.ts';
import type { DeclarationTypeCodes } from '../../../services/source-vocabulary/declaration-types.ts';
import { defineVocabulary } from '../../../services/source-vocabulary/vocabulary.ts';

/** Forms from before the field existed were domestic ones. */
export const DECLARATION_TYPES: DeclarationTypeCodes = {
  field: 'formType',
  codes: defineVocabulary<DeclarationType>('vhd formType', { DOMESTIC: ['noidia'], ENTRY: ['nhapcanh'], WHOLE_POPULATION: ['toandan'] }),
  whenAbsent: 'DOMESTIC',
};

export const VEHICLE_LABELS = defineVocabulary<TransportMode>('vhd vehicle label', {
  AIR: ['Tàu bay', 'Máy bay'],
  RAIL: ['Tàu hỏa'],
  COACH: ['Ô tô khách', 'Xe khách'],
  WATERWAY: ['Tàu thuyền'],
  PERSONAL: ['Xe cá nhân', 'Khác'],
});
