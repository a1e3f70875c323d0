/**
 * The 63 province-level units of 2021 with their 2-digit GSO codes (`schemas/reference/
 * provinces-2021.json`, a copy of the centre's reference data, kept in the repository because
 * every deployment needs it).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SCHEMAS_DIR } from './schema-files.ts';

export interface Province {
  code: string;
  name: string;
  type: 'province' | 'centrally-run city';
}

const file = JSON.parse(readFileSync(path.join(SCHEMAS_DIR, 'reference/provinces-2021.json'), 'utf8')) as { provinces: Province[] };

export const PROVINCES: readonly Province[] = file.provinces;

const byCode = new Map(PROVINCES.map((province) => [province.code, province]));

export function provinceByCode(code: string): Province | undefined {
  return byCode.get(code);
}
