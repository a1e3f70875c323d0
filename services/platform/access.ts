/**
 * Who may call Truc: the access file (`TRUC_ACCESS_FILE`) lists, per principal, the SHA-256 hashes of
 * its API keys — never the keys. Sources may publish only their own kinds; operators may manage the
 * running system.
 *
 * {
 *   "sources":   { "vhd": ["sha256:<hex>", ...], ... },
 *   "operators": ["sha256:<hex>", ...],
 *   "agencies":  { "cdc-hanoi": { "keys": ["sha256:<hex>"], "kinds": ["health-declaration"] or "all",
 *                                 "provinces": ["01"] or "all", "tier": "pseudonymous" }, ... },
 *   "analysts":  { "epi-lan": { "passwords": ["scrypt:<N>:<r>:<p>:<salt>:<hash>", ...], "rowLevel": false }, ... }
 * }
 *
 * An agency (a subscriber: provincial CDC, police, ministry) sees only its entitlement: those kinds,
 * those provinces, and at most its tier of fields (`identified`: all; `pseudonymous`: no name,
 * document, phone or address line). "agencies" is optional, so access files written before it still load.
 * An analyst logs in to the ClickHouse endpoint with a name and a password; the file holds salted
 * scrypt hashes of the passwords (platform/password-hash.ts), several per analyst so a password can
 * be rotated: add the new hash, hand out the password, remove the old hash.
 *
 * Running processes follow the file (watchAccessPolicy): added and revoked keys apply within about a
 * second, without a restart. A new version that does not load is logged with the place of its
 * problem, and the previous good version stays in force.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { jsonErrorPlace } from './json-error-place.ts';
import type { Logger } from './logger.ts';
import { KINDS, SOURCES, isKind, sourceEntry, type Kind } from './catalog.ts';
import { PASSWORD_HASH_PATTERN } from './password-hash.ts';
import { provinceByCode } from './provinces.ts';

export const TIERS = ['pseudonymous', 'identified'] as const;
export type Tier = (typeof TIERS)[number];

/** What an agency may see. `provinces: 'all'` includes records without a province. */
export interface Entitlement {
  kinds: readonly Kind[];
  provinces: readonly string[] | 'all';
  tier: Tier;
}

export type Principal =
  | { type: 'source'; source: string }
  | { type: 'operator' }
  | { type: 'agency'; agency: string; entitlement: Entitlement };

export interface AgencyEntry {
  keys: string[];
  kinds: string[] | 'all';
  provinces: string[] | 'all';
  tier: string;
}

export interface AnalystEntry {
  passwords: string[];
  /** Granted the tables of one row per record (README, "Small cells"); by default only aggregates and the protected views. */
  rowLevel?: boolean;
}

export interface AccessFile {
  sources?: Record<string, string[]>;
  operators?: string[];
  agencies?: Record<string, AgencyEntry>;
  analysts?: Record<string, AnalystEntry>;
}

/** Analyst names are ClickHouse user names (they appear in `currentUser()` and the query log). */
export const ANALYST_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

