/**
 * The canonical record of a checkpoint passage, as the mappings build it (the fields of
 * `canonical.avsc` without `normalized_at`, which the engine stamps).
 */
import type { IdentityDocument } from '../../../services/normalizer/mapping/rules/identity.ts';
import type { CheckpointType, Direction, HealthStatus, IdentificationMethod, PassageOutcome } from '../canonical-values.ts';
import type { Envelope } from '../shared-records.ts';

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
