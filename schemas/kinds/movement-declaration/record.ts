/**
 * The canonical record of a movement declaration, as the mappings build it (the fields of
 * `canonical.avsc` without `normalized_at`, which the engine stamps).
 */
import type { Symptom, TransportMode } from '../canonical-values.ts';
import type { Envelope, Exposure, Person } from '../shared-records.ts';

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
