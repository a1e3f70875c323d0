/**
 * The canonical record of a checkpoint registry entry, as the mappings build it (the fields of
 * `canonical.avsc` without `normalized_at`, which the engine stamps).
 */
import type { Coordinates } from '../../../services/normalizer/mapping/rules/coordinates.ts';
import type { CheckpointStatus, CheckpointType, ManagingLevel } from '../canonical-values.ts';
import type { Envelope } from '../shared-records.ts';

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
