/**
 * The operator key the CLI asks the API with: TRUC_OPERATOR_KEY, or on a local stack the key
 * `npm start` issued (`.truc/local-keys.json`).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../platform/config.ts';

export function operatorKey(config: Config): string | null {
  if (process.env.TRUC_OPERATOR_KEY) return process.env.TRUC_OPERATOR_KEY;
  const file = path.join(path.dirname(config.api.accessFile), 'local-keys.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { operator: string }).operator : null;
}
