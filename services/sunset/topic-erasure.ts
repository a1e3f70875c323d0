/**
 * The sunset's erasure of topics: every record of the stores whose sunset action is `delete` is
 * removed up to each partition's end (Kafka's DeleteRecords moves the start of the log; the
 * segments before it are deleted by the broker). Compacted topics (the checkpoint registry, the
 * internal state) hold no person's records to erase this way and are left alone; the audit topic
 * keeps its own retention.
 */
import type { Admin } from 'kafkajs';
import { KINDS, canonicalTopic, kindEntry, rawTopic, sourceKinds } from '../platform/catalog.ts';
import type { SunsetConfig, SunsetStore } from '../platform/config.ts';

/** The topics of one store, found among the cluster's topics. */
export function topicsOfStores(existing: readonly string[]): Map<string, SunsetStore> {
  const raw = new Set(sourceKinds().map(({ source, kind }) => rawTopic(source, kind)));
  const canonical = new Set(KINDS.filter((kind) => !kindEntry(kind).compacted).map(canonicalTopic));
  const stores = new Map<string, SunsetStore>();
  for (const topic of existing) {
    if (raw.has(topic)) stores.set(topic, 'raw');
    else if (canonical.has(topic)) stores.set(topic, 'canonical');
    else if (topic.startsWith('dlq.')) stores.set(topic, 'dead-letters');
    // Agency topics are out.<agency>.<kind> (subscriptions/model.ts, agencyTopic).
    else if (topic.startsWith('out.')) stores.set(topic, 'agency-topics');
  }
  return stores;
}

export interface ErasedTopic {
  topic: string;
  store: SunsetStore;
  action: 'deleted' | 'kept';
  /** Offsets the topic held before (records and transaction markers); what was deleted when deleted. */
  offsets: number;
}

/** Deletes the records of every topic of a store the configuration says to delete; reports every topic of the stores. */
export async function eraseTopics(admin: Admin, config: SunsetConfig): Promise<ErasedTopic[]> {
  const stores = topicsOfStores(await admin.listTopics());
  const erased: ErasedTopic[] = [];
  for (const [topic, store] of [...stores].sort(([a], [b]) => a.localeCompare(b))) {
    const partitions = await admin.fetchTopicOffsets(topic);
    const offsets = partitions.reduce((sum, { high, low }) => sum + Number(high) - Number(low), 0);
    const remove = config.actions[store] === 'delete';
    const nonEmpty = partitions.filter(({ high, low }) => Number(high) > Number(low));
    if (remove && nonEmpty.length > 0) {
      await admin.deleteTopicRecords({ topic, partitions: nonEmpty.map(({ partition, high }) => ({ partition, offset: high })) });
    }
    erased.push({ topic, store, action: remove ? 'deleted' : 'kept', offsets });
  }
  return erased;
}
