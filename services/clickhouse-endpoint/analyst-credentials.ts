/**
 * Who may log in to the analysts' endpoint. Accounts come from the access file's "analysts"
 * section (salted scrypt hashes, several per analyst for rotation), read through a getter so a
 * reloaded access file takes effect at the next login. Without that section, the one local
 * analyst of the configuration is the account: CLICKHOUSE_ANALYST_USER with
 * CLICKHOUSE_ANALYST_PASSWORD, else a password file (CLICKHOUSE_ANALYST_PASSWORD_FILE) which a local
 * stack creates once with random bytes; `truc sql` logs in with the same configuration.
 *
 * scrypt is slow on purpose, so a successful check is remembered for a few minutes under a keyed
 * digest of (name, password, stored hash): the password itself is never kept, and a removed hash
 * is no longer matched at the next request.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ClickHouseEndpointConfig } from '../platform/config.ts';
import { hashPassword, verifyPassword } from '../platform/password-hash.ts';

export interface AnalystCredentials {
  user: string;
  password: string;
}

/** Analyst name → scrypt hashes of the passwords; null means "no accounts listed: use the local analyst". */
export type AnalystAccounts = () => ReadonlyMap<string, readonly string[]> | null;

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

const REMEMBER_MS = 5 * 60_000;
const REMEMBERED_MAX = 10_000;

export class AnalystAuthenticator {
  private readonly accounts: AnalystAccounts;
  private readonly local: ReadonlyMap<string, readonly string[]>;
  private readonly cacheKey = randomBytes(32);
  private readonly remembered = new Map<string, number>();
  /** Checked against for an unknown name, so it takes as long as a wrong password. */
  private readonly decoy: string;

  private constructor(accounts: AnalystAccounts, local: ReadonlyMap<string, readonly string[]>, decoy: string) {
    this.accounts = accounts;
    this.local = local;
    this.decoy = decoy;
  }

  static async create(accounts: AnalystAccounts, local: AnalystCredentials): Promise<AnalystAuthenticator> {
    return new AnalystAuthenticator(accounts, new Map([[local.user, [await hashPassword(local.password)]]]), await hashPassword(randomBytes(16).toString('hex')));
  }

  /** True when `password` is one of `user`'s current passwords. */
  async verify(user: string, password: string): Promise<boolean> {
    const hashes = (this.accounts() ?? this.local).get(user);
    if (hashes === undefined) {
      await verifyPassword(password, this.decoy);
      return false;
    }
    const now = Date.now();
    for (const stored of hashes) {
      const key = createHmac('sha256', this.cacheKey).update(`${user}\u0000${password}\u0000${stored}`).digest('base64');
      if ((this.remembered.get(key) ?? 0) > now) return true;
      if (await verifyPassword(password, stored)) {
        if (this.remembered.size >= REMEMBERED_MAX) this.remembered.clear();
        this.remembered.set(key, now + REMEMBER_MS);
        return true;
      }
    }
    return false;
  }
}
