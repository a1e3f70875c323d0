/**
 * The kinds whose canonical records the normalizer completes from reference data it follows (one
 * line per such kind; each enrichment lives in its kind's folder).
 */
import type { Kind } from '../../services/platform/catalog.ts';
import type { Enrichment } from './enrichment.ts';
import { enrichPassage } from './checkpoint-passage/enrichment.ts';

export const ENRICHMENTS: Partial<Record<Kind, Enrichment>> = {
  'checkpoint-passage': enrichPassage,
};
