/**
 * Production deployments write their own registry credentials (see README, "Schema registry");
 * the local stack makes Truc's own on its first start.
 */
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseUserInfo, type SchemaRegistryConfig } from '../../services/platform/config.ts';
import { addRegistryCredential } from '../../services/schema-registry/credentials.ts';

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
