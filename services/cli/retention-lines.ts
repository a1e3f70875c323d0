/**
 * `truc status`'s retention section: for each store and kind, the retention configured and the one
 * Kafka applies to its topics, so an operator sees at once a setting that is not yet in force
 * (changed settings are applied at the next start of the stage that owns the topics or tables).
 */
import { KINDS, canonicalTopic, kindEntry, rawTopic, sourceKinds, type Kind } from '../platform/catalog.ts';
import { RETENTION_STORES, retentionOf, storeHasKinds, type RetentionConfig, type RetentionStore } from '../platform/config.ts';
import { agencyTopic } from '../subscriptions/model.ts';
import { DLQ_INGEST_TOPIC, DLQ_NORMALIZER_TOPIC, DLQ_SINK_CLICKHOUSE_TOPIC, subscriptionDlqTopic } from '../platform/topics.ts';

export interface RetentionRow {
  store: RetentionStore;
  /** Null for dead letters, which are kept per stage rather than per kind. */
  kind: Kind | null;
  configured: string;
  inForce: string;
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** 7d, 12h, or milliseconds when neither divides. */
export function formatKeepFor(ms: number): string {
  if (ms % DAY_MS === 0) return `${ms / DAY_MS}d`;
  if (ms % HOUR_MS === 0) return `${ms / HOUR_MS}h`;
  return `${ms}ms`;
}

/** The topics of a store and kind among those Kafka has. */
function topicsOf(store: RetentionStore, kind: Kind | null, existing: readonly string[], auditTopic: string): string[] {
  switch (store) {
    case 'raw':
      return sourceKinds().filter((pair) => pair.kind === kind).map((pair) => rawTopic(pair.source, pair.kind));
    case 'canonical':
      return [canonicalTopic(kind!)];
    case 'dead-letters': {
      const subscriptionDlqPrefix = subscriptionDlqTopic('');
      const subscriptions = existing.filter((topic) => topic.startsWith(subscriptionDlqPrefix) && topic !== DLQ_SINK_CLICKHOUSE_TOPIC);
      return [DLQ_INGEST_TOPIC, DLQ_NORMALIZER_TOPIC, DLQ_SINK_CLICKHOUSE_TOPIC, ...subscriptions];
    }
    case 'agency-topics':
      // Agency ids hold no dots: the second part of a topic name is the agency it would be for.
      return existing.filter((topic) => topic === agencyTopic(topic.split('.')[1] ?? '', kind!));
    case 'clickhouse':
      return [];
    case 'audit':
      return [auditTopic];
  }
}

function inForce(store: RetentionStore, topics: string[], applied: ReadonlyMap<string, number> | null): string {
  if (store === 'clickhouse') return 'TTL set by the sink at start';
  if (applied === null) return '? (Kafka not reachable)';
  const values = [...new Set(topics.flatMap((topic) => (applied.has(topic) ? [applied.get(topic)!] : [])))].sort((a, b) => a - b);
  return values.length === 0 ? 'no topic yet' : values.map(formatKeepFor).join(', ');
}

/**
 * One row per store and kind. `applied`: each existing topic's `retention.ms` (null when Kafka did
 * not answer). Registry kinds' canonical topics and tables are kept while current, not for a time.
 */
export function retentionRows(retention: RetentionConfig, applied: ReadonlyMap<string, number> | null, auditTopic: string): RetentionRow[] {
  const existing = applied ? [...applied.keys()] : [];
  return RETENTION_STORES.flatMap((store) => {
    const kinds: (Kind | null)[] = storeHasKinds(store) ? [...KINDS] : [null];
    return kinds.flatMap((kind): RetentionRow[] => {
      if (kind !== null && store === 'raw' && !sourceKinds().some((pair) => pair.kind === kind)) return [];
      const registry = kind !== null && kindEntry(kind).compacted === true && (store === 'canonical' || store === 'clickhouse');
      if (registry) return [{ store, kind, configured: 'while current', inForce: store === 'canonical' ? 'compacted' : 'no TTL' }];
      const configured = formatKeepFor(retentionOf(retention, store, kind ?? undefined));
      const topics = topicsOf(store, kind, existing, auditTopic);
      const now = inForce(store, topics, applied);
      return [{ store, kind, configured, inForce: now }];
    });
  });
}

/** The rows as `truc status` prints them; a topic kept for another time than configured is marked. */
export function retentionLines(rows: readonly RetentionRow[]): string[] {
  return rows.map((row) => {
    const differs = /^\d/.test(row.inForce) && row.inForce !== row.configured ? '  DIFFERS: applied at the next start' : '';
    return `  ${row.store.padEnd(14)} ${(row.kind ?? '(every stage)').padEnd(22)} configured ${row.configured.padEnd(14)} in force ${row.inForce}${differs}`;
  });
}
