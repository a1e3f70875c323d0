/**
 * A passage names its checkpoint only by id; the normalizer copies the checkpoint's name, type and
 * province from the registry (canonical.checkpoint) into it, so agencies and analysts need no join.
 */
import type { Enrichment } from '../enrichment.ts';

/** Adds the checkpoint's fields to a passage; false when the checkpoint is not known (the passage is flagged). */
export const enrichPassage: Enrichment = (record, { checkpoints }) => {
  const checkpoint = checkpoints.get(String(record.checkpoint_id));
  if (!checkpoint) {
    record.quality_flags = [...((record.quality_flags as string[] | undefined) ?? []), 'CHECKPOINT_UNKNOWN'];
    return false;
  }
  record.checkpoint_name = checkpoint.name;
  record.checkpoint_type = checkpoint.type;
  record.checkpoint_province_code = checkpoint.province_code;
  // A passage happens where its checkpoint is.
  record.province_code = checkpoint.province_code;
  return true;
};
