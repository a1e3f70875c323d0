/**
 * The canonical record of a citizen report, as the mappings build it (the fields of
 * `canonical.avsc` without `normalized_at`, which the engine stamps).
 */
import type { Coordinates } from '../../../services/normalizer/mapping/rules/coordinates.ts';
import type { ReportCategory, ReportChannel } from '../canonical-values.ts';
import type { Address, Envelope } from '../shared-records.ts';

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
