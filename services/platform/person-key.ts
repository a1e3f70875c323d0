/**
 * person_key (docs/architecture.md, "Privacy"): keyed HMAC-SHA-256 of a normalised identity, so one person's records join
 * across sources without revealing who they are. The secret comes from PERSON_KEY_SECRET or, on a
 * local stack, from a file made once with random bytes; losing it would change every key. The
 * epidemic's sunset (`truc sunset`) rotates a file's secret on purpose: the old one is destroyed, so
 * the old keys can no longer be linked to anyone.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { closeSync, existsSync, fstatSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { NormalizerConfig } from './config.ts';
import { RecentCache } from './recent-cache.ts';

/**
 * A normalised identity: what person_key is computed from. The mappings (services/normalizer/mapping)
 * read it from raw records and narrow the document type to the canonical vocabulary.
 */
export type PersonIdentity = { document: { type: string; number: string } } | { phone: string /* E.164 */ };

const NUMBER_SEPARATORS = /[\s.\-]/g;

/**
 * A document number as person_key reads it: without spaces, dots or dashes, in upper case, so one
 * document written two ways is one person (the mappings and `truc audit person` alike).
 */
export function compactDocumentNumber(written: string): string {
  return written.replace(NUMBER_SEPARATORS, '').toUpperCase();
}

/** Keyed HMAC-SHA-256 of an identity (hex), with the deployment's secret. */
export type PersonKeyFunction = (identity: PersonIdentity) => string;

/**
 * Identities whose keys are remembered, per generation (see RecentCache: two are kept). People
 * recur — passages at checkpoints, declarations through several apps — and an HMAC costs some 2 µs
 * where a lookup costs a tenth of that. Some 150 bytes an entry: 6 MB at most.
 */
const PERSON_KEY_CACHE_GENERATION = 20_000;

/**
 * The person_key function of a secret. The keys of recently seen identities are kept in this
 * process's memory (where the identities themselves are while their records are mapped).
 */
export function createPersonKey(secret: string, cacheGeneration = PERSON_KEY_CACHE_GENERATION): PersonKeyFunction {
  const keys = new RecentCache<string, string>(cacheGeneration);
  return (identity) => {
    const name = 'document' in identity ? `doc:${identity.document.type}:${identity.document.number}` : `phone:${identity.phone}`;
    let key = keys.get(name);
    if (key === undefined) {
      key = createHmac('sha256', secret).update(name, 'utf8').digest('hex');
      keys.set(name, key);
    }
    return key;
  };
}

/** The configured secret; on a local stack without one, the secret file (created on first use). */
export function loadPersonKeySecret(config: NormalizerConfig, createIfMissing: boolean): string {
  if (config.personKeySecret !== null) return config.personKeySecret;
  const file = config.personKeySecretFile;
  if (!existsSync(file)) {
    if (!createIfMissing) {
      throw new Error(`no person_key secret: set PERSON_KEY_SECRET or create ${file} (32+ random characters)`);
    }
    writeSecretFile(file, newSecret());
  }
  const secret = readFileSync(file, 'utf8').trim();
  if (secret.length < 32) throw new Error(`${file}: the person_key secret must be at least 32 characters`);
  return secret;
}

function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Writes the file whole or not at all: a crash mid-write never leaves a secret half old, half new. */
function writeSecretFile(file: string, secret: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.new`;
  const fd = openSync(temporary, 'w', 0o600);
  try {
    writeSync(fd, `${secret}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, file);
}

/** Overwrites the file's bytes in place before it is replaced, so the old secret is not left in the blocks a rename frees. */
function overwriteInPlace(file: string): void {
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, randomBytes(fstatSync(fd).size), 0, undefined, 0);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Why a secret could not be rotated: said to the operator as it is. */
export class SecretRotationError extends Error {}

/**
 * The deployment's person_key secret as this process holds it. Everything in the process that keys
 * with it (the normalizer's person keys, ingest's raw keys and content ids, the audit's questions)
 * follows one holder, so a rotation (the epidemic's sunset) reaches all of them at once.
 */
export class PersonKeySecret {
  readonly file: string | null;
  private value: string;
  private readonly followers = new Set<(secret: string) => void>();

  constructor(value: string, file: string | null) {
    this.value = value;
    this.file = file;
  }

  get current(): string {
    return this.value;
  }

  /** A function built from the secret, rebuilt when it rotates (callers keep the one they got). */
  keyed<A extends unknown[], R>(build: (secret: string) => (...args: A) => R): (...args: A) => R {
    let current = build(this.value);
    this.followers.add((secret) => {
      current = build(secret);
    });
    return (...args) => current(...args);
  }

  /**
   * Replaces the secret with a new random one and destroys the old: its file's bytes overwritten,
   * then the new file renamed over it. Keys made from then on do not link to earlier ones.
   */
  rotate(): void {
    if (this.file === null) {
      throw new SecretRotationError('the person_key secret comes from PERSON_KEY_SECRET, which Truc cannot replace or destroy: keep it in PERSON_KEY_SECRET_FILE instead');
    }
    const secret = newSecret();
    if (existsSync(this.file)) overwriteInPlace(this.file);
    writeSecretFile(this.file, secret);
    this.value = secret;
    for (const follow of this.followers) follow(secret);
  }
}

/** One holder per secret in a process: every stage started here shares it. */
const holders = new Map<string, PersonKeySecret>();

/** The process's holder of the configured secret (see loadPersonKeySecret). */
export function personKeySecret(config: NormalizerConfig, createIfMissing = false): PersonKeySecret {
  const name = config.personKeySecret !== null ? 'environment' : `file:${config.personKeySecretFile}`;
  let holder = holders.get(name);
  if (holder === undefined || (config.personKeySecret !== null && holder.current !== config.personKeySecret)) {
    holder = new PersonKeySecret(loadPersonKeySecret(config, createIfMissing), config.personKeySecret !== null ? null : config.personKeySecretFile);
    holders.set(name, holder);
  }
  return holder;
}
