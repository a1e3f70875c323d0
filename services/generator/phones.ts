/**
 * Vietnamese mobile numbers: drawn with the networks' rough market shares, and written the ways
 * people and apps write them (0…, 84…, +84…, grouped by spaces or dots), or mistyped.
 */
import { MOBILE_PREFIXES } from '../source-vocabulary/phone-numbers.ts';
import { WeightedTable, weighted, type Random } from './random.ts';

/** 9xx and 3x (Viettel's 03x) numbers are the most common, 5x the least. */
const PREFIXES = new WeightedTable(MOBILE_PREFIXES.map((prefix) => [prefix, prefix[0] === '9' ? 5 : prefix[0] === '3' ? 4 : prefix[0] === '5' ? 1 : 2.5] as const));

/** A mobile number's 9 national digits (without the leading 0), e.g. 912345678. */
export function mobileNumber(random: Random): string {
  return PREFIXES.pick(random) + random.digits(7);
}

export function e164(national: string): string {
  return `+84${national}`;
}

export type PhoneStyle = 'local' | 'local-spaced' | 'local-dotted' | 'international' | 'e164' | 'e164-spaced';

/** Writes 912345678 as 0912345678, 0912 345 678, 0912.345.678, 84912345678, +84912345678 or +84 912 345 678. */
export function writePhone(national: string, style: PhoneStyle): string {
  const head = national.slice(0, 3);
  const middle = national.slice(3, 6);
  const tail = national.slice(6);
  switch (style) {
    case 'local':
      return `0${national}`;
    case 'local-spaced':
      return `0${head} ${middle} ${tail}`;
    case 'local-dotted':
      return `0${head}.${middle}.${tail}`;
    case 'international':
      return `84${national}`;
    case 'e164':
      return `+84${national}`;
    case 'e164-spaced':
      return `+84 ${head} ${middle} ${tail}`;
  }
}


/**
 * A phone number no Vietnamese mobile can have, as people mistype them: an old 11-digit 01x number
 * (renumbered in 2018), a digit missing, or a digit too many.
 */
export function invalidPhone(random: Random, national: string): string {
  const roll = random.float();
  if (roll < 0.5) return `01${random.between(2, 9)}${random.digits(8)}`;
  if (roll < 0.75) return `0${national.slice(0, 8)}`;
  return `0${national}${random.digits(1)}`;
}
