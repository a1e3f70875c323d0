/**
 * What a CCCD number (12-digit citizen identity card) says about its holder: digits
 * 1–3 are 0 + the GSO code of the province where the birth was registered, digit 4 encodes the
 * century of birth and the sex (0/1 for 1900–1999 male/female, 2/3 for 2000–2099, then 4/5, 6/7
 * for the 2100s and 2200s and 8/9 for the 1800s), digits 5–6 are the last two digits of the birth
 * year, and the last six are a serial number.
 */

export type RegisteredSex = 'MALE' | 'FEMALE';

export interface CccdFacts {
  provinceCode: string;
  sex: RegisteredSex;
  birthYear: number;
}

const CCCD_SHAPE = /^0\d{11}$/;

/** The century index (0 for the 1900s … 4 for the 1800s) of a birth year, as digit 4 counts them. */
function centuryIndex(birthYear: number): number {
  return (((Math.floor(birthYear / 100) - 19) % 5) + 5) % 5;
}

/** The first six digits of the CCCD of a person born in `birthYear`, registered in `provinceCode`. */
export function cccdPrefix(provinceCode: string, sex: RegisteredSex, birthYear: number): string {
  const centuryAndSex = 2 * centuryIndex(birthYear) + (sex === 'FEMALE' ? 1 : 0);
  return `0${provinceCode}${centuryAndSex}${String(birthYear % 100).padStart(2, '0')}`;
}

/** What a CCCD number (digits only) encodes, or null when it is not 12 digits starting with 0. */
export function decodeCccd(number: string): CccdFacts | null {
  if (!CCCD_SHAPE.test(number)) return null;
  const digit = Number(number[3]);
  const century = [1900, 2000, 2100, 2200, 1800][Math.floor(digit / 2)]!;
  return {
    provinceCode: number.slice(1, 3),
    sex: digit % 2 === 0 ? 'MALE' : 'FEMALE',
    birthYear: century + Number(number.slice(4, 6)),
  };
}
