/**
 * What each source module provides per kind: the mapping of a raw record to its canonical record,
 * and the key that canonical record will have, computed from the raw record alone (producers key
 * raw topics with it, so raw and canonical topics are co-partitioned). Kinds keyed by person read
 * the person once, with the same function for both, so the key and `person_key` cannot differ.
 */
import type { Kind } from '../../platform/catalog.ts';
import type { Envelope } from '../../../schemas/kinds/shared-records.ts';
import type { CanonicalRecord, KeyInput, MappingContext, PersonKeyFunction, RawInput } from './contract.ts';
import { personIdentity, type Identified } from './rules/identity.ts';
import { MappingProblem } from './rules/problem.ts';
import { QualityFlags } from './rules/quality-flags.ts';

export interface PairMapping {
  /** The canonical record (without normalized_at); throws a MappingProblem when the record cannot be mapped. */
  map(input: RawInput, context: MappingContext): CanonicalRecord;
  /** The key of the canonical record; never throws for a record its raw schema accepts. */
  key(input: KeyInput, personKey: PersonKeyFunction): string;
}

/** One record being mapped. */
export interface MappingRun<Raw> {
  input: RawInput;
  /**
   * The raw record, as its raw schema (checked before the record reached Kafka) says it is. Source
   * modules type optional fields `?: T | null`: records decoded from Avro hold null, records posted
   * as JSON (what producers key) may leave them out.
   */
  value: Raw;
  context: MappingContext;
  flags: QualityFlags;
}

/** A canonical record as a source module builds it: the flags are added once everything is read. */
export type Built<R extends Envelope<Kind>> = Omit<R, 'quality_flags'>;

/** Reads whom a record is about; may throw a MappingProblem (a malformed QR payload). */
export type Identify<Raw> = (value: Raw, flags: QualityFlags) => Identified;

/** The person a record is about, read once for both the mapping and the key. */
export interface Declarant {
  identified: Identified;
  personKey: string | null;
}

function run<Raw>(input: RawInput, context: MappingContext): MappingRun<Raw> {
  return { input, value: input.value as Raw, context, flags: new QualityFlags() };
}

function withFlags<R extends Envelope<Kind>>(built: Built<R>, flags: QualityFlags): CanonicalRecord {
  const record: CanonicalRecord = built;
  record.quality_flags = flags.list();
  return record;
}

/** A kind keyed by person_key (declarations, passages); a record whose person cannot be read is keyed by its source record id. */
export function keyedByPerson<Raw, R extends Envelope<Kind>>(identify: Identify<Raw>, build: (run: MappingRun<Raw>, declarant: Declarant) => Built<R>): PairMapping {
  return {
    map(input, context) {
      const mapping = run<Raw>(input, context);
      const identified = identify(mapping.value, mapping.flags);
      const identity = personIdentity(identified);
      return withFlags(build(mapping, { identified, personKey: identity === null ? null : context.personKey(identity) }), mapping.flags);
    },
    key(input, personKey) {
      let identified: Identified;
      try {
        identified = identify(input.value as Raw, new QualityFlags());
      } catch (error) {
        if (error instanceof MappingProblem) return input.sourceRecordId;
        throw error;
      }
      const identity = personIdentity(identified);
      return identity === null ? input.sourceRecordId : personKey(identity);
    },
  };
}

/** A kind keyed by a field the raw record determines by itself (report_id, checkpoint_id). */
export function keyedBy<Raw, R extends Envelope<Kind>>(key: (input: KeyInput) => string, build: (run: MappingRun<Raw>) => Built<R>): PairMapping {
  return {
    map(input, context) {
      const mapping = run<Raw>(input, context);
      return withFlags(build(mapping), mapping.flags);
    },
    key: (input) => key(input),
  };
}

/** The envelope fields every canonical record opens with. */
export function envelope<K extends Kind>(kind: K, input: RawInput, occurredAt: number, provinceCode: string | null, personKey: string | null): Built<Envelope<K>> {
  return {
    event_id: input.eventId,
    kind,
    source: input.source,
    source_record_id: input.sourceRecordId,
    occurred_at: occurredAt,
    received_at: input.receivedAt,
    province_code: provinceCode,
    person_key: personKey,
  };
}

/** The mappings of one source, by the kinds it publishes. */
export type SourceMappings = Partial<Record<Kind, PairMapping>>;
