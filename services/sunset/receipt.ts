/**
 * The sunset's receipt: what was drained, deleted, anonymised and rotated, when, with counts, signed
 * with an Ed25519 key of the deployment's own (made on first use, private half readable by its owner
 * only; the public half beside it, `<file>.pub`, is what a privacy officer keeps to check receipts).
 * The signature covers the receipt's JSON exactly as it is written to the audit.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ErasedTable } from '../../connectors/clickhouse-sink/row-erasure.ts';
import type { ErasedTopic } from './topic-erasure.ts';

export interface SunsetReceipt {
  sunsetId: string;
  startedAt: string;
  finishedAt: string;
  /** The consumer groups that had caught up before anything was erased. */
  drained: string[];
  /** Paused subscriptions, not waited for: what they had not received was erased with the rest. */
  notWaitedFor: string[];
  topics: ErasedTopic[];
  clickhouse: ErasedTable[];
  personKeySecret: { rotatedAt: string; oldSecret: 'destroyed' };
  audit: 'kept';
}

export interface SignedReceipt {
  /** The receipt's JSON: what the signature covers, byte for byte. */
  receipt: string;
  /** Ed25519 signature of `receipt` (base64). */
  signature: string;
  /** The public key that checks it (SPKI PEM). */
  publicKey: string;
}

/** The signing key, made on first use. */
export function loadSigningKey(file: string): KeyObject {
  if (!existsSync(file)) {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    writeFileSync(`${file}.pub`, publicKey.export({ type: 'spki', format: 'pem' }));
  }
  return createPrivateKey(readFileSync(file));
}

export function signReceipt(receipt: SunsetReceipt, key: KeyObject): SignedReceipt {
  const text = JSON.stringify(receipt);
  return {
    receipt: text,
    signature: sign(null, Buffer.from(text), key).toString('base64'),
    publicKey: createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** Whether the receipt is signed by the holder of `publicKeyPem` (the one a privacy officer kept, not the one inside the receipt). */
export function receiptIsSigned(signed: Pick<SignedReceipt, 'receipt' | 'signature'>, publicKeyPem: string): boolean {
  try {
    return verify(null, Buffer.from(signed.receipt), createPublicKey(publicKeyPem), Buffer.from(signed.signature, 'base64'));
  } catch {
    return false;
  }
}
