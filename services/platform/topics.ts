/**
 * Topic administration: creates what is missing with partitions, retention and compaction taken
 * from configuration, and leaves existing topics as they are.
 */
import type { Admin, ITopicConfig } from 'kafkajs';
import { KINDS, canonicalTopic, kindEntry, rawTopic, sourceKinds } from './catalog.ts';
import type { TopicDefaults } from './config.ts';

export interface TopicSpec {
  name: string;
  /** Compacted topics keep the latest record per key forever (registries, offsets, state). */
  compacted?: boolean;
  partitions?: number;
  retentionMs?: number;
  /** A compacted topic keeps every record at least this long before compaction may drop older ones of a key. */
  minCompactionLagMs?: number;
}

/** Internal topics every deployment needs (docs/architecture.md, "Topics"); the registry creates its own `_schemas`. */
export const INTERNAL_TOPICS: readonly TopicSpec[] = [
  { name: '_truc.connect-offsets', compacted: true, partitions: 1 },
  { name: '_truc.connect-configs', compacted: true, partitions: 1 },
  { name: '_truc.subscriptions', compacted: true, partitions: 1 },
  { name: '_truc.subscription-status', compacted: true, partitions: 1 },
  { name: '_truc.normalizer-state', compacted: true },
];

export function topicConfig(spec: TopicSpec, defaults: TopicDefaults): ITopicConfig {
  const configEntries = spec.compacted
    ? [
        { name: 'cleanup.policy', value: 'compact' },
        ...(spec.minCompactionLagMs !== undefined ? [{ name: 'min.compaction.lag.ms', value: String(spec.minCompactionLagMs) }] : []),
      ]
    : [
        { name: 'cleanup.policy', value: 'delete' },
        { name: 'retention.ms', value: String(spec.retentionMs ?? defaults.retentionMs) },
      ];
  return {
    topic: spec.name,
    numPartitions: spec.partitions ?? defaults.partitions,
    replicationFactor: defaults.replicationFactor,
    configEntries,
  };
}

/** Dead letters of the producer connectors (records a file or polled source sent that could not be converted). */
export const DLQ_INGEST_TOPIC = 'dlq.ingest';
/** Dead letters of the normalizer (raw records that could not be decoded, mapped or validated). */
export const DLQ_NORMALIZER_TOPIC = 'dlq.normalizer';
/** Dead letters of the ClickHouse sink (canonical records it could not decode, project or that ClickHouse refused). */
export const DLQ_SINK_CLICKHOUSE_TOPIC = 'dlq.sink.clickhouse';

/** Dead letters of one subscription's webhook delivery (batches that ran out of retries). */
export function subscriptionDlqTopic(subscriptionId: string): string {
  return `dlq.sink.${subscriptionId}`;
}

/** Every topic of the pipeline: internal, raw per (source, kind), canonical per kind, dead letters. */
export function pipelineTopics(): TopicSpec[] {
  return [
    ...INTERNAL_TOPICS,
    ...sourceKinds().map(({ source, kind }) => ({ name: rawTopic(source, kind) })),
    ...KINDS.map((kind) => ({ name: canonicalTopic(kind), compacted: kindEntry(kind).compacted ?? false })),
    { name: DLQ_INGEST_TOPIC },
    { name: DLQ_NORMALIZER_TOPIC },
    { name: DLQ_SINK_CLICKHOUSE_TOPIC },
  ];
}

/**
 * kafkajs' own wait (`waitForLeaders`) gives up at the first UNKNOWN_TOPIC_OR_PARTITION, which a
 * KRaft broker answers for a moment after creating a topic; this waits through it.
 */
export async function waitForLeaders(admin: Admin, topics: readonly string[], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics: metadata } = await admin.fetchTopicMetadata({ topics: [...topics] });
      if (metadata.every((topic) => topic.partitions.length > 0 && topic.partitions.every((p) => p.leader >= 0))) return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline) throw new Error(`topics ${topics.join(', ')} have no leaders after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Returns the names of the topics it created. */
export async function ensureTopics(admin: Admin, specs: readonly TopicSpec[], defaults: TopicDefaults): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((spec) => !existing.has(spec.name));
  if (missing.length === 0) return [];
  await admin.createTopics({ waitForLeaders: false, topics: missing.map((spec) => topicConfig(spec, defaults)) });
  await waitForLeaders(admin, missing.map((spec) => spec.name));
  return missing.map((spec) => spec.name);
}
