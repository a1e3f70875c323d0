/**
 * Province names as sources write them (ncovi `tinh_thanh`, the checkpoint registry's `tinh_tp`):
 * the official names of the 63 provinces of 2021 (`services/platform/provinces.ts`), any case, with or
 * without diacritics, with or without a "Tỉnh" / "Thành phố" / "TP" prefix, plus the short forms
 * and old names people use ("TP HCM", "Sài Gòn", "HN", "TT Huế", "BR-VT").
 */
import { PROVINCES, provinceByCode } from '../platform/provinces.ts';
import { foldKey } from './text-key.ts';

/** Other names in use, by GSO code; spelling variants that only differ in diacritics, case or punctuation need no entry. */
export const PROVINCE_ALIASES: Readonly<Record<string, readonly string[]>> = {
  '01': ['HN', 'Thủ đô Hà Nội'],
  '06': ['Bắc Cạn'],
  '31': ['HP'],
  '46': ['TT Huế', 'Huế', 'Thừa Thiên'],
  '62': ['Kontum'],
  '66': ['Đăk Lăk', 'Daklak'],
  '67': ['Đăk Nông', 'Daknong'],
  '77': ['BR-VT', 'BRVT', 'Vũng Tàu'],
  '79': ['TP HCM', 'TPHCM', 'HCM', 'Sài Gòn', 'Saigon', 'SG'],
};

/** Prefixes written before a province name ("Tỉnh Bình Dương", "TP. Đà Nẵng"), as written. */
export const PROVINCE_PREFIXES: readonly string[] = ['Tỉnh', 'Thành phố', 'TP', 'TP.', 'Tp.'];

const PREFIX_KEYS = [...new Set(PROVINCE_PREFIXES.map(foldKey))].sort((a, b) => b.length - a.length);

const codeByKey = new Map<string, string>();
for (const province of PROVINCES) {
  for (const name of [province.name, ...(PROVINCE_ALIASES[province.code] ?? [])]) {
    const key = foldKey(name);
    const earlier = codeByKey.get(key);
    if (earlier !== undefined && earlier !== province.code) throw new Error(`province name ${JSON.stringify(name)} stands for ${earlier} and ${province.code}`);
    codeByKey.set(key, province.code);
  }
}

/** The GSO code of a province name as written, or undefined when it names no province of 2021. */
export function provinceCodeFromName(name: string): string | undefined {
  const key = foldKey(name);
  const direct = codeByKey.get(key);
  if (direct !== undefined) return direct;
  for (const prefix of PREFIX_KEYS) {
    if (key.startsWith(`${prefix} `)) return codeByKey.get(key.slice(prefix.length + 1));
  }
  return undefined;
}

/** The official name of a province (with diacritics) and its aliases, for writing it as a source would. */
export function provinceNames(code: string): { official: string; aliases: readonly string[] } {
  const province = provinceByCode(code);
  if (!province) throw new Error(`no province with GSO code ${code}`);
  return { official: province.name, aliases: PROVINCE_ALIASES[code] ?? [] };
}
