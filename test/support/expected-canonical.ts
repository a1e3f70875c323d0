/**
 * What the normalizer must make of a generated stream, from the generator's labels: the records
 * emitted exactly once (singles), the groups of cross-source copies of which exactly one is
 * emitted (whichever arrives first), and the defective records it must dead-letter.
 */
import type { GeneratedItem } from '../../services/generator/index.ts';

export interface ExpectedCanonical {
  singles: GeneratedItem[];
  /** Each group: a declaration and its copies through other apps. */
  groups: GeneratedItem[][];
  /** Items the normalizer must dead-letter (ingest-stage defects never reach it). */
  defects: GeneratedItem[];
}

export function expectedCanonical(items: readonly GeneratedItem[]): ExpectedCanonical {
  const byOriginal = Map.groupBy(items, (item) =>
    item.duplicateOf ? `${item.duplicateOf.source}:${item.duplicateOf.sourceRecordId}` : `${item.source}:${item.sourceRecordId}`,
  );
  const groups = [...byOriginal.values()].filter((group) => group.length > 1);
  const grouped = new Set(groups.flatMap((group) => group.map((item) => item.eventId)));
  return {
    singles: items.filter((item) => item.truth && !grouped.has(item.eventId)),
    groups,
    defects: items.filter((item) => !item.label.valid && item.label.stage === 'normalizer'),
  };
}
