/**
 * The credentials Truc's own clients present to the schema registry (HTTP Basic, as Confluent's
 * clients do with `basic.auth.credentials.source=USER_INFO`). One setting serves every client: the
 * serde, schema registration, the normalizer, the sinks, the CLI and the tests.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseUserInfo, type BasicCredentials, type SchemaRegistryConfig } from './config.ts';

export type RegistryClientConfig = Pick<SchemaRegistryConfig, 'url' | 'userInfo' | 'userInfoFile'>;

/**
 * SCHEMA_REGISTRY_USER_INFO, else the user-info file when it exists, else null (a registry that
 * needs no credentials). A file that exists but does not hold `user:password` is an error: silently
 * going without credentials would only surface later as 401s.
 */
export function registryClientCredentials(config: RegistryClientConfig): BasicCredentials | null {
  if (config.userInfo !== null) return parseUserInfo(config.userInfo);
  if (!existsSync(config.userInfoFile)) return null;
  const credentials = parseUserInfo(readFileSync(config.userInfoFile, 'utf8').trim());
  if (credentials === null) throw new Error(`${config.userInfoFile} must hold the schema registry credentials as user:password`);
  return credentials;
}

export function basicAuthorization(credentials: BasicCredentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8').toString('base64')}`;
}

/** Headers for a plain HTTP call to the registry: the Authorization header when Truc has credentials. */
export function registryHeaders(config: RegistryClientConfig): Record<string, string> {
  const credentials = registryClientCredentials(config);
  return credentials ? { authorization: basicAuthorization(credentials) } : {};
}
