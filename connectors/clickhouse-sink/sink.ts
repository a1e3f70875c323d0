/**
 * The ClickHouse sink: a member of the consumer group CLICKHOUSE_SINK_GROUP_ID over every canonical
 * topic (read_committed). Records are buffered across partitions and written when the buffer holds
 * CLICKHOUSE_SINK_MAX_ROWS rows, when its oldest record waited CLICKHOUSE_SINK_MAX_WAIT_MS, or when
 * no insert is running and it holds CLICKHOUSE_SINK_MIN_ROWS.
 *
 * Exactly once into the tables:
 * - one insert per topic and flush, holding a range of each partition that has records, with a
 *   deduplication token derived from those ranges (flush-plan.ts);
 * - before inserting, the sink logs the ranges and the token in `sink_batches`; after a crash or a
 *   rebalance, the inserts logged after the committed offsets are formed again with the same
 *   ranges (same token), so ClickHouse drops the repeat in the base table and in the materialized
 *   views alike; a topic's partitions all go to one sink instance (topic-assigner.ts);
 * - offsets are committed (autoCommit off) only after ClickHouse acknowledged every insert and the
 *   dead letters were acknowledged by Kafka (the sink runner commits what `preCommit` gives).
 *
 * ClickHouse failing or unreachable: the write is retried with back-off for as long as it takes,
 * and the consumer blocks meanwhile (back pressure); nothing is skipped. A record that cannot be
 * decoded or projected, or that ClickHouse refuses as data (found by halving the range until the
 * refused rows stand alone), goes to `dlq.sink.clickhouse` with the reason in headers; the rest flows.
 */
import type { Admin, Kafka, KafkaMessage, Message, Producer } from 'kafkajs';
import { backoffDelay, type BackoffPolicy } from '../../services/platform/backoff.ts';
import { auditTopicSpec } from '../../services/platform/audit-log.ts';
import { createAvroSerde } from '../../services/platform/avro-serde.ts';
import { KINDS, type Kind } from '../../services/platform/catalog.ts';
import { createClickHouse, type ClickHouseHandle } from '../../services/platform/clickhouse.ts';
import { retentionOf, type Config } from '../../services/platform/config.ts';
import { createKafka } from '../../services/platform/kafka.ts';
import type { Logger } from '../../services/platform/logger.ts';
import { deadLetterRecord } from '../../services/platform/dead-letter-record.ts';
import { DLQ_SINK_CLICKHOUSE_TOPIC, canonicalTopicSpec, ensureTopics, logEnsuredTopics } from '../../services/platform/topics.ts';
import { migrate } from '../../services/clickhouse/migrations.ts';
import { clickhouseErrorType, isDataError } from './clickhouse-errors.ts';
import { ArrowInserter } from './arrow-insert.ts';
import { ClickHouseSinkMetrics } from './metrics.ts';
import { applyTableRetention, tableRetentions } from './table-retention.ts';
import { startAuditTableWriter } from './audit-table.ts';
import { applySmallCellViews } from './small-cell-views.ts';
import { PROJECTIONS, type Row } from './projection.ts';
import { createRecordPreparer, isRow, type Entry } from './record-preparation.ts';
import { loadLoggedGroups, logGroups } from './batch-log.ts';
import { planTopic, type LoggedGroup, type PlannedGroup, type TopicPlan } from './flush-plan.ts';
import { wholeTopicAssigner } from './topic-assigner.ts';
import { PutInterrupted, SinkRunner, type PartitionOffset, type SinkBatch, type SinkContext, type TopicPartition } from '../../services/platform/sink-runner.ts';
import { CrashRecorder, type StageCrash } from '../../services/platform/stage-crash.ts';

export interface StartClickHouseSinkOptions {
  config: Config;
  logger: Logger;
  /** An engine handle owned by the caller (e.g. shared with the analysts' endpoint); not closed by the sink. */
  clickhouse?: ClickHouseHandle;
  metrics?: ClickHouseSinkMetrics;
}

export interface ClickHouseSinkStatus {
  rowsWritten: Record<Kind, number>;
  batches: number;
  deadLetters: number;
  /** Records on the canonical topics not yet committed by the sink (as of the last fetch). */
  lag: number;
  /** Rows read and waiting to be written. */
  buffered: number;
  /** True while a write fails and is being retried (consumption is held). */
  failing: boolean;
  lastError: string | null;
  /** The consumer's last crash since start (kafkajs restarts it), with its cause. */
  lastCrash: StageCrash | null;
  /** Failed writes retried since start. */
  retries: number;
  /** When the last batch was inserted (ISO time), null before the first. */
  lastInsertAt: string | null;
}

