/**
 * The kinds whose canonical records the normalizer completes from reference data it follows (one
 * line per such kind; each enrichment lives in its kind's folder).
 */
import type { Kind } from '../../services/platform/catalog.ts';
import type { CheckpointInfo } from '../../services/normalizer/checkpoint-table.ts';
import { enrichPassage } from './checkpoint-passage/enrichment.ts';

/** The reference data an enrichment may read. */
export interface EnrichmentContext {
  checkpoints: { get(checkpointId: string): CheckpointInfo | undefined };
}

/** Completes a mapped record in place; false when the reference it needs is unknown (the record is flagged, not refused). */
export type Enrichment = (record: Record<string, unknown>, context: EnrichmentContext) => boolean;

export const ENRICHMENTS: Partial<Record<Kind, Enrichment>> = {
  'checkpoint-passage': enrichPassage,
};
