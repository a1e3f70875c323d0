/**
 * The canonical record of a health declaration, as the mappings build it (the fields of
 * `canonical.avsc` without `normalized_at`, which the engine stamps).
 */
import type { DeclarationType, Symptom } from '../canonical-values.ts';
import type { Address, Envelope, Exposure, Person } from '../shared-records.ts';

export interface HealthDeclarationRecord extends Envelope<'health-declaration'> {
  declaration_type: DeclarationType;
  person: Person;
  address: Address;
  symptoms: Symptom[];
  exposure: Exposure;
  vaccination: { doses: number; last_dose_date: number | null };
}
