/**
 * The sizes Kafka accepts from a producer, read from the cluster: a record batch (one partition's
 * records in one produce request) may hold at most the topic's `max.message.bytes` (which inherits
 * the broker's `message.max.bytes`), and a whole request at most the broker's
 * `socket.request.max.bytes`. The coalescing producer plans its produce requests within them.
 */
import kafkajs, { type Admin } from 'kafkajs';
import { BATCH_OVERHEAD_BYTES } from './record-size.ts';

// kafkajs is CommonJS, and Node's import of it does not find this name among its named exports.
const { ConfigResourceTypes } = kafkajs;

/** Kept free in every batch besides the framing counted per record, for what kafkajs may add. */
const SAFETY_MARGIN_BYTES = 1024;

export interface TopicLimit {
  /** The framed bytes of records one partition's batch may carry (record-size.ts counts them). */
  maxBatchBytes: number;
  /** Partitions of the topic, to foresee where a keyed record goes. */
  partitions: number;
}

export interface ProduceLimits {
  topics: ReadonlyMap<string, TopicLimit>;
  /** For a topic not described: the broker's limit, and all its records counted as one batch. */
  defaultMaxBatchBytes: number;
  /** The framed bytes of records one produce request may carry, all partitions together. */
  maxRequestBytes: number;
}

/** What a batch of `limit` bytes leaves for records once its header and the margin are taken. */
export function usableBatchBytes(limit: number): number {
  return Math.max(1, limit - BATCH_OVERHEAD_BYTES - SAFETY_MARGIN_BYTES);
}

function configValue(resource: { configEntries: { configName: string; configValue: string }[] }, name: string): number {
  const entry = resource.configEntries.find((e) => e.configName === name);
  const value = Number(entry?.configValue);
  if (!entry || !Number.isInteger(value) || value <= 0) throw new Error(`Kafka did not report a usable ${name} (${entry?.configValue})`);
  return value;
}

/** Reads the limits of every broker and of `topics` (which must exist). */
export async function readProduceLimits(admin: Admin, topics: string[]): Promise<ProduceLimits> {
  const { brokers } = await admin.describeCluster();
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [
      ...brokers.map((broker) => ({
        type: ConfigResourceTypes.BROKER,
        name: String(broker.nodeId),
        configNames: ['message.max.bytes', 'socket.request.max.bytes'],
      })),
      ...topics.map((topic) => ({ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['max.message.bytes'] })),
    ],
  });
  const brokerResources = described.resources.filter((r) => r.resourceType === ConfigResourceTypes.BROKER);
  const brokerMessageMax = Math.min(...brokerResources.map((r) => configValue(r, 'message.max.bytes')));
  const requestMax = Math.min(...brokerResources.map((r) => configValue(r, 'socket.request.max.bytes')));
  const { topics: metadata } = await admin.fetchTopicMetadata({ topics });
  const limits = new Map<string, TopicLimit>();
  for (const resource of described.resources.filter((r) => r.resourceType === ConfigResourceTypes.TOPIC)) {
    const partitions = metadata.find((t) => t.name === resource.resourceName)?.partitions.length ?? 0;
    if (partitions === 0) throw new Error(`Kafka reported no partitions for topic ${resource.resourceName}`);
    limits.set(resource.resourceName, {
      // The topic's value already inherits the broker's; the smaller of both is what is enforced.
      maxBatchBytes: usableBatchBytes(Math.min(configValue(resource, 'max.message.bytes'), brokerMessageMax)),
      partitions,
    });
  }
  return { topics: limits, defaultMaxBatchBytes: usableBatchBytes(brokerMessageMax), maxRequestBytes: usableBatchBytes(requestMax) };
}
