/**
 * Topic administration: creates what is missing with partitions, retention and compaction taken
 * from configuration, and brings the retention of existing topics in line with it (README,
 * "Retention"). Nothing else of an existing topic is changed.
 */
import kafkajs, { type Admin, type ITopicConfig } from 'kafkajs';
import { KINDS, canonicalTopic, kindEntry, rawTopic, sourceKinds } from './catalog.ts';
import { retentionOf, type RetentionConfig, type TopicDefaults } from './config.ts';
import type { Logger } from './logger.ts';

// kafkajs is CommonJS: its enums are properties of the default export.
const { ConfigResourceTypes, ConfigSource } = kafkajs;

export interface TopicSpec {
  name: string;
  /** Compacted topics keep the latest record per key forever (registries, offsets, state). */
  compacted?: boolean;
  partitions?: number;
  /** `retention.ms` of a topic that is not compacted; the broker's default when absent (tests' and benchmarks' own topics). */
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
        ...(spec.retentionMs !== undefined ? [{ name: 'retention.ms', value: String(spec.retentionMs) }] : []),
      ];
  return {
    topic: spec.name,
    numPartitions: spec.partitions ?? defaults.partitions,
    replicationFactor: defaults.replicationFactor,
    configEntries: [...configEntries, { name: 'min.insync.replicas', value: String(defaults.minInsyncReplicas) }],
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
export function pipelineTopics(retention: RetentionConfig): TopicSpec[] {
  const deadLetters = retentionOf(retention, 'dead-letters');
  return [
    ...INTERNAL_TOPICS,
    ...sourceKinds().map(({ source, kind }) => ({ name: rawTopic(source, kind), retentionMs: retentionOf(retention, 'raw', kind) })),
    ...KINDS.map((kind) => canonicalTopicSpec(canonicalTopic(kind), kind, retention)),
    { name: DLQ_INGEST_TOPIC, retentionMs: deadLetters },
    { name: DLQ_NORMALIZER_TOPIC, retentionMs: deadLetters },
    { name: DLQ_SINK_CLICKHOUSE_TOPIC, retentionMs: deadLetters },
  ];
}

/** A canonical topic (under any prefix): compacted for registry kinds (kept while current), else kept for the kind's canonical retention. */
export function canonicalTopicSpec(name: string, kind: (typeof KINDS)[number], retention: RetentionConfig): TopicSpec {
  return kindEntry(kind).compacted ? { name, compacted: true } : { name, retentionMs: retentionOf(retention, 'canonical', kind) };
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

export interface EnsuredTopics {
  created: string[];
  /** Topics whose `retention.ms` was changed to their spec's. */
  retentionChanged: string[];
  /** Topics whose retention Kafka did not let this principal read or change (left as they are). */
  retentionRefused: string[];
}

export async function ensureTopics(admin: Admin, specs: readonly TopicSpec[], defaults: TopicDefaults): Promise<EnsuredTopics> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((spec) => !existing.has(spec.name));
  if (missing.length > 0) {
    await admin.createTopics({ waitForLeaders: false, topics: missing.map((spec) => topicConfig(spec, defaults)) });
    await waitForLeaders(admin, missing.map((spec) => spec.name));
  }
  // Every timed topic is checked, not only those listed before: another process may have made one
  // in between (its creation here then did nothing), and then with other settings.
  const timed = specs.filter((spec) => !spec.compacted && spec.retentionMs !== undefined);
  return { created: missing.map((spec) => spec.name), ...(await alignRetention(admin, timed)) };
}

/** Logs what ensureTopics did; a refused retention change is a warning, not a failure to start. */
export function logEnsuredTopics(logger: Logger, ensured: EnsuredTopics): void {
  if (ensured.created.length > 0) logger.info({ topics: ensured.created }, 'created topics');
  if (ensured.retentionChanged.length > 0) logger.info({ topics: ensured.retentionChanged }, 'retention changed to the configured one');
  if (ensured.retentionRefused.length > 0) {
    logger.warn({ topics: ensured.retentionRefused }, 'Kafka refused to change these topics\' retention to the configured one (no ALTER_CONFIGS): they keep their own');
  }
}

/** The `retention.ms` Kafka applies to each topic (its own or the broker's default). */
export async function topicRetention(admin: Admin, topics: readonly string[]): Promise<Map<string, number>> {
  if (topics.length === 0) return new Map();
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: topics.map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configNames: ['retention.ms'] })),
  });
  return new Map(resources.map((r) => [r.resourceName, Number(r.configEntries.find((e) => e.configName === 'retention.ms')?.configValue)]));
}

async function alignRetention(admin: Admin, specs: readonly TopicSpec[]): Promise<Pick<EnsuredTopics, 'retentionChanged' | 'retentionRefused'>> {
  if (specs.length === 0) return { retentionChanged: [], retentionRefused: [] };
  try {
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: specs.map((spec) => ({ type: ConfigResourceTypes.TOPIC, name: spec.name })),
    });
    const wanted = new Map(specs.map((spec) => [spec.name, String(spec.retentionMs)]));
    const changes = resources.flatMap((resource) => {
      const retention = wanted.get(resource.resourceName)!;
      if (resource.configEntries.find((e) => e.configName === 'retention.ms')?.configValue === retention) return [];
      // AlterConfigs, the form kafkajs sends, replaces every setting of the topic's own: the others go along unchanged.
      const own = resource.configEntries
        .filter((e) => e.configSource === ConfigSource.TOPIC_CONFIG && e.configName !== 'retention.ms')
        .map((e) => ({ name: e.configName, value: e.configValue }));
      return [{ type: ConfigResourceTypes.TOPIC, name: resource.resourceName, configEntries: [...own, { name: 'retention.ms', value: retention }] }];
    });
    if (changes.length > 0) await admin.alterConfigs({ validateOnly: false, resources: changes });
    return { retentionChanged: changes.map((change) => change.name), retentionRefused: [] };
  } catch (error) {
    // A principal that may not read or change topic settings (a Kafka whose administrators keep
    // retention to themselves): the topics stay as they are, and the caller says so.
    if (refusedByAcl(error)) return { retentionChanged: [], retentionRefused: specs.map((spec) => spec.name) };
    throw error;
  }
}

/** Whether a kafkajs error is (or wraps) an authorization refusal. */
function refusedByAcl(error: unknown): boolean {
  if (error === null || typeof error !== 'object') return false;
  const { type, cause, errors } = error as { type?: unknown; cause?: unknown; errors?: unknown };
  return /AUTHORIZATION_FAILED/.test(String(type)) || refusedByAcl(cause) || (Array.isArray(errors) && errors.some(refusedByAcl));
}