/** Agency ids name Kafka topics (`out.<agency>.<kind>`) and consumer groups, so they stay plain. */
export const AGENCY_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** True when `wanted` is no more than `allowed` (pseudonymous < identified). */
export function tierWithin(wanted: Tier, allowed: Tier): boolean {
  return TIERS.indexOf(wanted) <= TIERS.indexOf(allowed);
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

  private readonly agencies = new Map<string, Entitlement>();

  /** Analyst name → scrypt hashes of the passwords; null when the file has no "analysts" section. */
  private readonly analystPasswords: ReadonlyMap<string, readonly string[]> | null;

  /** Analysts granted the row-level tables. */
  private readonly rowLevel: ReadonlySet<string>;

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
    if (file.agencies !== undefined && (file.agencies === null || typeof file.agencies !== 'object' || Array.isArray(file.agencies))) {
      throw new AccessFileError(origin, 'agencies must be an object of agency id to entry');
    }
    for (const [agency, entry] of Object.entries(file.agencies ?? {})) {
      const entitlement = parseAgency(agency, entry, origin);
      this.agencies.set(agency, entitlement);
      entry.keys.forEach((hash, i) => add(hash, `agencies.${agency}.keys[${i}]`, { type: 'agency', agency, entitlement }));
    }
    const analysts = file.analysts === undefined ? null : parseAnalysts(file.analysts, origin);
    this.analystPasswords = analysts && analysts.passwords;
    this.rowLevel = analysts?.rowLevel ?? new Set();
  }

  /** The analysts' accounts, or null when the access file has no "analysts" section. */
  analysts(): ReadonlyMap<string, readonly string[]> | null {
    return this.analystPasswords;
  }

  /** Whether the analyst of the access file may read the row-level tables. */
  analystRowLevel(name: string): boolean {
    return this.rowLevel.has(name);
  }

  /** An agency's entitlement, or undefined when the access file does not list it. */
  agency(id: string): Entitlement | undefined {
    return this.agencies.get(id);
  }

  agencyIds(): string[] {
    return [...this.agencies.keys()];
  }

  /** The principal a presented key belongs to, or null. Lookup is by hash, so no key is held in memory. */
  identify(key: string): Principal | null {
    return this.byHash.get(hashKey(key)) ?? null;
  }
}

function parseAgency(agency: string, entry: AgencyEntry, origin: string): Entitlement {
  const where = `agencies.${agency}`;
  if (!AGENCY_ID_PATTERN.test(agency)) {
    throw new AccessFileError(origin, `${where}: an agency id must be 1 to 63 lowercase letters, digits or '-' (it names Kafka topics)`);
  }
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
    throw new AccessFileError(origin, `${where} must be an object with keys, kinds, provinces and tier`);
  }
  if (!Array.isArray(entry.keys) || entry.keys.length === 0) throw new AccessFileError(origin, `${where}.keys must be a non-empty list of key hashes`);
  let kinds: Kind[];
  if (entry.kinds === 'all') kinds = [...KINDS];
  else if (Array.isArray(entry.kinds) && entry.kinds.length > 0) {
    entry.kinds.forEach((kind, i) => {
      if (typeof kind !== 'string' || !isKind(kind)) throw new AccessFileError(origin, `${where}.kinds[${i}]=${JSON.stringify(kind)} is not a canonical kind (${KINDS.join(', ')})`);
    });
    kinds = [...new Set(entry.kinds as Kind[])];
  } else throw new AccessFileError(origin, `${where}.kinds must be "all" or a non-empty list of canonical kinds`);
  let provinces: string[] | 'all';
  if (entry.provinces === 'all') provinces = 'all';
  else if (Array.isArray(entry.provinces) && entry.provinces.length > 0) {
    entry.provinces.forEach((code, i) => {
      if (typeof code !== 'string' || !provinceByCode(code)) throw new AccessFileError(origin, `${where}.provinces[${i}]=${JSON.stringify(code)} is not a 2-digit GSO province code of 2021`);
    });
    provinces = [...new Set(entry.provinces)];
  } else throw new AccessFileError(origin, `${where}.provinces must be "all" or a non-empty list of 2-digit province codes`);
  if (!(TIERS as readonly string[]).includes(entry.tier)) throw new AccessFileError(origin, `${where}.tier must be one of ${TIERS.join(', ')}`);
  return { kinds, provinces, tier: entry.tier as Tier };
}

