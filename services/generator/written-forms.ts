/**
 * How people and systems write the same thing differently: names in capitals or without
 * diacritics, province and district names abbreviated or aliased, plates and flight numbers in
 * lower case or spaced out. The canonical forms these normalise back to are in the truth.
 */
import { provinceByCode } from '../platform/provinces.ts';
import { provinceNames } from '../source-vocabulary/provinces.ts';
import { stripDiacritics } from '../source-vocabulary/text-key.ts';
import type { Random } from './random.ts';

/** Spellings of official names that lookups fold to the official one, seen on real forms. */
const SPELLING_VARIANTS: Readonly<Record<string, readonly string[]>> = {
  '46': ['Thừa Thiên - Huế', 'Thừa Thiên-Huế'],
  '77': ['Bà Rịa Vũng Tàu', 'Bà Rịa-Vũng Tàu'],
  '79': ['TP. Hồ Chí Minh', 'Tp.HCM', 'Thành phố Hồ Chí Minh'],
  '17': ['Hòa Bình'],
  '38': ['Thanh Hoá'],
  '56': ['Khánh Hoà'],
  '66': ['Dak Lak'],
};

/** A province name as someone typed it: official, without diacritics, other case, with a prefix, stray spaces, spelled differently or aliased. */
export function typedProvinceName(random: Random, code: string): string {
  const { official, aliases } = provinceNames(code);
  const roll = random.float();
  if (roll < 0.4) return official;
  if (roll < 0.54) return stripDiacritics(official);
  if (roll < 0.6) return random.chance(0.5) ? official.toUpperCase() : stripDiacritics(official).toLowerCase();
  if (roll < 0.7) {
    const city = provinceByCode(code)!.type === 'centrally-run city';
    const prefix = city ? random.pick(['TP ', 'TP. ', 'Thành phố ']) : random.pick(['Tỉnh ', 'tỉnh ']);
    return prefix + (random.chance(0.8) ? official : stripDiacritics(official));
  }
  if (roll < 0.74) return random.chance(0.5) ? `${official} ` : official.replace(' ', '  ');
  if (roll < 0.8 && SPELLING_VARIANTS[code]) return random.pick(SPELLING_VARIANTS[code]);
  if (aliases.length > 0) return random.pick(aliases);
  return official;
}

/** Names of provinces that no longer exist (split up in the 1990s): no 2021 province can be read from them. */
export const FORMER_PROVINCE_NAMES = ['Sông Bé', 'Minh Hải', 'Hà Sơn Bình', 'Nghĩa Bình', 'Hà Nam Ninh', 'Hà Bắc', 'Vĩnh Phú', 'Nghệ Tĩnh', 'Bình Trị Thiên', 'Hoàng Liên Sơn'];

const UNIT_ABBREVIATIONS: readonly [string, string][] = [
  ['Thị trấn', 'TT'], ['Quận', 'Q.'], ['Huyện', 'H.'], ['Phường', 'P.'], ['Xã', 'X.'], ['TP', 'TP.'], ['TX', 'TX.'],
];

/** A district or ward name as typed: "Quận 3" as "Q.3" or "Q3", "Quận Gò Vấp" as "Q. Gò Vấp" or "Gò Vấp", ... */
export function typedUnitName(random: Random, name: string): string {
  const roll = random.float();
  if (roll < 0.55) return name;
  const unit = UNIT_ABBREVIATIONS.find(([prefix]) => name.startsWith(`${prefix} `));
  if (!unit) return name;
  const rest = name.slice(unit[0].length + 1);
  if (roll < 0.65) return name.toLowerCase();
  if (/^\d+$/.test(rest)) return random.chance(0.5) ? `${unit[1]}${rest}` : `${unit[1].replace('.', '')}${rest}`;
  return random.chance(0.6) ? `${unit[1]} ${rest}` : rest;
}

/** A Vietnamese name as typed into a free form: mostly as is, sometimes in capitals, lower case or without diacritics. */
export function typedPersonName(random: Random, fullName: string): string {
  const roll = random.float();
  if (roll < 0.7) return fullName;
  if (roll < 0.82) return fullName.toUpperCase();
  if (roll < 0.94) return stripDiacritics(fullName);
  return fullName.toLowerCase();
}

/** A name in capitals, as vhd and the C06 database hold it; vhd users sometimes leave out the diacritics. */
export function capitalName(random: Random, fullName: string, withoutDiacritics: number): string {
  const upper = fullName.toUpperCase();
  return random.chance(withoutDiacritics) ? stripDiacritics(upper) : upper;
}

/** A flight number, train number or plate as typed: sometimes lower case, sometimes spaced around the dash. */
export function typedVehicleCode(random: Random, code: string): string {
  const roll = random.float();
  if (roll < 0.85) return code;
  if (roll < 0.95) return code.toLowerCase();
  return code.replace('-', ' - ');
}

/** The canonical form of a vehicle code or plate: trimmed, upper case, no spaces around '-' and '.'. */
export function canonicalVehicleCode(text: string): string {
  return text.trim().toUpperCase().replace(/\s*([-.])\s*/g, '$1');
}

/** "Nguyễn Văn An", born 1989 → "nguyenvanan89@gmail.com". */
export function emailOf(fullName: string, birthYear: number): string {
  return `${stripDiacritics(fullName).toLowerCase().replace(/[^a-z]/g, '')}${String(birthYear % 100).padStart(2, '0')}@${birthYear % 3 === 0 ? 'yahoo.com' : 'gmail.com'}`;
}

