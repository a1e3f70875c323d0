/**
 * Means of transport of a movement declaration: vhd's form labels (`vehicle`, sometimes without
 * diacritics) and PC-Covid's keys (`transportType`). The canonical modes have no "other": a journey
 * declared as other is counted as PERSONAL, the mode for "own car, motorbike or other private vehicle".
 */
import type { TransportMode } from '../../schemas/kinds/canonical-values.ts';
import { defineVocabulary } from './vocabulary.ts';

export const VHD_VEHICLE_LABELS = defineVocabulary<TransportMode>('vhd vehicle label', {
  AIR: ['Tàu bay', 'Máy bay'],
  RAIL: ['Tàu hỏa'],
  COACH: ['Ô tô khách', 'Xe khách'],
  WATERWAY: ['Tàu thuyền'],
  PERSONAL: ['Xe cá nhân', 'Khác'],
});

export const PCCOVID_TRANSPORT_TYPES = defineVocabulary<TransportMode>('PC-Covid transportType', {
  AIR: ['plane'],
  RAIL: ['train'],
  COACH: ['coach'],
  WATERWAY: ['ship'],
  PERSONAL: ['car', 'motorbike', 'other'],
});
