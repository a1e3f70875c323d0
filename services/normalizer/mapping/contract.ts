/**
 * What a mapping from a raw (source, kind) record to its canonical record looks like. The engine
 * (services/normalizer) decodes raw messages, calls `mapRecord`, stamps `normalized_at`, and either
 * emits the canonical record or dead-letters the raw one with the failure's reason. Producers key
 * raw messages with `partitionKey`, which needs only what a producer has at hand (`KeyInput`).
 */
import type { Kind } from '../../platform/catalog.ts';
import type { RawKeyInput } from '../../platform/raw-records.ts';
import type { DocumentType } from '../../../schemas/kinds/canonical-values.ts';

export interface RawInput {
  source: string;
  kind: Kind;
  /** The decoded raw record (its raw Avro schema's shape). */
  value: Record<string, unknown>;
  sourceRecordId: string;
  /** UUIDv5 of source, kind and source record id (services/platform/event-id.ts). */
  eventId: string;
  /** When Truc accepted the raw record (epoch ms). */
  receivedAt: number;
}

/** What `partitionKey` reads (the raw-record contract's key input). */
export type KeyInput = RawKeyInput;

/** A normalised identity: what `person_key` is computed from. */
export type PersonIdentity = { document: { type: DocumentType; number: string } } | { phone: string /* E.164 */ };

/** Keyed HMAC-SHA-256 of an identity (hex), with the deployment's secret. */
export type PersonKeyFunction = (identity: PersonIdentity) => string;

export interface MappingContext {
  personKey: PersonKeyFunction;
  /** The engine's clock (epoch ms): "future" means later than this plus a small tolerance. */
  now: number;
  /**
   * The registry's checkpoint id (canonical.checkpoint `checkpoint_id`) of the checkpoint a PC-Covid
   * location QR code is posted at (its `location_qr_id`); undefined when the registry does not know
   * the code (yet). PC-Covid scans name checkpoints only by their location QR.
   */
  checkpointIdOfLocationQr(locationQrId: string): string | undefined;
}

/** Why a record cannot be mapped: becomes the dead letter's reason and error class headers. */
export interface MappingFailure {
  /** A stable class name, e.g. UnknownProvince, ImpossibleDate, FutureDate, BirthYearOutOfRange, MalformedQrPayload. */
  errorClass: string;
  /** The raw field path the problem is in, e.g. `tinh_thanh` or `reporter.phone`. */
  path: string;
  /** For people: what was wrong, without the record's personal data (no names, numbers, phones). */
  message: string;
}

/** The canonical record without `normalized_at` (the engine stamps it when it emits). */
export type CanonicalRecord = Record<string, unknown>;

export type MappingOutcome = { ok: true; record: CanonicalRecord } | { ok: false; failure: MappingFailure };
