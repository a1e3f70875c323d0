/**
 * Who may use Truc's schema registry: a JSON file (SCHEMA_REGISTRY_CREDENTIALS_FILE) listing, per
 * user, the SHA-256 hashes of its passwords — never the passwords:
 *
 * { "writers": { "truc": ["sha256:<hex>"] }, "readers": { "bi-tool": ["sha256:<hex>", ...] } }
 *
 * Writers may also read; readers only read. Several hashes per user let a password be rotated
 * without downtime. The file is followed: added and revoked credentials apply within seconds.
 */
import { timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateKey, hashKey } from '../platform/access.ts';
import type { Logger } from '../platform/logger.ts';

export type RegistryRole = 'reader' | 'writer';

export interface RegistryCredentialsFile {
  writers?: Record<string, string[]>;
  readers?: Record<string, string[]>;
}

/** HTTP Basic forbids ':' in a user name; the rest keeps names printable and loggable. */
const USER_PATTERN = /^[A-Za-z0-9._@-]{1,128}$/;
const HASH_PATTERN = /^sha256:[0-9a-f]{64}$/;

export class RegistryCredentialsError extends Error {
  constructor(origin: string, problem: string) {
    super(`${origin}: ${problem}`);
    this.name = 'RegistryCredentialsError';
  }
}

export class RegistryCredentials {
  private readonly users = new Map<string, { role: RegistryRole; hashes: Buffer[] }>();

  constructor(file: RegistryCredentialsFile, origin = 'schema registry credentials') {
    if (file === null || typeof file !== 'object' || Array.isArray(file)) {
      throw new RegistryCredentialsError(origin, 'must hold a JSON object with "writers" and "readers"');
    }
    for (const [section, role] of [['writers', 'writer'], ['readers', 'reader']] as const) {
      const entries = file[section] ?? {};
      if (entries === null || typeof entries !== 'object' || Array.isArray(entries)) {
        throw new RegistryCredentialsError(origin, `${section} must be an object of user name to a list of password hashes`);
      }
      for (const [user, hashes] of Object.entries(entries)) {
        if (!USER_PATTERN.test(user)) {
          throw new RegistryCredentialsError(origin, `${section}.${JSON.stringify(user)}: a user name is 1 to 128 letters, digits, '.', '_', '@' or '-'`);
        }
        if (this.users.has(user)) throw new RegistryCredentialsError(origin, `${section}.${user}: the user is listed twice`);
        if (!Array.isArray(hashes) || hashes.length === 0) {
          throw new RegistryCredentialsError(origin, `${section}.${user} must be a non-empty list of password hashes`);
        }
        hashes.forEach((hash, i) => {
          if (typeof hash !== 'string' || !HASH_PATTERN.test(hash)) {
            throw new RegistryCredentialsError(origin, `${section}.${user}[${i}] must be "sha256:" followed by 64 lowercase hex digits`);
          }
        });
        this.users.set(user, { role, hashes: hashes.map((hash: string) => Buffer.from(hash)) });
      }
    }
  }

  /** The role of a user presenting this password, or null. */
  authenticate(username: string, password: string): RegistryRole | null {
    const presented = Buffer.from(hashKey(password));
    const user = this.users.get(username);
    if (!user) return null;
    // Every hash is compared, so the time taken does not tell which one matched.
    let matched = false;
    for (const hash of user.hashes) matched = timingSafeEqual(hash, presented) || matched;
    return matched ? user.role : null;
  }

  has(username: string): boolean {
    return this.users.has(username);
  }
}

function parseJson(text: string, origin: string): RegistryCredentialsFile {
  try {
    return JSON.parse(text) as RegistryCredentialsFile;
  } catch (error) {
    throw new RegistryCredentialsError(origin, `not valid JSON (${(error as Error).message})`);
  }
}

export function parseRegistryCredentials(text: string, origin: string): RegistryCredentials {
  return new RegistryCredentials(parseJson(text, origin), origin);
}

