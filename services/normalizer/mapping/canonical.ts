/**
 * The canonical records the mappings build, as TypeScript types: the fields of
 * `schemas/canonical/*.avsc` (their docs say what each means) without `normalized_at`, which the
 * engine stamps. The tests check every mapped record against the Avro schemas themselves.
 */
import type { Kind } from '../../platform/catalog.ts';
import type {
  CheckpointStatus, CheckpointType, DeclarationType, Direction, Gender, HealthStatus, IdentificationMethod, ManagingLevel,
  PassageOutcome, ReportCategory, ReportChannel, Symptom, TransportMode,
} from '../../source-vocabulary/canonical-values.ts';
import type { Coordinates } from './rules/coordinates.ts';
import type { IdentityDocument } from './rules/identity.ts';
import type { QualityFlag } from './rules/quality-flags.ts';

export interface Envelope<K extends Kind> {
  event_id: string;
  kind: K;
  source: string;
  source_record_id: string;
  occurred_at: number;
  received_at: number;
  province_code: string | null;
  person_key: string | null;
  quality_flags: QualityFlag[];
}

export interface Person {
  full_name: string | null;
  document: IdentityDocument | null;
  birth_year: number | null;
  gender: Gender | null;
  nationality: string | null;
  phone: string | null;
}

export interface Exposure {
  contact_with_case: boolean | null;
  from_outbreak_area: boolean | null;
  contact_with_symptomatic: boolean | null;
  places_visited: string[];
}

export interface Address {
  province_code: string | null;
  district_code: string | null;
  ward_code: string | null;
  line: string | null;
}

export interface HealthDeclarationRecord extends Envelope<'health-declaration'> {
  declaration_type: DeclarationType;
  person: Person;
  address: Address;
  symptoms: Symptom[];
  exposure: Exposure;
  vaccination: { doses: number; last_dose_date: number | null };
}

export interface Place {
  province_code: string | null;
  name: string | null;
}

export interface MovementDeclarationRecord extends Envelope<'movement-declaration'> {
  person: Person;
  transport_mode: TransportMode;
  vehicle_code: string | null;
  seat: string | null;
  origin: Place;
  destination: Place;
  departure_date: number;
  symptoms: Symptom[];
  exposure: Exposure;
}

export interface Reporter {
  name: string | null;
  phone: string | null;
}

export interface CitizenReportRecord extends Envelope<'citizen-report'> {
  report_id: string;
  category: ReportCategory;
  text: string;
  location: Address & { coordinates: Coordinates | null };
  channel: ReportChannel;
  reporter: Reporter | null;
  anonymous: boolean;
}

export interface CheckpointRecord extends Envelope<'checkpoint'> {
  checkpoint_id: string;
  name: string;
  type: CheckpointType;
  district_code: string | null;
  road: string | null;
  km_marker: string | null;
  managing_level: ManagingLevel | null;
  managing_agency: string | null;
  status: CheckpointStatus;
  coordinates: Coordinates | null;
  location_qr_id: string | null;
  valid_from: number | null;
  valid_to: number | null;
}

export interface CheckpointPassageRecord extends Envelope<'checkpoint-passage'> {
  checkpoint_id: string;
  /** Copied from canonical.checkpoint by the engine; null here. */
  checkpoint_name: string | null;
  checkpoint_type: CheckpointType | null;
  checkpoint_province_code: string | null;
  document: IdentityDocument | null;
  vehicle_plate: string | null;
  direction: Direction | null;
  passed_at: number;
  identification_method: IdentificationMethod;
  health_status: HealthStatus;
  outcome: PassageOutcome | null;
}
