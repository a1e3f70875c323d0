/**
 * The pull connector instances (Kafka Connect's config topic): one record per instance on a
 * compacted topic (CONNECT_CONFIG_TOPIC), keyed by its name, holding its type, its configuration as
 * given (defaults are filled in when it runs) and its target state. A deleted instance is a
 * tombstone. The key `#defaults` (no instance can be named so) lists the deployment's default
 * instances created so far (default-connectors.ts), so each is created once and a deleted one stays deleted. Every connector host follows the topic, so a change applies within moments and a
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

const DEFAULTS_KEY = '#defaults';

interface DefaultsRow {
  defaultsCreated: string[];
}

type Row = ConnectorInstance | DefaultsRow;

const isInstance = (row: Row): row is ConnectorInstance => !('defaultsCreated' in row);

function parseRow(value: unknown, key: string): Row {
  if (key === DEFAULTS_KEY) {
    const created = (value as Partial<DefaultsRow> | null)?.defaultsCreated;
    if (!Array.isArray(created) || !created.every((name) => typeof name === 'string')) throw new Error('not a list of default instances');
    return { defaultsCreated: created };
  }
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
  private readonly table: CompactedTable<Row>;

  private constructor(table: CompactedTable<Row>) {
    this.table = table;
  }

  static async start(kafka: Kafka, config: Config, logger: Logger): Promise<ConnectorStore> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(admin, [{ name: config.connect.configTopic, compacted: true, partitions: 1 }], config.topics);
    } finally {
      await admin.disconnect();
    }
    return new ConnectorStore(await CompactedTable.start<Row>({ kafka, topic: config.connect.configTopic, logger, parse: parseRow }));
  }

  get(name: string): ConnectorInstance | undefined {
    const row = this.table.get(name);
    return row && isInstance(row) ? row : undefined;
  }

  list(): ConnectorInstance[] {
    return this.table.values().filter(isInstance).sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.name.localeCompare(b.name));
  }

  /** Writes (null: deletes) and returns once this store holds the change. */
  write(name: string, instance: ConnectorInstance | null): Promise<void> {
    return this.table.write(name, instance);
  }

  /** The default instances created so far, deleted or not. */
  defaultsCreated(): ReadonlySet<string> {
    const row = this.table.get(DEFAULTS_KEY);
    return new Set(row && !isInstance(row) ? row.defaultsCreated : []);
  }

  async markDefaultsCreated(names: readonly string[]): Promise<void> {
    await this.table.write(DEFAULTS_KEY, { defaultsCreated: [...new Set([...this.defaultsCreated(), ...names])] });
  }

  onChange(listener: (name: string) => void): () => void {
    return this.table.onChange((name) => {
      if (name !== DEFAULTS_KEY) listener(name);
    });
  }

  close(): Promise<void> {
    return this.table.close();
  }
}
