/**
 * What each generated item is, for the tests that consume it: valid or which defect it carries
 * (and at which stage Truc must catch it), soft problems the normalizer keeps but flags, and
 * whether it is a cross-source duplicate of an earlier item.
 */
import type { Kind } from '../platform/catalog.ts';
import type { QualityFlag, Truth } from './truth.ts';

/** Defects the ingest connectors refuse (schema validation: `RawRecordCodec.problems`). */
export const INGEST_DEFECTS = ['missing-required-field', 'wrong-type', 'unknown-field'] as const;
export type IngestDefect = (typeof INGEST_DEFECTS)[number];

/** Defects that pass the raw schema but the normalizer must dead-letter. */
export const NORMALIZER_DEFECTS = ['unknown-province', 'impossible-date', 'future-date', 'birth-year-out-of-range', 'malformed-qr-payload'] as const;
export type NormalizerDefect = (typeof NORMALIZER_DEFECTS)[number];

export const DEFECTS = [...INGEST_DEFECTS, ...NORMALIZER_DEFECTS] as const;
export type Defect = IngestDefect | NormalizerDefect;

/** Soft problems: the normalizer keeps the record and notes a quality flag. */
export const FLAGS = ['cccd-birth-year-mismatch', 'invalid-phone'] as const;
export type Flag = (typeof FLAGS)[number];

/** The canonical quality flag each soft problem shows up as. */
export const QUALITY_FLAG_OF: Readonly<Record<Flag, QualityFlag>> = {
  'cccd-birth-year-mismatch': 'CCCD_BIRTH_YEAR_MISMATCH',
  'invalid-phone': 'PHONE_INVALID',
};

export interface FlagLabel {
  flag: Flag;
  /** Dotted path of the raw field the problem is in. */
  path: string;
}

export type Label =
  | { valid: true; flags: FlagLabel[] }
  | {
      valid: false;
      defect: Defect;
      stage: 'ingest' | 'normalizer';
      /** Dotted path of the raw field the defect is in, as `RawRecordCodec.problems` names it. */
      path: string;
      flags: [];
    };

export interface GeneratedItem {
  source: string;
  kind: Kind;
  /** The raw JSON record as the source posts it. */
  record: Record<string, unknown>;
  /** As ingest computes it; null when ingest refuses the record (an ingest-stage defect). */
  sourceRecordId: string | null;
  eventId: string | null;
  label: Label;
  /** For a cross-source duplicate: the earlier item (another source) carrying the same declaration. */
  duplicateOf: { source: string; sourceRecordId: string } | null;
  /** What the normalizer should make of the record; null for a defective one. */
  truth: Truth | null;
}