function parseAnalysts(analysts: unknown, origin: string): { passwords: Map<string, string[]>; rowLevel: Set<string> } {
  if (analysts === null || typeof analysts !== 'object' || Array.isArray(analysts)) {
    throw new AccessFileError(origin, 'analysts must be an object of analyst name to { "passwords": [...] }');
  }
  const accounts = new Map<string, string[]>();
  const rowLevel = new Set<string>();
  for (const [name, entry] of Object.entries(analysts as Record<string, unknown>)) {
    const where = `analysts.${name}`;
    if (!ANALYST_NAME_PATTERN.test(name)) throw new AccessFileError(origin, `${where}: a name must be 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or '_'`);
    const passwords = (entry as AnalystEntry | null)?.passwords;
    if (!Array.isArray(passwords) || passwords.length === 0) throw new AccessFileError(origin, `${where}.passwords must be a non-empty list of password hashes`);
    passwords.forEach((hash, i) => {
      if (typeof hash !== 'string' || !PASSWORD_HASH_PATTERN.test(hash)) {
        throw new AccessFileError(origin, `${where}.passwords[${i}] must be "scrypt:N:r:p:<salt>:<hash>" (made by truc analyst-password), never a password`);
      }
    });
    accounts.set(name, [...passwords] as string[]);
    const granted = (entry as AnalystEntry).rowLevel;
    if (granted !== undefined && typeof granted !== 'boolean') throw new AccessFileError(origin, `${where}.rowLevel must be true or false`);
    if (granted) rowLevel.add(name);
  }
  return { passwords: accounts, rowLevel };
}

/** The policy of an access file's text; `file` names it in errors. */
export function parseAccessPolicy(text: string, file: string): AccessPolicy {
  const broken = jsonErrorPlace(text);
  if (broken) throw new AccessFileError(file, `not valid JSON at line ${broken.line}, column ${broken.column} (${broken.found})`);
  const parsed = JSON.parse(text) as AccessFile;
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new AccessFileError(file, 'must hold a JSON object with "sources", "operators" and optionally "agencies"');
  }
  return new AccessPolicy(parsed, file);
}

/** The access file as it is now; a missing file admits nobody. */
export function loadAccessPolicy(file: string): AccessPolicy {
  if (!existsSync(file)) return new AccessPolicy({}, file);
  return parseAccessPolicy(readFileSync(file, 'utf8'), file);
}

/** Where a caller's rights are looked up: the policy in force at the moment of asking. */
export interface AccessSource {
  current(): AccessPolicy;
}

/** An access file followed while the process runs. */
export interface LiveAccessPolicy extends AccessSource {
  /** Called with each new policy once it is in force; returns a function that unsubscribes. */
  onChange(listener: (policy: AccessPolicy) => void): () => void;
  close(): void;
}

/**
 * Loads `file` now (throwing, like loadAccessPolicy, when it does not load) and then reads it every
 * `intervalMs`: a changed text that loads replaces the policy for every later request; one that
 * does not load — or a file that disappeared — is logged and the previous policy stays in force, so
 * a half-written or mistyped file never opens anything and never locks everyone out.
 */
export function watchAccessPolicy(file: string, logger: Logger, intervalMs = 1_000): LiveAccessPolicy {
  let text: string | null = existsSync(file) ? readFileSync(file, 'utf8') : null;
  let policy = text === null ? new AccessPolicy({}, file) : parseAccessPolicy(text, file);
  const listeners = new Set<(policy: AccessPolicy) => void>();
  /** The problem logged last, so a bad version is reported once, not every second. */
  let reported: string | null = null;
  const report = (problem: string | null) => {
    if (problem !== null && problem !== reported) logger.error({ file, problem }, 'access file not reloaded; the previous version stays in force');
    reported = problem;
  };
  let reading = false;

  const check = async () => {
    if (reading) return;
    reading = true;
    try {
      const next = await readFile(file, 'utf8');
      if (next === text) return report(null);
      policy = parseAccessPolicy(next, file);
      text = next;
      report(null);
      logger.info({ file, agencies: policy.agencyIds().length }, 'access file reloaded');
      for (const listener of listeners) listener(policy);
    } catch (error) {
      // AccessFileError names the file and the place (JSON position, or the entry) of the problem.
      report(error instanceof AccessFileError ? error.message : `cannot read ${file}: ${(error as Error).message}`);
    } finally {
      reading = false;
    }
  };
  const timer = setInterval(() => void check(), intervalMs);
  timer.unref();

  return {
    current: () => policy,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      clearInterval(timer);
      listeners.clear();
    },
  };
}

/** The key of an `Authorization: Bearer <key>` header, or null. */
export function bearerKey(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match ? match[1]! : null;
}
