/**
 * The canonical facts the normalizer should arrive at for a valid generated record, named as in the
 * canonical schemas (`schemas/kinds/<kind>/canonical.avsc`). Fields the generator cannot know (event_id is on
 * the item; received_at, normalized_at and person_key depend on the run and its key) are left out.
 *
 * Conventions the normalizer must share:
 * - full_name is the name exactly as the source wrote it (vhd capitals, ncovi any case, with or
 *   without diacritics);
 * - documents are digits only for CCCD and CMND, upper case for passports; a PC-Covid SDT identity
 *   is no document;
 * - phones are E.164; a phone that is no Vietnamese mobile becomes null with PHONE_INVALID;
 * - nationality is an ISO code; vhd, ncovi and C06 mean Vietnamese (VN) when they leave it out,
 *   PC-Covid says nothing then (null), and its movement form has no such field (null);
 * - district and ward codes are null where the source writes names (ncovi, 1022, the registry);
 * - symptoms are in the canonical enum's order, without repeats;
 * - places_visited are the source's strings (vhd's comma-separated text split and trimmed);
 * - vehicle plates and codes are upper case without spaces around '-' and '.'.
 */
import type { Kind } from '../platform/catalog.ts';
import type { CheckpointPassageRecord } from '../../schemas/kinds/checkpoint-passage/record.ts';
import type { CheckpointRecord } from '../../schemas/kinds/checkpoint/record.ts';
import type { CitizenReportRecord } from '../../schemas/kinds/citizen-report/record.ts';
import type { HealthDeclarationRecord } from '../../schemas/kinds/health-declaration/record.ts';
import type { MovementDeclarationRecord } from '../../schemas/kinds/movement-declaration/record.ts';
import type { Address, Envelope, Exposure, Person } from '../../schemas/kinds/shared-records.ts';
import type { IdentityDocument } from '../normalizer/mapping/rules/identity.ts';
import type { CheckpointType } from '../../schemas/kinds/canonical-values.ts';

/** Data-quality findings the generator's defects make the normalizer keep in `quality_flags`. */
export type QualityFlag = 'CCCD_BIRTH_YEAR_MISMATCH' | 'PHONE_INVALID';

/** What only a run knows: the event id is on the item; reception and the key depend on the run. */
type RunFields = 'event_id' | 'received_at' | 'person_key';

/** The canonical record's shape (the normalizer's own types), without what only a run knows. */
export type TruthOf<R extends Envelope<Kind>> = Omit<R, RunFields | 'quality_flags'> & { quality_flags: QualityFlag[] };

export type EnvelopeTruth<K extends Kind> = TruthOf<Envelope<K>>;
export type DocumentTruth = IdentityDocument;
export type PersonTruth = Person;
export type ExposureTruth = Exposure;
export type AddressTruth = Address;
export type HealthDeclarationTruth = TruthOf<HealthDeclarationRecord>;
export type MovementDeclarationTruth = TruthOf<MovementDeclarationRecord>;
export type CitizenReportTruth = TruthOf<CitizenReportRecord>;
export type CheckpointTruth = TruthOf<CheckpointRecord>;

/** Checkpoint name, type and province as the normalizer copies them from the registry (this generator's `CHECKPOINTS`). */
export type CheckpointPassageTruth = Omit<TruthOf<CheckpointPassageRecord>, 'checkpoint_name' | 'checkpoint_type' | 'checkpoint_province_code'> & {
  checkpoint_name: string;
  checkpoint_type: CheckpointType;
  checkpoint_province_code: string;
};

type FirstKinds = 'health-declaration' | 'movement-declaration' | 'citizen-report' | 'checkpoint' | 'checkpoint-passage';

/**
 * The truth of a kind added later: its folder's record type, seen here only through the envelope
 * (its source's renderer builds it with `TruthOf` of that record type).
 */
export type LaterKindTruth = EnvelopeTruth<Exclude<Kind, FirstKinds>> & Record<string, unknown>;

export type Truth = HealthDeclarationTruth | MovementDeclarationTruth | CitizenReportTruth | CheckpointTruth | CheckpointPassageTruth | LaterKindTruth;

/** The envelope a truth opens with; the record id is filled in once the record is final, flags as problems are applied. */
export function envelopeTruth<K extends Kind>(kind: K, source: string, occurredAt: number, provinceCode: string | null): EnvelopeTruth<K> {
  return { kind, source, source_record_id: '', occurred_at: occurredAt, province_code: provinceCode, quality_flags: [] };
}
