/**
 * person_key (docs/architecture.md, "Privacy"): keyed HMAC-SHA-256 of a normalised identity, so one person's records join
 * across sources without revealing who they are. The secret comes from PERSON_KEY_SECRET or, on a
 * local stack, from a file made once with random bytes; losing it would change every key.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600 });
  }
  const secret = readFileSync(file, 'utf8').trim();
  if (secret.length < 32) throw new Error(`${file}: the person_key secret must be at least 32 characters`);
  return secret;
}