/** A fresh password (256 random bits) for a user, as the client's `user:password` and the file's hash. */
export function issueRegistryCredential(user: string): { userInfo: string; hash: string } {
  if (!USER_PATTERN.test(user)) throw new RegistryCredentialsError('user name', `${JSON.stringify(user)} is not a valid user name`);
  const password = generateKey();
  return { userInfo: `${user}:${password}`, hash: hashKey(password) };
}

export interface AddedCredential {
  user: string;
  role: RegistryRole;
  /** Drop the user's other passwords (and another role), as when a rotation is finished. */
  replace: boolean;
  /** A chosen password; by default a fresh 256-bit one is issued. */
  password?: string;
}

/**
 * Adds a password for a user to the credentials file (created when absent) and returns the
 * client's `user:password`.
 */
export function addRegistryCredential(file: string, added: AddedCredential): string {
  const { user, role } = added;
  const issued = added.password === undefined ? issueRegistryCredential(user) : { userInfo: `${user}:${added.password}`, hash: hashKey(added.password) };
  const current = existsSync(file) ? parseJson(readFileSync(file, 'utf8'), file) : {};
  // Checked before it is changed: an edit never builds on a file the registry would refuse.
  new RegistryCredentials(current, file);
  const writers = { ...current.writers };
  const readers = { ...current.readers };
  const [own, other] = role === 'writer' ? [writers, readers] : [readers, writers];
  if (other[user] !== undefined && !added.replace) {
    throw new RegistryCredentialsError(file, `${user} is a ${role === 'writer' ? 'reader' : 'writer'}; replace its credentials to change its role`);
  }
  delete other[user];
  own[user] = added.replace ? [issued.hash] : [...(own[user] ?? []), issued.hash];
  const next: RegistryCredentialsFile = { writers, readers };
  new RegistryCredentials(next, file);
  writeCredentialsFile(file, next);
  return issued.userInfo;
}

/** Removes a user (of either role) from the credentials file; false when it was not there. */
export function removeRegistryCredential(file: string, user: string): boolean {
  if (!existsSync(file)) return false;
  const current = parseJson(readFileSync(file, 'utf8'), file);
  new RegistryCredentials(current, file);
  const writers = { ...current.writers };
  const readers = { ...current.readers };
  if (writers[user] === undefined && readers[user] === undefined) return false;
  delete writers[user];
  delete readers[user];
  writeCredentialsFile(file, { writers, readers });
  return true;
}

/** The file is written whole and renamed into place, so a registry following it never reads half of it. */
function writeCredentialsFile(file: string, next: RegistryCredentialsFile): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(next, null, 2)}\n`);
  renameSync(temporary, file);
}

const RECHECK_MS = 1_000;

/**
 * The credentials file as it is now: checked for changes at most once a second, on use. A file
 * that becomes unreadable or invalid keeps the last valid credentials in force (and is logged), so
 * a half-written edit does not lock every client out.
 */
export function followRegistryCredentials(file: string, logger: Logger): () => RegistryCredentials {
  if (!existsSync(file)) {
    throw new RegistryCredentialsError(file, 'does not exist; the registry admits no one without it (npm run truc -- registry-credential <user> makes it)');
  }
  const signature = () => {
    const stat = statSync(file);
    return `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
  };
  let seen = signature();
  let current = parseRegistryCredentials(readFileSync(file, 'utf8'), file);
  let checkedAt = Date.now();
  return () => {
    if (Date.now() - checkedAt < RECHECK_MS) return current;
    checkedAt = Date.now();
    try {
      const now = signature();
      if (now !== seen) {
        // Noted first: a broken edit is reported once, and the next edit is read again.
        seen = now;
        current = parseRegistryCredentials(readFileSync(file, 'utf8'), file);
        logger.info({ file }, 'schema registry credentials reloaded');
      }
    } catch (error) {
      logger.error({ err: error }, 'schema registry credentials file unusable; the previous credentials stay in force');
    }
    return current;
  };
}
