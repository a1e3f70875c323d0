/**
 * First start of the local stack: with no access file yet, `npm start` makes one key per source and
 * an operator key, stores only their hashes in the access file, and writes the keys themselves to
 * a private file beside it so a developer can call the API at once; likewise for the schema
 * registry's credentials. Production deployments write their own access file and registry
 * credentials (see README, "Access" and "Schema registry") and never get these private files.
 */
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { issueKeys } from './platform/access.ts';
import { parseUserInfo, type SchemaRegistryConfig } from './platform/config.ts';
import { addRegistryCredential } from './schema-registry/credentials.ts';

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

/**
 * First start of the local stack's registry: with no credentials file yet, one writer credential
 * for Truc's own clients — the hash in the registry's credentials file, `user:password` in the
 * private user-info file every client reads. When SCHEMA_REGISTRY_USER_INFO is set, that is the
 * credential admitted. Returns whether it created the file.
 */
export function ensureLocalRegistryCredentials(config: SchemaRegistryConfig): boolean {
  if (existsSync(config.credentialsFile)) return false;
  const given = config.userInfo === null ? null : parseUserInfo(config.userInfo);
  if (given) {
    addRegistryCredential(config.credentialsFile, { user: given.username, role: 'writer', replace: true, password: given.password });
    return true;
  }
  const userInfo = addRegistryCredential(config.credentialsFile, { user: 'truc', role: 'writer', replace: true });
  mkdirSync(path.dirname(config.userInfoFile), { recursive: true });
  writeFileSync(config.userInfoFile, `${userInfo}\n`, { mode: 0o600 });
  chmodSync(config.userInfoFile, 0o600);
  return true;
}
