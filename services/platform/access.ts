/**
 * Who may call Truc: the access file (`TRUC_ACCESS_FILE`) lists, per principal, the SHA-256 hashes of
 * its API keys — never the keys. Sources may publish only their own kinds; operators may manage the
 * running system.
 *
 * {
 *   "sources":   { "vhd": ["sha256:<hex>", ...], ... },
 *   "operators": ["sha256:<hex>", ...]
 * }
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { SOURCES, sourceEntry } from './catalog.ts';

export type Principal = { type: 'source'; source: string } | { type: 'operator' };

export interface AccessFile {
  sources?: Record<string, string[]>;
  operators?: string[];
}

export class AccessFileError extends Error {
  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'AccessFileError';
  }
}

const HASH_PATTERN = /^sha256:[0-9a-f]{64}$/;

/** Keys are 256 random bits, so one fast hash is enough to make a stolen access file useless. */
export function hashKey(key: string): string {
  return `sha256:${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}

export function generateKey(): string {
  return `truc_${randomBytes(32).toString('base64url')}`;
}

export interface IssuedKeys {
  sources: Record<string, string>;
  operator: string;
}

/** Fresh keys for every source of the catalogue and one operator, with the access file that admits them. */
export function issueKeys(): { keys: IssuedKeys; file: AccessFile } {
  const keys: IssuedKeys = {
    sources: Object.fromEntries(SOURCES.map((source) => [source, generateKey()])),
    operator: generateKey(),
  };
  const file: AccessFile = {
    sources: Object.fromEntries(Object.entries(keys.sources).map(([source, key]) => [source, [hashKey(key)]])),
    operators: [hashKey(keys.operator)],
  };
  return { keys, file };
}

export class AccessPolicy {
  private readonly byHash = new Map<string, Principal>();

  constructor(file: AccessFile, origin = 'access file') {
    const add = (hash: unknown, where: string, principal: Principal) => {
      if (typeof hash !== 'string' || !HASH_PATTERN.test(hash)) {
        throw new AccessFileError(origin, `${where} must be "sha256:" followed by 64 lowercase hex digits`);
      }
      if (this.byHash.has(hash)) throw new AccessFileError(origin, `${where} repeats a key hash listed earlier`);
      this.byHash.set(hash, principal);
    };
    for (const [source, hashes] of Object.entries(file.sources ?? {})) {
      if (!sourceEntry(source)) throw new AccessFileError(origin, `sources.${source} is not a source of the catalogue`);
      if (!Array.isArray(hashes)) throw new AccessFileError(origin, `sources.${source} must be a list of key hashes`);
      hashes.forEach((hash, i) => add(hash, `sources.${source}[${i}]`, { type: 'source', source }));
    }
    if (file.operators !== undefined && !Array.isArray(file.operators)) {
      throw new AccessFileError(origin, 'operators must be a list of key hashes');
    }
    (file.operators ?? []).forEach((hash, i) => add(hash, `operators[${i}]`, { type: 'operator' }));
  }

  /** The principal a presented key belongs to, or null. Lookup is by hash, so no key is held in memory. */
  identify(key: string): Principal | null {
    return this.byHash.get(hashKey(key)) ?? null;
  }
}

export function loadAccessPolicy(file: string): AccessPolicy {
  if (!existsSync(file)) return new AccessPolicy({}, file);
  let parsed: AccessFile;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as AccessFile;
  } catch (error) {
    throw new AccessFileError(file, `not valid JSON (${(error as Error).message})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new AccessFileError(file, 'must hold a JSON object with "sources" and "operators"');
  }
  return new AccessPolicy(parsed, file);
}

/** The key of an `Authorization: Bearer <key>` header, or null. */
export function bearerKey(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match ? match[1]! : null;
}