export interface RunningClickHouseSink {
  clickhouse: ClickHouseHandle;
  metrics: ClickHouseSinkMetrics;
  status(): ClickHouseSinkStatus;
  /** Writes what is buffered (if ClickHouse answers), commits, and leaves the group. */
  close(): Promise<void>;
}

const SINK_STAGE = 'sink.clickhouse';

interface DeadLetter {
  message: KafkaMessage;
  topic: string;
  partition: number;
  kind: Kind;
  source: string | null;
  errorClass: string;
  reason: string;
}

interface PreparedRow {
  offset: number;
  partition: number;
  message: KafkaMessage;
  row: Row;
}

/** A flush's insert for one topic, with the kind it holds; `done` once ClickHouse acknowledged it. */
interface Insert {
  topic: string;
  kind: Kind;
  group: PlannedGroup<Entry>;
  done: boolean;
}

const tpKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;

class StaleBatchError extends Error {}

export async function startClickHouseSink(options: StartClickHouseSinkOptions): Promise<RunningClickHouseSink> {
  const { config, logger: parentLogger } = options;
  const sinkConfig = config.clickhouseSink;
  const logger = parentLogger.child({ component: 'clickhouse-sink' });
  const metrics = options.metrics ?? new ClickHouseSinkMetrics();
  const clickhouse = options.clickhouse ?? (await createClickHouse(config.clickhouse));
  const ownsClickHouse = options.clickhouse === undefined;
  const policy: BackoffPolicy = { initialMs: sinkConfig.retryInitialMs, maxMs: sinkConfig.retryMaxMs };

  const migration = await migrate(clickhouse, { cluster: config.clickhouse.cluster });
  if (migration.applied.length > 0) logger.info({ applied: migration.applied }, 'clickhouse migrations applied');
  const retentionChanged = await applyTableRetention(clickhouse, tableRetentions(config.retention), config.clickhouse.cluster);
  if (retentionChanged.length > 0) logger.info({ tables: retentionChanged }, 'clickhouse retention changed to the configured one');
  await applySmallCellViews(clickhouse, sinkConfig.smallCellK, config.clickhouse.cluster);
  // On the embedded engine rows go in Arrow's binary layout (a session of the sink's own on the same folder); a server gets JSON.
  const arrow = clickhouse.dataDir === null ? null : new ArrowInserter(clickhouse.dataDir, clickhouse.database);

  const kindOfTopic = new Map<string, Kind>(KINDS.map((kind) => [`${sinkConfig.topicPrefix}${kind}`, kind]));
  const topics = [...kindOfTopic.keys()];
  const kafka: Kafka = createKafka(config.kafka, parentLogger, 'clickhouse-sink');
  // Kept connected: a (re)assignment reads the committed offsets to find the inserts to form again.
  const admin: Admin = kafka.admin();
  await admin.connect();
  const topicSpecs = [
    ...[...kindOfTopic].map(([topic, kind]) => canonicalTopicSpec(topic, kind, config.retention)),
    { name: DLQ_SINK_CLICKHOUSE_TOPIC, retentionMs: retentionOf(config.retention, 'dead-letters') },
    auditTopicSpec(config),
  ];
  logEnsuredTopics(logger, await ensureTopics(admin, topicSpecs, config.topics));
  const serde = createAvroSerde(config.schemaRegistry);
  const prepare = createRecordPreparer({ serde, registry: config.schemaRegistry, clickhouse, logger });
  const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();

  // --- state ---------------------------------------------------------------------------------
  /** Per topic, per partition: the records read and not yet written, in offset order. */
  const buffer = new Map<string, Map<number, Entry[]>>();
  let bufferedRows = 0;
  let oldestAt = 0;
  /** Per partition, the next offset not yet buffered or written: a re-fetch after a rebalance repeats earlier ones. */
  const nextOffset = new Map<string, number>();
  /** Per topic, the logged inserts still to be formed again (loaded once per assignment). */
  const loggedGroups = new Map<string, LoggedGroup[]>();
  const highWatermarks = new Map<string, number>();
  const committed = new Map<string, number>();
  /** Per partition, the offset after what ClickHouse acknowledged (and the dead letters Kafka did): what may be committed. */
  const written = new Map<string, PartitionOffset>();
  /** Bumped at every rebalance: work of an older generation is abandoned (Kafka redelivers it). */
  let generation = 0;
  let stopping = false;
  /** Cuts a back-off wait short when the sink stops. */
  let stopWaiting: () => void = () => {};
  let failing = false;
  let lastError: string | null = null;
  const counts = { rows: Object.fromEntries(KINDS.map((kind) => [kind, 0])) as Record<Kind, number>, batches: 0, deadLetters: 0, retries: 0 };
  let lastInsertAt: string | null = null;

  function forgetBuffer(): void {
    buffer.clear();
    bufferedRows = 0;
    oldestAt = 0;
    loggedGroups.clear();
    nextOffset.clear();
    written.clear();
  }

  // --- writing ---------------------------------------------------------------------------------
  /**
   * Inserts the rows; returns the ones ClickHouse refuses as data, each with the reason. Halves get
   * tokens of their own (the insert's token and their rows' positions): the same halving happens
   * again after a crash.
   */
  async function insertRows(insert: Insert, token: string, rows: PreparedRow[], from = 0): Promise<{ row: PreparedRow; reason: string }[]> {
    if (rows.length === 0) return [];
    const columns = columnsOf(rows);
    try {
      const table = PROJECTIONS[insert.kind].table;
      if (arrow && (await arrow.insert({ table, columns, rows: rows.map(({ row }) => row), token }))) return [];
      // Compact rows (values in column order, no keys): about half the parsing work of JSONEachRow.
      await clickhouse.client.insert({
        table,
        columns,
        format: 'JSONCompactEachRow',
        values: rows.map(({ row }) => columns.map((column) => row[column] ?? null)),
        clickhouse_settings: {
          insert_deduplication_token: token,
          insert_deduplicate: 1,
          deduplicate_blocks_in_dependent_materialized_views: 1,
        },
      });
      return [];
    } catch (error) {
      if (!isDataError(error)) throw error;
      if (rows.length === 1) return [{ row: rows[0]!, reason: refusalReason(error) }];
      const middle = Math.ceil(rows.length / 2);
      const half = (start: number, end: number) => insertRows(insert, `${insert.group.token}#${start}-${end - 1}`, rows.slice(start - from, end - from), start);
      return [...(await half(from, from + middle)), ...(await half(from + middle, from + rows.length))];
    }
  }

  async function writeInsert(insert: Insert, deadLetters: DeadLetter[], timings: { insertMs: number }): Promise<void> {
    const rows: PreparedRow[] = [];
    const letters: DeadLetter[] = [];
    const { topic, kind } = insert;
    for (const range of insert.group.ranges) {
      for (const { offset, message, outcome } of range.entries) {
        if (outcome === null) continue;
        if (isRow(outcome)) rows.push({ offset, partition: range.partition, message, row: outcome.row });
        else letters.push({ message, topic, partition: range.partition, kind, ...outcome });
      }
    }
    const started = performance.now();
    const refused = await insertRows(insert, insert.group.token, rows);
    timings.insertMs += performance.now() - started;
    for (const { row, reason } of refused) {
      letters.push({
        message: row.message,
        topic,
        partition: row.partition,
        kind,
        source: typeof row.row.source === 'string' ? row.row.source : null,
        errorClass: 'ClickHouseRejected',
        reason,
      });
    }
    deadLetters.push(...letters);
    metrics.rowsWritten.inc({ kind }, rows.length - refused.length);
    counts.rows[kind] += rows.length - refused.length;
  }

  function deadLetterMessage(letter: DeadLetter): Message {
    const { message, topic, partition, kind, source, errorClass, reason } = letter;
    return deadLetterRecord({
      stage: SINK_STAGE,
      reason,
      errorClass,
      kind,
      source,
      readAt: { topic, partition, offset: message.offset },
      key: message.key,
      value: message.value,
      headers: message.headers,
    });
  }

  /** The committed offsets of a topic's partitions (-1: none yet). */
  async function committedOffsets(topic: string): Promise<Map<number, number>> {
    const [entry] = await admin.fetchOffsets({ groupId: sinkConfig.groupId, topics: [topic] });
    return new Map((entry?.partitions ?? []).map(({ partition, offset }) => [partition, Number(offset)]));
  }

  interface Plan {
    generation: number;
    inserts: Insert[];
    topics: Map<string, TopicPlan<Entry>>;
    deadLetters: DeadLetter[];
    deadLettersSent: boolean;
    timings: { insertMs: number };
  }

  async function plan(): Promise<Plan> {
    const result: Plan = { generation, inserts: [], topics: new Map(), deadLetters: [], deadLettersSent: false, timings: { insertMs: 0 } };
    let budget = sinkConfig.maxRows;
    for (const [topic, partitions] of buffer) {
      if (budget <= 0) break;
      let logged = loggedGroups.get(topic);
      if (logged === undefined) {
        logged = await loadLoggedGroups(clickhouse, topic, await committedOffsets(topic));
        loggedGroups.set(topic, logged);
        if (logged.length > 0) logger.info({ topic, inserts: logged.length }, 'forming logged inserts again with their ranges');
      }
      const topicPlan = planTopic(topic, partitions, logged, budget);
      budget -= topicPlan.rows;
      result.topics.set(topic, topicPlan);
      const kind = kindOfTopic.get(topic)!;
      for (const group of topicPlan.groups) result.inserts.push({ topic, kind, group, done: group.inserted });
    }
    return result;
  }

  async function execute(work: Plan): Promise<void> {
    await logGroups(
      clickhouse,
      work.inserts.filter(({ group }) => !group.logged).map(({ topic, group }) => ({ topic, token: group.token, ranges: group.ranges })),
    );
    for (const insert of work.inserts) {
      if (work.generation !== generation) throw new StaleBatchError();
      if (insert.done) continue;
      await writeInsert(insert, work.deadLetters, work.timings);
      insert.done = true;
    }
    if (!work.deadLettersSent && work.deadLetters.length > 0) {
      await producer.send({ topic: DLQ_SINK_CLICKHOUSE_TOPIC, acks: -1, messages: work.deadLetters.map(deadLetterMessage) });
      work.deadLettersSent = true;
    }
    if (work.generation !== generation) throw new StaleBatchError();
    const ends = new Map<string, { topic: string; partition: number; offset: number }>();
    for (const { topic, group } of work.inserts) {
      for (const range of group.ranges) {
        const key = tpKey(topic, range.partition);
        ends.set(key, { topic, partition: range.partition, offset: Math.max(ends.get(key)?.offset ?? 0, range.last + 1) });
      }
    }
    for (const end of ends.values()) written.set(tpKey(end.topic, end.partition), end);
  }

  async function flushOnce(): Promise<void> {
    if (bufferedRows === 0) return;
    const started = performance.now();
    const work = await retrying(() => plan(), null);
    if (work === null) return;
    const done = await retrying(() => execute(work), work);
    if (done === null || work.generation !== generation) return;
    // Remove what was written; what came meanwhile and what waits for the rest of a logged insert stays.
    for (const [topic, { taken, loggedTaken }] of work.topics) {
      const partitions = buffer.get(topic);
      if (!partitions) continue;
      for (const [partition, count] of taken) {
        const entries = partitions.get(partition);
        if (!entries || count === 0) continue;
        entries.splice(0, count);
        bufferedRows -= count;
        if (entries.length === 0) partitions.delete(partition);
      }
      if (partitions.size === 0) buffer.delete(topic);
      loggedGroups.get(topic)?.splice(0, loggedTaken);
    }
    oldestAt = bufferedRows > 0 ? Date.now() : 0;
    for (const letter of work.deadLetters) metrics.deadLetters.inc({ kind: letter.kind, error_class: letter.errorClass });
    counts.deadLetters += work.deadLetters.length;
    if (work.inserts.length > 0) {
      counts.batches += 1;
      lastInsertAt = new Date().toISOString();
      metrics.batches.inc();
      logger.debug(
        {
          inserts: work.inserts.length,
          records: work.inserts.reduce((sum, { group }) => sum + group.ranges.reduce((n, range) => n + range.entries.length, 0), 0),
          deadLetters: work.deadLetters.length,
          insertMs: Math.round(work.timings.insertMs),
          totalMs: Math.round(performance.now() - started),
        },
        'clickhouse batch written',
      );
    }
    updateLag();
  }

  /**
   * Runs `step` until it succeeds, backing off between attempts. Returns null when the work became
   * stale (a rebalance) or the sink is stopping while the step still fails.
   */
  async function retrying<T>(step: () => Promise<T>, work: Plan | null): Promise<T | null> {
    for (let failures = 0; ; ) {
      try {
        const result = await step();
        if (failing) logger.info({ failures }, 'clickhouse sink recovered');
        failing = false;
        metrics.failing.set(0);
        return result;
      } catch (error) {
        if (error instanceof StaleBatchError || (work !== null && work.generation !== generation)) return null;
        failures += 1;
        counts.retries += 1;
        failing = true;
        metrics.failing.set(1);
        metrics.failures.inc();
        lastError = clickhouseErrorType(error) ?? (error as Error).message;
        if (stopping) {
          logger.warn({ err: lastError }, 'clickhouse sink stops with unwritten records; they are read again at the next start');
          return null;
        }
        const delay = backoffDelay(failures, policy);
        logger.warn({ err: lastError, failures, retryInMs: delay }, 'clickhouse sink write failed; retrying, consumption held');
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          stopWaiting = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
  }

  let flushing: Promise<void> | null = null;
  /** Whether a batch should be written now; `writerFree`: no insert is running (or the writer asks for its next one). */
  const due = (writerFree = flushing === null) =>
    bufferedRows >= sinkConfig.maxRows ||
    (writerFree && bufferedRows >= sinkConfig.minRows) ||
    (bufferedRows > 0 && (stopping || Date.now() - oldestAt >= sinkConfig.maxWaitMs));
  /** Writes batches while one is due; one writer at a time, joined by whoever asks meanwhile. */
  function flush(): Promise<void> {
    flushing ??= (async () => {
      try {
        while (due(true)) {
          const before = bufferedRows;
          await flushOnce();
          // Nothing could be written (all of it waits for the rest of a logged range, or the sink stops).
          if (bufferedRows === before) break;
        }
      } catch (error) {
        lastError = (error as Error).message;
        logger.error({ err: lastError }, 'clickhouse sink flush failed');
      } finally {
        flushing = null;
      }
    })();
    return flushing;
  }

  function updateLag(): void {
    for (const [key, high] of highWatermarks) {
      const [topic, partition] = key.split('\u0000') as [string, string];
      metrics.lag.set({ topic, partition }, Math.max(0, high - (committed.get(key) ?? 0)));
    }
  }

  // --- consuming ---------------------------------------------------------------------------------
  /** Buffers a batch's records, prepared; writing is asked for when due and waited for when the buffer is full. */
  async function put(batch: SinkBatch, context: SinkContext): Promise<void> {
    const key = tpKey(batch.topic, batch.partition);
    highWatermarks.set(key, batch.highWatermark);
    if (!committed.has(key) && batch.messages.length > 0) committed.set(key, Number(batch.messages[0]!.offset));
    const from = nextOffset.get(key) ?? -1;
    const fresh = batch.messages.filter((message) => Number(message.offset) >= from);
    if (fresh.length > 0) {
      const keepAlive = setInterval(() => void context.heartbeat().catch(() => {}), 1_000);
      let entries: Entry[] | null;
      try {
        entries = await retrying(() => prepare(kindOfTopic.get(batch.topic)!, fresh), null);
      } finally {
        clearInterval(keepAlive);
      }
      // Stopping while the registry is away, or a rebalance meanwhile: these records are read again.
      if (entries === null || !context.isCurrent()) throw new PutInterrupted();
      let partitions = buffer.get(batch.topic);
      if (!partitions) {
        partitions = new Map();
        buffer.set(batch.topic, partitions);
      }
      const pending = partitions.get(batch.partition);
      if (pending) pending.push(...entries);
      else partitions.set(batch.partition, entries);
      if (bufferedRows === 0) oldestAt = Date.now();
      bufferedRows += entries.length;
      nextOffset.set(key, entries[entries.length - 1]!.offset + 1);
    }
    updateLag();
    // A batch is written while the next one is fetched; with two full batches' worth buffered,
    // fetching stops until the writes catch up, however long ClickHouse takes (back pressure).
    if (due()) void commitWritten(context);
    if (bufferedRows < 2 * sinkConfig.maxRows) return;
    const keepAlive = setInterval(() => void context.heartbeat().catch(() => {}), 1_000);
    try {
      while (bufferedRows >= 2 * sinkConfig.maxRows && context.isCurrent() && !stopping) {
        const before = bufferedRows;
        await commitWritten(context);
        // All of it waits for the rest of a logged range: fetch on.
        if (bufferedRows === before && !failing) break;
      }
    } finally {
      clearInterval(keepAlive);
    }
  }

  /** Has the runner ask for the writes that are due and commit what they wrote. */
  function commitWritten(context: SinkContext): Promise<void> {
    return context.requestCommit().catch((error) => logger.warn({ err: (error as Error).message }, 'offset commit failed; the next one covers it'));
  }

  const crashes = new CrashRecorder(SINK_STAGE, logger);
  const runner = new SinkRunner(
    {
      kafka,
      consumer: {
        groupId: sinkConfig.groupId,
        partitionAssigners: [wholeTopicAssigner],
        maxBytesPerPartition: 4 * 1024 * 1024,
        maxBytes: 32 * 1024 * 1024,
        maxWaitTimeInMs: Math.min(500, sinkConfig.maxWaitMs),
        sessionTimeout: sinkConfig.sessionTimeoutMs,
        heartbeatInterval: Math.min(3_000, Math.floor(sinkConfig.sessionTimeoutMs / 3)),
      },
      topics,
      // Asked often enough that a batch waits no longer than CLICKHOUSE_SINK_MAX_WAIT_MS.
      commitIntervalMs: Math.max(10, Math.floor(sinkConfig.maxWaitMs / 4)),
      logger,
      crashes: { recorder: crashes, restart: true },
    },
    {
      open(partitions: TopicPartition[]) {
        const assigned = new Set(partitions.map(({ topic, partition }) => tpKey(topic, partition)));
        for (const key of [...highWatermarks.keys()]) if (!assigned.has(key)) highWatermarks.delete(key);
        logger.info({ partitions: assigned.size }, 'clickhouse sink partitions assigned');
      },
      close() {
        // Kafka delivers the partitions again from the committed offsets; the logged ranges keep it exact.
        generation += 1;
        forgetBuffer();
      },
      put,
      async preCommit(final: boolean) {
        // At the end, one last attempt for what is buffered (close set `stopping`, so all of it is due).
        if (final) await flushing;
        if (due()) await flush();
        return [...written.values()];
      },
      committed(offsets: PartitionOffset[]) {
        for (const { topic, partition, offset } of offsets) committed.set(tpKey(topic, partition), offset);
        updateLag();
      },
    },
  );
  await runner.start();
  logger.info({ topics, groupId: sinkConfig.groupId, maxRows: sinkConfig.maxRows, maxWaitMs: sinkConfig.maxWaitMs }, 'clickhouse sink started');
  // The process that holds the engine also keeps the disclosure audit's table.
  const auditWriter = await startAuditTableWriter({ config, kafka, serde, clickhouse, logger });

  let closing: Promise<void> | null = null;
  return {
    clickhouse,
    metrics,
    status: () => ({
      rowsWritten: { ...counts.rows },
      batches: counts.batches,
      deadLetters: counts.deadLetters,
      lag: [...highWatermarks].reduce((sum, [key, high]) => sum + Math.max(0, high - (committed.get(key) ?? high)), 0),
      buffered: bufferedRows,
      failing,
      lastError,
      lastCrash: crashes.lastCrash,
      retries: counts.retries,
      lastInsertAt,
    }),
    close() {
      closing ??= (async () => {
        crashes.close();
        // A write failing now is not retried: what it holds is read again at the next start.
        stopping = true;
        stopWaiting();
        await runner.stop();
        await auditWriter.close();
        await producer.disconnect();
        await admin.disconnect();
        arrow?.close();
        if (ownsClickHouse) await clickhouse.close();
        logger.info('clickhouse sink stopped');
      })();
      return closing;
    },
  };
}

/** The columns of the rows, in the projection's order; a column only some rows carry (a new field) is null in the others. */
function columnsOf(rows: readonly PreparedRow[]): [string, ...string[]] {
  const columns = new Set(Object.keys(rows[0]!.row));
  const width = columns.size;
  for (const { row } of rows) {
    const keys = Object.keys(row);
    if (keys.length !== width || !keys.every((key) => columns.has(key))) for (const key of keys) columns.add(key);
  }
  return [...columns] as [string, ...string[]];
}

/** Why ClickHouse refused a row, without the row's contents (its error text may quote them). */
function refusalReason(error: unknown): string {
  const type = clickhouseErrorType(error) ?? 'UNKNOWN';
  const constraint = /Constraint `([A-Za-z0-9_]+)`/.exec((error as Error).message)?.[1];
  const column = /column `?([A-Za-z0-9_]+)`?/i.exec((error as Error).message)?.[1];
  return `ClickHouse refused the row: ${type}${constraint ? ` (constraint ${constraint})` : column ? ` (column ${column})` : ''}`;
}
