/**
 * Gender as the declaration sources write it: vhd `gender` (Nam, Nu, Khac — no diacritics), ncovi
 * `gioi_tinh` and C06 `gioiTinh` (Nam, Nữ, Khác; ncovi sometimes Nu), PC-Covid `gender` (1, 2, 3).
 */
import type { Gender } from '../../schemas/kinds/canonical-values.ts';
import { defineVocabulary } from './vocabulary.ts';

/** Words of vhd, ncovi and C06; lookups ignore diacritics, so "Nu" and "Nữ" are one entry. */
export const GENDER_WORDS = defineVocabulary<Gender>('gender word', {
  MALE: ['Nam'],
  FEMALE: ['Nữ'],
  OTHER: ['Khác'],
});

/** PC-Covid's numeric gender codes (health and movement declarations). */
export const PCCOVID_GENDER_CODES = defineVocabulary<Gender, number>('PC-Covid gender code', {
  MALE: [1],
  FEMALE: [2],
  OTHER: [3],
});
