/**
 * How source words are compared: sources write the same word with or without Vietnamese
 * diacritics, in any case, with stray spaces and punctuation ("TP. Hồ Chí Minh", "tp ho chi minh",
 * "Thừa Thiên - Huế"). Every vocabulary lookup goes through `foldKey`, so tables list each word once.
 */
import { RecentCache } from '../platform/recent-cache.ts';

const COMBINING_MARKS = /[\u0300-\u036f]/g;
const ASCII_ONLY = /^[\x00-\x7f]*$/;
const NOT_ALPHANUMERIC = /[^a-z0-9]+/g;

/** The text with Vietnamese diacritics removed (đ → d), case kept: "Nguyễn Văn Đức" → "Nguyen Van Duc". */
export function stripDiacritics(text: string): string {
  // Most codes and many names arrive without diacritics; Unicode normalisation is the costly part.
  if (ASCII_ONLY.test(text)) return text;
  return text.normalize('NFD').replace(COMBINING_MARKS, '').replaceAll('đ', 'd').replaceAll('Đ', 'D');
}

/**
 * Words folded lately, as written. Sources write pick-list words (codes, labels, province names) in
 * a handful of spellings each, so nearly every lookup finds its key here: folding costs some ten
 * times a lookup, and every mapped record folds several words.
 */
const folded = new RecentCache<string, string>(2_048);

/** The comparison key of a word: no diacritics, lower case, runs of anything but letters and digits as one space. */
export function foldKey(text: string): string {
  let key = folded.get(text);
  if (key === undefined) {
    key = stripDiacritics(text).toLowerCase().replace(NOT_ALPHANUMERIC, ' ').trim();
    folded.set(text, key);
  }
  return key;
}
