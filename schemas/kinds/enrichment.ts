/**
 * What an enrichment is: a kind's completion of a mapped record from reference data the normalizer
 * follows. Apart from the registry of enrichments, so a kind's enrichment can name its type without
 * importing the registry that imports it.
 */
import type { CheckpointInfo } from '../../services/normalizer/checkpoint-table.ts';

/** The reference data an enrichment may read. */
export interface EnrichmentContext {
  checkpoints: { get(checkpointId: string): CheckpointInfo | undefined };
}

/** Completes a mapped record in place; false when the reference it needs is unknown (the record is flagged, not refused). */
export type Enrichment = (record: Record<string, unknown>, context: EnrichmentContext) => boolean;
