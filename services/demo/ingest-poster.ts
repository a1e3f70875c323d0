/**
 * Posts generated items through HTTP ingest as their sources would: one JSON request per
 * (source, kind), with that source's key, all at once. Used by the demo feed, the end-to-end test
 * and the latency benchmark.
 */
import type { GeneratedItem } from '../generator/index.ts';

interface IngestOutcome {
  accepted?: { event_id: string }[];
  rejected?: unknown[];
}

/** 202 and 207 answer the outcome itself; 422 (nothing valid) carries it as the error's details. */
type IngestAnswer = IngestOutcome & { error?: { details?: IngestOutcome } };

export interface PostResult {
  /** `<source>/<kind>` */
  pair: string;
  records: number;
  /** The HTTP status; 0 when ingest could not be reached (`error` says why). */
  status: number;
  /** Event ids ingest accepted (202, 207). */
  accepted: string[];
  /** How many records ingest refused with a problem (207, 422). */
  rejected: number;
  /** performance.now() when the answer arrived. */
  at: number;
  error?: string;
}

export async function postItems(apiUrl: string, sourceKeys: Readonly<Record<string, string>>, items: readonly GeneratedItem[]): Promise<PostResult[]> {
  const groups = Map.groupBy(items, (item) => `${item.source}/${item.kind}`);
  return Promise.all(
    [...groups].map(async ([pair, group]): Promise<PostResult> => {
      const source = pair.split('/')[0]!;
      try {
        const response = await fetch(`${apiUrl}/v1/ingest/${pair}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${sourceKeys[source]}` },
          body: JSON.stringify(group.map((item) => item.record)),
        });
        const at = performance.now();
        const answer = (await response.json().catch(() => ({}))) as IngestAnswer;
        const outcome = answer.error?.details ?? answer;
        return {
          pair,
          records: group.length,
          status: response.status,
          accepted: (outcome.accepted ?? []).map((record) => record.event_id),
          rejected: outcome.rejected?.length ?? 0,
          at,
        };
      } catch (error) {
        return { pair, records: group.length, status: 0, accepted: [], rejected: 0, at: performance.now(), error: (error as Error).message };
      }
    }),
  );
}
