/**
 * How source words are compared: sources write the same word with or without Vietnamese
 * diacritics, in any case, with stray spaces and punctuation ("TP. Hồ Chí Minh", "tp ho chi minh",
 * "Thừa Thiên - Huế"). Every vocabulary lookup goes through `foldKey`, so tables list each word once.
 */

const COMBINING_MARKS = /[\u0300-\u036f]/g;
const ASCII_ONLY = /^[\x00-\x7f]*$/;
const NOT_ALPHANUMERIC = /[^a-z0-9]+/g;

/** The text with Vietnamese diacritics removed (đ → d), case kept: "Nguyễn Văn Đức" → "Nguyen Van Duc". */
export function stripDiacritics(text: string): string {
  // Most codes and many names arrive without diacritics; Unicode normalisation is the costly part.
  if (ASCII_ONLY.test(text)) return text;
  return text.normalize('NFD').replace(COMBINING_MARKS, '').replaceAll('đ', 'd').replaceAll('Đ', 'D');
}

/** The comparison key of a word: no diacritics, lower case, runs of anything but letters and digits as one space. */
export function foldKey(text: string): string {
  return stripDiacritics(text).toLowerCase().replace(NOT_ALPHANUMERIC, ' ').trim();
}
