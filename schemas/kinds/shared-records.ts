/**
 * The parts several canonical records share, as TypeScript types: the envelope every kind starts
 * with, and the person and exposure answers both declarations carry. Each kind's own record type is
 * `schemas/kinds/<kind>/record.ts`; the tests check every mapped record against the Avro schemas.
 */
import type { Kind } from '../../services/platform/catalog.ts';
import type { IdentityDocument } from '../../services/normalizer/mapping/rules/identity.ts';
import type { QualityFlag } from '../../services/normalizer/mapping/rules/quality-flags.ts';
import type { Gender } from './canonical-values.ts';

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
