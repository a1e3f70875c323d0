/**
 * Gender as declaration sources write it in words: vhd `gender` (Nam, Nu, Khac — no diacritics),
 * ncovi `gioi_tinh` and C06 `gioiTinh` (Nam, Nữ, Khác; ncovi sometimes Nu). PC-Covid's numeric
 * codes are in its folder.
 */
import type { Gender } from '../../schemas/kinds/canonical-values.ts';
import { defineVocabulary } from './vocabulary.ts';

/** Words of vhd, ncovi and C06; lookups ignore diacritics, so "Nu" and "Nữ" are one entry. */
export const GENDER_WORDS = defineVocabulary<Gender>('gender word', {
  MALE: ['Nam'],
  FEMALE: ['Nữ'],
  OTHER: ['Khác'],
});
