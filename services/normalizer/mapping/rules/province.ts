/**
 * Provinces to their 2-digit GSO code, whether the source writes a code ("01", "1") or a name in any
 * spelling ("Hà Nội", "ha noi", "TP HCM", "Sài Gòn", "Thừa Thiên - Huế", "BR-VT": the aliases of
 * `provinceCodeFromName`, shared with the generator).
 *
 * The province a record is about (a residence, a journey's destination, a reported place, the city
 * running a hotline, a checkpoint's province) must be known: the record is routed and filtered by
 * it, so an unknown one fails the record. A secondary place (a journey's origin) is only
 * information: unknown, it becomes null with a flag, as the canonical schema's doc says.
 */
import { provinceByCode } from '../../../platform/provinces.ts';
import { provinceCodeFromName } from '../../../source-vocabulary/provinces.ts';
import { ERROR_CLASSES, MappingProblem } from './problem.ts';
import { QUALITY_FLAGS, type QualityFlags } from './quality-flags.ts';
import { text } from './text.ts';

const WRITTEN_CODE = /^\d{1,2}$/;

/** The GSO code of a province written as a code or a name; undefined when it names no province of 2021. */
export function provinceCodeOf(written: string): string | undefined {
  const trimmed = written.trim();
  if (WRITTEN_CODE.test(trimmed)) {
    const code = trimmed.padStart(2, '0');
    return provinceByCode(code) ? code : undefined;
  }
  return provinceCodeFromName(trimmed);
}

/** The code of the province the record is about; fails with UnknownProvince when it names none. */
export function requiredProvince(written: unknown, path: string): string {
  const province = text(written);
  const code = province === null ? undefined : provinceCodeOf(province);
  if (code === undefined) throw new MappingProblem(ERROR_CLASSES.unknownProvince, path, 'names no province of 2021 (by GSO code or name)');
  return code;
}

/** The code of a secondary province; null when none was written, or (flagged PROVINCE_UNKNOWN) when it names none. */
export function secondaryProvince(written: unknown, flags: QualityFlags): string | null {
  const province = text(written);
  if (province === null) return null;
  const code = provinceCodeOf(province);
  if (code === undefined) {
    flags.add(QUALITY_FLAGS.provinceUnknown);
    return null;
  }
  return code;
}
