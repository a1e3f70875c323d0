/**
 * The canonical facts the normalizer should arrive at for a valid generated record, named as in the
 * canonical schemas (`schemas/canonical/*.avsc`). Fields the generator cannot know (event_id is on
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
import type {
  CheckpointStatus, CheckpointType, DeclarationType, Direction, DocumentType, Gender, HealthStatus,
  IdentificationMethod, ManagingLevel, PassageOutcome, ReportCategory, ReportChannel, Symptom, TransportMode,
} from '../source-vocabulary/canonical-values.ts';

/** Data-quality findings the normalizer keeps in `quality_flags`. */
export type QualityFlag = 'CCCD_BIRTH_YEAR_MISMATCH' | 'PHONE_INVALID';

export interface EnvelopeTruth<K extends Kind> {
  kind: K;
  source: string;
  /** Filled in once the record is final (a content hash covers the whole record). */
  source_record_id: string;
  /** UTC epoch ms, at the precision the source writes. */
  occurred_at: number;
  province_code: string | null;
  quality_flags: QualityFlag[];
}

export interface DocumentTruth {
  type: DocumentType;
  number: string;
}

export interface PersonTruth {
  full_name: string | null;
  document: DocumentTruth | null;
  birth_year: number | null;
  gender: Gender | null;
  nationality: string | null;
  phone: string | null;
}

export interface ExposureTruth {
  contact_with_case: boolean | null;
  from_outbreak_area: boolean | null;
  contact_with_symptomatic: boolean | null;
  places_visited: string[];
}

export interface AddressTruth {
  province_code: string | null;
  district_code: string | null;
  ward_code: string | null;
  line: string | null;
}

export interface CoordinatesTruth {
  latitude: number;
  longitude: number;
}

export interface HealthDeclarationTruth extends EnvelopeTruth<'health-declaration'> {
  declaration_type: DeclarationType;
  person: PersonTruth;
  address: AddressTruth;
  symptoms: Symptom[];
  exposure: ExposureTruth;
  /** last_dose_date in days since 1970-01-01 (local date). */
  vaccination: { doses: number; last_dose_date: number | null };
}

export interface PlaceTruth {
  province_code: string | null;
  name: string | null;
}

export interface MovementDeclarationTruth extends EnvelopeTruth<'movement-declaration'> {
  person: PersonTruth;
  transport_mode: TransportMode;
  vehicle_code: string | null;
  seat: string | null;
  origin: PlaceTruth;
  destination: PlaceTruth;
  /** Local date, days since 1970-01-01. */
  departure_date: number;
  symptoms: Symptom[];
  exposure: ExposureTruth;
}

export interface CitizenReportTruth extends EnvelopeTruth<'citizen-report'> {
  /** `<source>:<source_record_id>`, filled in with source_record_id. */
  report_id: string;
  category: ReportCategory;
  text: string;
  location: AddressTruth & { coordinates: CoordinatesTruth | null };
  channel: ReportChannel;
  reporter: { name: string | null; phone: string | null } | null;
  anonymous: boolean;
}

export interface CheckpointTruth extends EnvelopeTruth<'checkpoint'> {
  checkpoint_id: string;
  name: string;
  type: CheckpointType;
  district_code: string | null;
  road: string | null;
  km_marker: string | null;
  managing_level: ManagingLevel | null;
  managing_agency: string | null;
  status: CheckpointStatus;
  coordinates: CoordinatesTruth | null;
  location_qr_id: string | null;
  valid_from: number | null;
  valid_to: number | null;
}

/** Checkpoint name, type and province as the normalizer copies them from the registry (this generator's `CHECKPOINTS`). */
export interface CheckpointPassageTruth extends EnvelopeTruth<'checkpoint-passage'> {
  checkpoint_id: string;
  checkpoint_name: string;
  checkpoint_type: CheckpointType;
  checkpoint_province_code: string;
  document: DocumentTruth | null;
  vehicle_plate: string | null;
  direction: Direction | null;
  passed_at: number;
  identification_method: IdentificationMethod;
  health_status: HealthStatus;
  outcome: PassageOutcome | null;
}

export type Truth = HealthDeclarationTruth | MovementDeclarationTruth | CitizenReportTruth | CheckpointTruth | CheckpointPassageTruth;

/** The envelope a truth opens with; the record id is filled in once the record is final, flags as problems are applied. */
export function envelopeTruth<K extends Kind>(kind: K, source: string, occurredAt: number, provinceCode: string | null): EnvelopeTruth<K> {
  return { kind, source, source_record_id: '', occurred_at: occurredAt, province_code: provinceCode, quality_flags: [] };
}
