/**
 * The pull connector instances (Kafka Connect's config topic): one record per instance on a
 * compacted topic (CONNECT_CONFIG_TOPIC), keyed by its name, holding its type, its configuration as
 * given (defaults are filled in when it runs) and its target state. A deleted instance is a
 * tombstone. Every connector host follows the topic, so a change applies within moments and a
 * restart finds every instance as it was left.
 */
import type { Kafka } from 'kafkajs';
import { CompactedTable } from '../../services/platform/compacted-table.ts';
import type { Config } from '../../services/platform/config.ts';
import type { Logger } from '../../services/platform/logger.ts';
import { ensureTopics } from '../../services/platform/topics.ts';
import type { ConnectorConfig } from './config-spec.ts';

/** What the operator asked for: STOPPED releases the source and allows altering offsets (KIP-875). */
export type TargetState = 'RUNNING' | 'PAUSED' | 'STOPPED';
export const TARGET_STATES: readonly TargetState[] = ['RUNNING', 'PAUSED', 'STOPPED'];

export interface ConnectorInstance {
  name: string;
  type: string;
  config: ConnectorConfig;
  state: TargetState;
  createdAt: string;
  updatedAt: string;
}

/** Names key offsets and transactional ids (`truc-connect-<name>`). */
export const CONNECTOR_NAME = /^[A-Za-z0-9._-]{1,100}$/;

function parseInstance(value: unknown, key: string): ConnectorInstance {
  const row = value as Partial<ConnectorInstance> | null;
  if (
    row === null || typeof row !== 'object' || row.name !== key || typeof row.type !== 'string' ||
    row.config === null || typeof row.config !== 'object' || Array.isArray(row.config) || !TARGET_STATES.includes(row.state as TargetState)
  ) {
    throw new Error('not a connector instance');
  }
  return row as ConnectorInstance;
}

export class ConnectorStore {
  private readonly table: CompactedTable<ConnectorInstance>;
  /** Whether the topic held no instance when this store started: the deployment's first start. */
  readonly emptyAtStart: boolean;

  private constructor(table: CompactedTable<ConnectorInstance>) {
    this.table = table;
    this.emptyAtStart = table.size === 0;
  }

  static async start(kafka: Kafka, config: Config, logger: Logger): Promise<ConnectorStore> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(admin, [{ name: config.connect.configTopic, compacted: true, partitions: 1 }], config.topics);
    } finally {
      await admin.disconnect();
    }
    return new ConnectorStore(await CompactedTable.start({ kafka, topic: config.connect.configTopic, logger, parse: parseInstance }));
  }

  get(name: string): ConnectorInstance | undefined {
    return this.table.get(name);
  }

  list(): ConnectorInstance[] {
    return this.table.values().sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.name.localeCompare(b.name));
  }

  /** Writes (null: deletes) and returns once this store holds the change. */
  write(name: string, instance: ConnectorInstance | null): Promise<void> {
    return this.table.write(name, instance);
  }

  onChange(listener: (name: string) => void): () => void {
    return this.table.onChange((name) => listener(name));
  }

  close(): Promise<void> {
    return this.table.close();
  }
}
