/**
 * The analyst user of the read-only endpoint. Its password comes from CLICKHOUSE_ANALYST_PASSWORD,
 * else from a file (CLICKHOUSE_ANALYST_PASSWORD_FILE) which a local stack creates once with random
 * bytes; `truc sql` reads the same place. Checks hash both sides and compare the digests in
 * constant time, so neither the name nor the password leaks through timing.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ClickHouseEndpointConfig } from '../platform/config.ts';

export interface AnalystCredentials {
  user: string;
  password: string;
}

/** The configured password; without one, the password file (created when `createIfMissing`). */
export function loadAnalystCredentials(config: ClickHouseEndpointConfig, createIfMissing: boolean): AnalystCredentials {
  if (config.password !== null) return { user: config.user, password: config.password };
  const file = config.passwordFile;
  if (!existsSync(file)) {
    if (!createIfMissing) {
      throw new Error(`no analyst password: set CLICKHOUSE_ANALYST_PASSWORD or create ${file} (12+ characters)`);
    }
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `${randomBytes(24).toString('base64url')}\n`, { mode: 0o600 });
  }
  const password = readFileSync(file, 'utf8').trim();
  if (password.length < 12) throw new Error(`${file}: the analyst password must be at least 12 characters`);
  return { user: config.user, password };
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

export function credentialsChecker(expected: AnalystCredentials): (user: string, password: string) => boolean {
  const userDigest = digest(expected.user);
  const passwordDigest = digest(expected.password);
  return (user, password) => {
    // Both comparisons always run, so a wrong name takes as long as a wrong password.
    const userMatches = timingSafeEqual(userDigest, digest(user));
    const passwordMatches = timingSafeEqual(passwordDigest, digest(password));
    return userMatches && passwordMatches;
  };
}
