/**
 * Nationalities to ISO 3166-1 alpha-2 codes: country names and codes of the sources' lists
 * (`COUNTRY_NAMES`, shared with the generator), or any other two-letter code as the ISO code it is.
 * What a source means when it leaves the field out differs: vhd, ncovi and C06 mean Vietnamese,
 * PC-Covid says nothing.
 */
import { COUNTRY_NAMES } from '../../../source-vocabulary/nationalities.ts';
import { QUALITY_FLAGS, type QualityFlags } from './quality-flags.ts';
import { text } from './text.ts';

export const VIETNAMESE = 'VN';

const ISO_CODE = /^[A-Za-z]{2}$/;

/** The ISO code of a written nationality; `whenAbsent` when none was written; null (flagged) for a name no list has. */
export function nationalityOf(written: unknown, whenAbsent: string | null, flags: QualityFlags): string | null {
  const nationality = text(written);
  if (nationality === null) return whenAbsent;
  const code = COUNTRY_NAMES.canonical(nationality) ?? (ISO_CODE.test(nationality) ? nationality.toUpperCase() : undefined);
  if (code === undefined) {
    flags.add(QUALITY_FLAGS.nationalityUnknown);
    return null;
  }
  return code;
}
