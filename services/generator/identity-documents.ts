/**
 * Identity document numbers consistent with their holder: CCCD numbers encoding province of
 * birth registration, sex and birth year; 9-digit CMND numbers; passport numbers in the shape of
 * each country's passports.
 */
import type { DocumentType } from '../../schemas/kinds/canonical-values.ts';
import { cccdPrefix, type RegisteredSex } from '../source-vocabulary/cccd.ts';
import type { Random } from './random.ts';

export interface IdentityDocument {
  type: Exclude<DocumentType, 'OTHER'>;
  /** Digits only for CCCD and CMND; upper case for passports. */
  number: string;
}

export function cccdNumber(random: Random, provinceCode: string, sex: RegisteredSex, birthYear: number): string {
  return cccdPrefix(provinceCode, sex, birthYear) + random.digits(6);
}

/** Old 9-digit identity cards; their first digits also loosely follow the province, which nothing checks. */
export function cmndNumber(random: Random): string {
  return String(random.between(0, 3)) + random.digits(8);
}

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** A passport number shaped like the country's: Vietnamese B1234567, Korean M12345678, Japanese TK1234567, ... */
export function passportNumber(random: Random, nationality: string): string {
  switch (nationality) {
    case 'VN':
      return random.pick(['B', 'C', 'N']) + random.digits(7);
    case 'KR':
      return 'M' + random.digits(8);
    case 'CN':
      return 'E' + random.digits(8);
    case 'JP':
      return random.pick(['TK', 'TR', 'TZ', 'MU']) + random.digits(7);
    case 'TH':
      return random.chars(UPPER, 2) + random.digits(7);
    case 'FR':
      return random.digits(2) + random.chars(UPPER, 2) + random.digits(5);
    case 'DE':
      return 'C' + random.chars('CFGHJKLMNPRTVWXYZ0123456789', 8);
    case 'IN':
    case 'AU':
      return random.chars(UPPER, 1) + random.digits(7);
    default:
      return random.digits(9);
  }
}

/** A CCCD or CMND number as people type it: mostly plain, sometimes grouped by spaces or dots. */
export function typedDocumentNumber(random: Random, document: IdentityDocument): string {
  if (document.type === 'PASSPORT') return document.number;
  const roll = random.float();
  if (roll < 0.85) return document.number;
  const groups = document.number.match(/.{3}/g)!;
  return groups.join(roll < 0.93 ? ' ' : '.');
}
