/**
 * First start of the local stack: with no access file yet, `npm start` makes one key per source and
 * an operator key, stores only their hashes in the access file, and writes the keys themselves to
 * a private file beside it so a developer can call the API at once (the stack does the same for
 * the schema registry's credentials: infra/stack/local-registry-credentials.ts). Production
 * deployments write their own access file and registry credentials (see README, "Access" and
 * "Schema registry") and never get these private files.
 */
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { issueKeys } from './platform/access.ts';

/** Returns the path of the keys file when it created one, null when an access file already existed. */
export function ensureLocalAccess(accessFile: string): string | null {
  if (existsSync(accessFile)) return null;
  const { keys, file } = issueKeys();
  mkdirSync(path.dirname(accessFile), { recursive: true });
  const keysFile = path.join(path.dirname(accessFile), 'local-keys.json');
  writeFileSync(keysFile, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  chmodSync(keysFile, 0o600);
  writeFileSync(accessFile, `${JSON.stringify(file, null, 2)}\n`);
  return keysFile;
}
