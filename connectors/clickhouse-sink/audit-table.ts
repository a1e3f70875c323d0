/**
 * The disclosure audit in ClickHouse: the audit topic copied into `<AUDIT_DATABASE>.disclosures`,
 * a database of its own, so the analysts' endpoint (which admits its one database) cannot read it.
 * Each delivered batch becomes one row per event; a ReplacingMergeTree ordered by `audit_id`
 * (delivery/<subscription>/<event id>, query/…, audit-read/…) keeps one row per delivery, query or
 * reading however often it was written (a webhook batch re-sent after a crash, a batch of the topic
 * read twice); readers use FINAL. Rows are kept for the audit's retention after they happened.
 *
 * The writer is a sink of its own (its consumer group, `AUDIT_SINK_GROUP_ID`) run by the ClickHouse
 * sink's process, which holds the engine: each batch is inserted before its offsets may be committed.
 */
import type { Kafka } from 'kafkajs';
import { deliveryAuditId, type AuditRecord } from '../../services/platform/audit-log.ts';
import type { AvroSerde } from '../../services/platform/avro-serde.ts';
import type { ClickHouseHandle } from '../../services/platform/clickhouse.ts';
import { retentionOf, type Config } from '../../services/platform/config.ts';
import type { Logger } from '../../services/platform/logger.ts';
import { SinkRunner, type PartitionOffset, type SinkBatch, type TopicPartition } from '../../services/platform/sink-runner.ts';
import { renderMigration } from '../../services/clickhouse/migrations.ts';
import { alignTtls, ttlExpression } from './table-retention.ts';

export const AUDIT_TABLE = 'disclosures';

/** Creates the audit database and table if missing and brings the table's TTL to the configured retention. */
export async function ensureAuditTable(handle: ClickHouseHandle, config: Pick<Config, 'audit' | 'retention' | 'clickhouse'>): Promise<void> {
  // The database name is validated as a plain identifier (and not the analysts' one) in config.ts.
  const database = config.audit.database;
  const cluster = config.clickhouse.cluster;
  const ttl = ttlExpression(Math.round(retentionOf(config.retention, 'audit') / 1000), 'at');
  await handle.client.command({ query: renderMigration(`CREATE DATABASE IF NOT EXISTS ${database} {{on_cluster}}`, cluster) });
  await handle.client.command({
    query: renderMigration(
      `CREATE TABLE IF NOT EXISTS ${database}.${AUDIT_TABLE} {{on_cluster}}
      (
        audit_id String COMMENT 'What the entry is about: delivery/<subscription>/<event id>, query/<query id>, audit-read/<id>.',
        action LowCardinality(String) COMMENT 'delivery, analyst_query, audit_read or sunset.',
        at DateTime64(3, 'UTC') COMMENT 'When it happened.',
        actor LowCardinality(String) COMMENT 'The agency, the analyst or operator.',
        subscription Nullable(String) COMMENT 'The subscription of a delivery.',
        channel LowCardinality(Nullable(String)) COMMENT 'webhook or topic.',
        tier LowCardinality(Nullable(String)) COMMENT 'identified or pseudonymous.',
        event_id Nullable(String) COMMENT 'The canonical event delivered.',
        kind LowCardinality(Nullable(String)) COMMENT 'The canonical kind delivered.',
        person_key Nullable(String) COMMENT 'The pseudonym of the person a delivered record is about.',
        statement Nullable(String) COMMENT 'The analyst statement, the question asked of the audit, or a sunset''s signed receipt.',
        rows_read Nullable(UInt64) COMMENT 'Rows read by a query; rows answered by an audit read.',
        refused Bool COMMENT 'The statement was refused or failed.',
        INDEX person_key_index person_key TYPE bloom_filter GRANULARITY 4,
        INDEX actor_index actor TYPE set(1000) GRANULARITY 4
      )
      ENGINE = {{engine:ReplacingMergeTree}}
      ORDER BY audit_id
      TTL ${ttl}
      COMMENT 'The disclosure audit (README, Disclosure audit): one row per delivery, analyst query and reading of the audit. Not readable by analysts.'`,
      cluster,
    ),
  });
  // A table made before a retention change keeps its old TTL until told.
  await alignTtls(handle, new Map([[AUDIT_TABLE, ttl]]), cluster, database);
}

/** ClickHouse's default DateTime64 text: `2021-10-01 07:30:00.000`. */
function dateTime64(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

/** The table's rows of one audit record: one per delivered event, keyed by subscription and event; one for any other entry. */
export function auditRows(record: AuditRecord): Record<string, unknown>[] {
  const { events, ...entry } = record;
  const row = { ...entry, at: dateTime64(Number(record.at)), event_id: null };
  if (record.action !== 'delivery') return [row];
  return events.map((event) => ({ ...row, audit_id: deliveryAuditId(record.subscription!, event.event_id), event_id: event.event_id, person_key: event.person_key }));
}

export interface AuditTableWriter {
  close(): Promise<void>;
}

export async function startAuditTableWriter(options: {
  config: Config;
  kafka: Kafka;
  serde: AvroSerde;
  clickhouse: ClickHouseHandle;
  logger: Logger;
}): Promise<AuditTableWriter> {
  const { config, kafka, serde, clickhouse, logger } = options;
  await ensureAuditTable(clickhouse, config);
  const table = `${config.audit.database}.${AUDIT_TABLE}`;
  /** Per partition, the offset after what ClickHouse holds: what may be committed. */
  const written = new Map<string, PartitionOffset>();
  const runner = new SinkRunner(
    { kafka, consumer: { groupId: config.audit.groupId }, topics: [config.audit.topic], commitIntervalMs: 1_000, logger },
    {
      open(partitions: TopicPartition[]) {
        const held = new Set(partitions.map(({ topic, partition }) => `${topic}:${partition}`));
        for (const key of [...written.keys()]) if (!held.has(key)) written.delete(key);
      },
      close() {
        written.clear();
      },
      async put(batch: SinkBatch) {
        const rows: Record<string, unknown>[] = [];
        for (const message of batch.messages) {
          // Only AuditLog writes this topic (ACLs): a record it cannot decode is a fault to stop on, not to skip.
          if (message.value) rows.push(...auditRows(await serde.decode<AuditRecord>(message.value)));
        }
        if (rows.length > 0) await clickhouse.client.insert({ table, values: rows, format: 'JSONEachRow' });
        written.set(`${batch.topic}:${batch.partition}`, { topic: batch.topic, partition: batch.partition, offset: batch.nextOffset });
      },
      async preCommit() {
        return [...written.values()];
      },
    },
  );
  await runner.start();
  logger.info({ topic: config.audit.topic, table }, 'audit table writer started');
  return { close: () => runner.stop() };
}
