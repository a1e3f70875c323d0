/**
 * The ClickHouse sink: a member of the consumer group CLICKHOUSE_SINK_GROUP_ID over every canonical
 * topic (read_committed). Records are buffered across partitions and written when the buffer holds
 * CLICKHOUSE_SINK_MAX_ROWS rows or its oldest record waited CLICKHOUSE_SINK_MAX_WAIT_MS.
 *
 * Exactly once into the tables:
 * - one insert per topic partition range, with the deduplication token `<topic>:<partition>:<first>-<last>`;
 * - before inserting a range the sink logs it in `sink_batches`; after a crash, the ranges logged
 *   at or after the committed offset are inserted again with the same boundaries (same token), so
 *   ClickHouse drops the repeat in the base table and in the materialized views alike;
 * - offsets are committed (autoCommit off) only after ClickHouse acknowledged every range and the
 *   dead letters were acknowledged by Kafka.
 *
 * ClickHouse failing or unreachable: the write is retried with back-off for as long as it takes,
 * and the consumer blocks meanwhile (back pressure); nothing is skipped. A record that cannot be
 * decoded or projected, or that ClickHouse refuses as data (found by halving the range until the
 * refused rows stand alone), goes to `dlq.sink.clickhouse` with the reason in headers; the rest flows.
 */
import { hash } from 'node:crypto';
import type { Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage, Message, Producer } from 'kafkajs';
import { backoffDelay, type BackoffPolicy } from '../runtime/backoff.ts';
import { createAvroSerde, readSchemaId, WireFormatError, type AvroSerde } from '../../services/platform/avro-serde.ts';
import { KINDS, kindEntry, type Kind } from '../../services/platform/catalog.ts';
import { createClickHouse, type ClickHouseHandle } from '../../services/platform/clickhouse.ts';
import type { Config } from '../../services/platform/config.ts';
import { createKafka } from '../../services/platform/kafka.ts';
import type { Logger } from '../../services/platform/logger.ts';
import { HEADER } from '../../services/platform/record-headers.ts';
import { DLQ_SINK_CLICKHOUSE_TOPIC, ensureTopics } from '../../services/platform/topics.ts';
import { migrate } from '../../services/clickhouse/migrations.ts';
import { clickhouseErrorType, isDataError } from './clickhouse-errors.ts';
import { ClickHouseSinkMetrics } from './metrics.ts';
import { PROJECTIONS, ProjectionError, type Row } from './projection.ts';
import { addColumns, schemaExtras, type SchemaExtras } from './schema-evolution.ts';

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
}

export interface RunningClickHouseSink {
  clickhouse: ClickHouseHandle;
  metrics: ClickHouseSinkMetrics;
  status(): ClickHouseSinkStatus;
  /** Writes what is buffered (if ClickHouse answers), commits, and leaves the group. */
  close(): Promise<void>;
}

export const SINK_STAGE = 'sink.clickhouse';

type Outcome = { row: Row } | { errorClass: string; reason: string; source: string | null };

/** A consumed record with what it becomes: a row, a dead letter, or nothing (null: a tombstone). */
interface Entry {
  offset: number;
  message: KafkaMessage;
  outcome: Outcome | null;
}

interface Pending {
  topic: string;
  partition: number;
  entries: Entry[];
}

interface LoggedRange {
  first: number;
  last: number;
}

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
  message: KafkaMessage;
  row: Row;
}

const isRow = (outcome: Outcome | null): outcome is { row: Row } => outcome !== null && 'row' in outcome;

/** One topic partition range, inserted with one token (or halved when ClickHouse refuses some rows). */
interface Chunk {
  topic: string;
  partition: number;
  kind: Kind;
  entries: Entry[];
  first: number;
  last: number;
  done: boolean;
}

const tpKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;
const REBALANCE_ERRORS = new Set(['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'FENCED_INSTANCE_ID']);

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

  const kindOfTopic = new Map<string, Kind>(KINDS.map((kind) => [`${sinkConfig.topicPrefix}${kind}`, kind]));
  const topics = [...kindOfTopic.keys()];
  const kafka: Kafka = createKafka(config.kafka, parentLogger, 'clickhouse-sink');
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(
      admin,
      [...[...kindOfTopic].map(([topic, kind]) => ({ name: topic, compacted: kindEntry(kind).compacted ?? false })), { name: DLQ_SINK_CLICKHOUSE_TOPIC }],
      config.topics,
    );
  } finally {
    await admin.disconnect();
  }
  const serde: AvroSerde = createAvroSerde(config.schemaRegistry);
  const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();

  // --- state ---------------------------------------------------------------------------------
  const buffer = new Map<string, Pending>();
  let bufferedRows = 0;
  let oldestAt = 0;
  /** Per partition, the next offset not yet buffered or written: a re-fetch after a rebalance repeats earlier ones. */
  const nextOffset = new Map<string, number>();
  /** Per partition, logged ranges still to be replayed with their boundaries (loaded once per assignment). */
  const loggedRanges = new Map<string, LoggedRange[]>();
  const highWatermarks = new Map<string, number>();
  const committed = new Map<string, number>();
  const extrasBySchema = new Map<number, SchemaExtras>();
  /** Bumped at every rebalance: work of an older generation is abandoned (Kafka redelivers it). */
  let generation = 0;
  let stopping = false;
  /** Cuts a back-off wait short when the sink stops. */
  let stopWaiting: () => void = () => {};
  let failing = false;
  let lastError: string | null = null;
  const counts = { rows: Object.fromEntries(KINDS.map((kind) => [kind, 0])) as Record<Kind, number>, batches: 0, deadLetters: 0 };

  function forgetBuffer(): void {
    buffer.clear();
    bufferedRows = 0;
    oldestAt = 0;
    loggedRanges.clear();
    nextOffset.clear();
  }

  // --- decoding, projection, schema evolution -------------------------------------------------
  async function extrasFor(kind: Kind, schemaId: number): Promise<SchemaExtras> {
    const cached = extrasBySchema.get(schemaId);
    if (cached) return cached;
    const projection = PROJECTIONS[kind];
    const extras = schemaExtras(await schemaText(schemaId), projection);
    if (extras.columns.length > 0) await addColumns(clickhouse, projection.table, extras.columns, logger);
    for (const skipped of extras.skipped) logger.warn({ kind, schemaId, field: skipped.name, reason: skipped.reason }, 'new canonical field left out of ClickHouse');
    extrasBySchema.set(schemaId, extras);
    return extras;
  }

  /**
   * The schema as registered (JSON): the parsed avsc type the serde holds drops logical types and
   * docs, which the column type and comment come from.
   */
  async function schemaText(schemaId: number): Promise<{ fields?: [] }> {
    const response = await fetch(`${config.schemaRegistry.url}/schemas/ids/${schemaId}`, { signal: AbortSignal.timeout(10_000) });
    if (!response.ok) throw Object.assign(new Error(`schema registry answered ${response.status} for schema id ${schemaId}`), { status: response.status });
    const { schema } = (await response.json()) as { schema: string };
    return JSON.parse(schema) as { fields?: [] };
  }

  /**
   * What each message becomes: a row, or the reason it is a dead letter. Done as records arrive, so
   * it overlaps with the insert of the previous batch (the engine works off the JS thread). Throws
   * only for passing failures (the registry unreachable); retried by the caller.
   */
  async function prepareAll(kind: Kind, messages: readonly KafkaMessage[]): Promise<Entry[]> {
    const entries: Entry[] = [];
    for (const message of messages) {
      const offset = Number(message.offset);
      // A tombstone of the compacted checkpoint topic: nothing to add.
      if (message.value === null) {
        entries.push({ offset, message, outcome: null });
        continue;
      }
      let schemaId: number;
      try {
        schemaId = readSchemaId(message.value);
      } catch (error) {
        entries.push({ offset, message, outcome: { errorClass: 'UndecodableRecord', reason: (error as Error).message, source: null } });
        continue;
      }
      let extras = extrasBySchema.get(schemaId);
      if (extras === undefined) {
        try {
          extras = await extrasFor(kind, schemaId);
          await serde.writer(schemaId); // fetches and caches the schema's codec, for decodeCached
        } catch (error) {
          if ((error as { status?: number }).status !== 404) throw error;
          entries.push({ offset, message, outcome: { errorClass: 'UnknownSchema', reason: `schema id ${schemaId} is not in the registry`, source: null } });
          continue;
        }
      }
      entries.push({ offset, message, outcome: prepareKnown(kind, message, schemaId, extras) });
    }
    return entries;
  }

  function prepareKnown(kind: Kind, message: KafkaMessage, schemaId: number, extras: SchemaExtras): Outcome {
    let record: Record<string, unknown>;
    try {
      // The codec is cached by now, so decoding fails only on the bytes.
      const decoded = serde.decodeCached<Record<string, unknown>>(message.value!);
      if (decoded === undefined) throw new WireFormatError(`no codec for schema id ${schemaId}`);
      record = decoded;
    } catch (error) {
      const detail = error instanceof WireFormatError ? error.message : 'the body does not match the schema';
      return { errorClass: 'UndecodableRecord', reason: `Avro body does not decode with schema id ${schemaId}: ${detail}`, source: null };
    }
    const source = typeof record.source === 'string' ? record.source : null;
    try {
      const row = PROJECTIONS[kind].project(record);
      for (const column of extras.columns) row[column.name] = record[column.name] ?? null;
      return { row };
    } catch (error) {
      if (error instanceof ProjectionError) return { errorClass: 'UnprojectableRecord', reason: error.message, source };
      throw error;
    }
  }

  // --- writing ---------------------------------------------------------------------------------
  /**
   * Logs the ranges about to be written, all in one insert (one per range made a flush of many
   * partitions and kinds twice as many round trips). A retry of the same plan repeats the token.
   */
  async function logRanges(chunks: readonly Chunk[]): Promise<void> {
    if (chunks.length === 0) return;
    const ranges = chunks.map((chunk) => `${chunk.topic}:${chunk.partition}:${chunk.first}-${chunk.last}`);
    await clickhouse.client.insert({
      table: 'sink_batches',
      format: 'JSONEachRow',
      values: chunks.map((chunk) => ({ topic: chunk.topic, partition: chunk.partition, first_offset: chunk.first, last_offset: chunk.last, logged_at: Date.now() })),
      clickhouse_settings: { insert_deduplication_token: `log:${hash('sha256', ranges.join(','), 'hex')}` },
    });
  }

  /** Inserts the rows; returns the ones ClickHouse refuses as data, each with the reason. */
  async function insertRows(chunk: Chunk, rows: PreparedRow[]): Promise<{ row: PreparedRow; reason: string }[]> {
    if (rows.length === 0) return [];
    const token = `${chunk.topic}:${chunk.partition}:${rows[0]!.offset}-${rows[rows.length - 1]!.offset}`;
    // Compact rows (values in column order, no keys): about half the parsing work of JSONEachRow.
    const columns = columnsOf(rows);
    try {
      await clickhouse.client.insert({
        table: PROJECTIONS[chunk.kind].table,
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
      // Halves get tokens of their own ranges: the same halving happens again after a crash.
      const middle = Math.ceil(rows.length / 2);
      return [...(await insertRows(chunk, rows.slice(0, middle))), ...(await insertRows(chunk, rows.slice(middle)))];
    }
  }

  async function writeChunk(chunk: Chunk, deadLetters: DeadLetter[], timings: { insertMs: number }): Promise<void> {
    const rows: PreparedRow[] = [];
    const letters: DeadLetter[] = [];
    for (const { offset, message, outcome } of chunk.entries) {
      if (outcome === null) continue;
      if (isRow(outcome)) rows.push({ offset, message, row: outcome.row });
      else letters.push({ message, topic: chunk.topic, partition: chunk.partition, kind: chunk.kind, ...outcome });
    }
    const started = performance.now();
    const refused = await insertRows(chunk, rows);
    timings.insertMs += performance.now() - started;
    for (const { row, reason } of refused) {
      letters.push({
        message: row.message,
        topic: chunk.topic,
        partition: chunk.partition,
        kind: chunk.kind,
        source: typeof row.row.source === 'string' ? row.row.source : null,
        errorClass: 'ClickHouseRejected',
        reason,
      });
    }
    deadLetters.push(...letters);
    metrics.rowsWritten.inc({ kind: chunk.kind }, rows.length - refused.length);
    counts.rows[chunk.kind] += rows.length - refused.length;
  }

  function deadLetterMessage(letter: DeadLetter): Message {
    const headers: IHeaders = { ...(letter.message.headers ?? {}) };
    Object.assign(headers, {
      [HEADER.dlqReason]: letter.reason,
      [HEADER.dlqErrorClass]: letter.errorClass,
      [HEADER.dlqStage]: SINK_STAGE,
      [HEADER.dlqKind]: letter.kind,
      [HEADER.dlqTopic]: letter.topic,
      [HEADER.dlqPartition]: String(letter.partition),
      [HEADER.dlqOffset]: letter.message.offset,
    });
    if (letter.source !== null) headers[HEADER.dlqSource] = letter.source;
    return { key: letter.message.key, value: letter.message.value, headers };
  }

  /** Cuts a partition's buffered messages into chunks, replaying logged ranges with their boundaries. */
  async function chunksOf(pending: Pending, kind: Kind): Promise<{ chunks: Chunk[]; kept: Entry[] }> {
    const key = tpKey(pending.topic, pending.partition);
    let ranges = loggedRanges.get(key);
    if (ranges === undefined) {
      // Ranges logged after the last commit start at or after the first record read since (the
      // committed offset, or the first record after it): the key's prefix finds them.
      const from = pending.entries[0]!.offset;
      const rows = await (
        await clickhouse.client.query({
          query: 'SELECT DISTINCT first_offset, last_offset FROM sink_batches WHERE topic = {topic:String} AND partition = {partition:UInt32} AND first_offset >= {from:UInt64} ORDER BY first_offset',
          query_params: { topic: pending.topic, partition: pending.partition, from },
          format: 'JSONEachRow',
        })
      ).json<{ first_offset: string; last_offset: string }>();
      ranges = rows.map((row) => ({ first: Number(row.first_offset), last: Number(row.last_offset) }));
      loggedRanges.set(key, ranges);
      if (ranges.length > 0) logger.info({ topic: pending.topic, partition: pending.partition, ranges: ranges.length }, 'replaying logged ranges with their boundaries');
    }
    const chunks: Chunk[] = [];
    let rest = pending.entries;
    const cut = (entries: Entry[]) =>
      chunks.push({
        topic: pending.topic,
        partition: pending.partition,
        kind,
        entries,
        first: entries[0]!.offset,
        last: entries[entries.length - 1]!.offset,
        done: false,
      });
    while (rest.length > 0) {
      const range = ranges[0];
      if (range === undefined) {
        cut(rest);
        rest = [];
        break;
      }
      if (range.last < rest[0]!.offset) {
        ranges.shift();
        continue;
      }
      // The logged range is not all here yet: wait for the rest of it.
      if (rest[rest.length - 1]!.offset < range.last) break;
      const end = rest.findIndex((entry) => entry.offset > range.last);
      const inRange = end === -1 ? rest : rest.slice(0, end);
      rest = end === -1 ? [] : rest.slice(end);
      if (inRange.length > 0) cut(inRange);
    }
    return { chunks, kept: rest };
  }

  interface Plan {
    generation: number;
    chunks: Chunk[];
    /** Per partition: how many buffered messages the plan covers, and how many of them wait for a later flush. */
    planned: Map<string, { covered: number; kept: number }>;
    deadLetters: DeadLetter[];
    deadLettersSent: boolean;
    timings: { insertMs: number };
  }

  async function plan(): Promise<Plan> {
    const result: Plan = { generation, chunks: [], planned: new Map(), deadLetters: [], deadLettersSent: false, timings: { insertMs: 0 } };
    let budget = sinkConfig.maxRows;
    for (const [key, pending] of buffer) {
      if (budget <= 0) break;
      const covered = Math.min(pending.entries.length, budget);
      budget -= covered;
      const { chunks, kept } = await chunksOf({ ...pending, entries: pending.entries.slice(0, covered) }, kindOfTopic.get(pending.topic)!);
      result.chunks.push(...chunks);
      result.planned.set(key, { covered, kept: kept.length });
    }
    return result;
  }

  async function execute(work: Plan): Promise<void> {
    await logRanges(work.chunks);
    for (const chunk of work.chunks) {
      if (work.generation !== generation) throw new StaleBatchError();
      if (chunk.done) continue;
      await writeChunk(chunk, work.deadLetters, work.timings);
      chunk.done = true;
    }
    if (!work.deadLettersSent && work.deadLetters.length > 0) {
      await producer.send({ topic: DLQ_SINK_CLICKHOUSE_TOPIC, acks: -1, messages: work.deadLetters.map(deadLetterMessage) });
      work.deadLettersSent = true;
    }
    if (work.generation !== generation) throw new StaleBatchError();
    const ends = new Map<string, { topic: string; partition: number; offset: number }>();
    for (const chunk of work.chunks) ends.set(tpKey(chunk.topic, chunk.partition), { topic: chunk.topic, partition: chunk.partition, offset: chunk.last + 1 });
    if (ends.size > 0) {
      await consumer.commitOffsets([...ends.values()].map(({ topic, partition, offset }) => ({ topic, partition, offset: String(offset) })));
    }
    for (const [key, end] of ends) committed.set(key, end.offset);
  }

  async function flushOnce(): Promise<void> {
    if (bufferedRows === 0) return;
    const started = performance.now();
    const work = await retrying(() => plan(), null);
    if (work === null) return;
    const done = await retrying(() => execute(work), work);
    if (done === null || work.generation !== generation) return;
    // Remove what was written; keep what waits for the rest of a logged range and what came meanwhile.
    for (const [key, { covered, kept }] of work.planned) {
      const pending = buffer.get(key);
      if (!pending) continue;
      const written = covered - kept;
      pending.entries = pending.entries.slice(written);
      bufferedRows -= written;
      if (pending.entries.length === 0) buffer.delete(key);
    }
    oldestAt = bufferedRows > 0 ? Date.now() : 0;
    for (const letter of work.deadLetters) metrics.deadLetters.inc({ kind: letter.kind, error_class: letter.errorClass });
    counts.deadLetters += work.deadLetters.length;
    if (work.chunks.length > 0) {
      counts.batches += 1;
      metrics.batches.inc();
      logger.debug(
        {
          ranges: work.chunks.length,
          records: work.chunks.reduce((sum, chunk) => sum + chunk.entries.length, 0),
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
        const type = (error as { type?: string }).type;
        if (type !== undefined && REBALANCE_ERRORS.has(type)) {
          // Kafka redelivers from the committed offsets after the rejoin; the logged ranges keep it exact.
          logger.info({ type }, 'commit refused during a rebalance; the partitions are read again');
          forgetBuffer();
          return null;
        }
        failures += 1;
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

  const due = () => bufferedRows >= sinkConfig.maxRows || (bufferedRows > 0 && (stopping || Date.now() - oldestAt >= sinkConfig.maxWaitMs));
  let flushing: Promise<void> | null = null;
  /** Writes batches while one is due; one writer at a time, joined by whoever asks meanwhile. */
  function flush(): Promise<void> {
    flushing ??= (async () => {
      try {
        while (due()) {
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

  // --- consuming -------------------------------------------------------------------------------
  const consumer: Consumer = kafka.consumer({
    groupId: sinkConfig.groupId,
    readUncommitted: false,
    maxBytesPerPartition: 4 * 1024 * 1024,
    maxBytes: 32 * 1024 * 1024,
    maxWaitTimeInMs: Math.min(500, sinkConfig.maxWaitMs),
    sessionTimeout: sinkConfig.sessionTimeoutMs,
    heartbeatInterval: Math.min(3_000, Math.floor(sinkConfig.sessionTimeoutMs / 3)),
  });
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    generation += 1;
    forgetBuffer();
    const assigned = new Set(Object.entries(payload.memberAssignment).flatMap(([topic, partitions]) => partitions.map((p) => tpKey(topic, p))));
    for (const key of [...highWatermarks.keys()]) if (!assigned.has(key)) highWatermarks.delete(key);
    logger.info({ partitions: assigned.size }, 'clickhouse sink partitions assigned');
  });

  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  const timer = setInterval(() => {
    if (due()) void flush();
  }, Math.max(10, Math.floor(sinkConfig.maxWaitMs / 4)));

  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch, heartbeat, isRunning, isStale }: EachBatchPayload) => {
      const key = tpKey(batch.topic, batch.partition);
      highWatermarks.set(key, Number(batch.highWatermark));
      if (!committed.has(key) && batch.messages.length > 0) committed.set(key, Number(batch.messages[0]!.offset));
      const from = nextOffset.get(key) ?? -1;
      const fresh = batch.messages.filter((message) => Number(message.offset) >= from);
      if (fresh.length > 0) {
        const joined = generation;
        const keepAlive = setInterval(() => void heartbeat().catch(() => {}), 1_000);
        let entries: Entry[] | null;
        try {
          entries = await retrying(() => prepareAll(kindOfTopic.get(batch.topic)!, fresh), null);
        } finally {
          clearInterval(keepAlive);
        }
        // Stopping while the registry is away: these records are read again at the next start.
        if (entries === null) throw new Error('clickhouse sink stopping');
        // A rebalance meanwhile: Kafka delivers these again from the committed offsets.
        if (joined !== generation) return;
        let pending = buffer.get(key);
        if (!pending) {
          pending = { topic: batch.topic, partition: batch.partition, entries: [] };
          buffer.set(key, pending);
        }
        pending.entries.push(...entries);
        if (bufferedRows === 0) oldestAt = Date.now();
        bufferedRows += entries.length;
        nextOffset.set(key, entries[entries.length - 1]!.offset + 1);
      }
      updateLag();
      if (bufferedRows < sinkConfig.maxRows) return;
      // A full batch is written while the next one is fetched; with two batches' worth buffered,
      // fetching stops until the writes catch up, however long ClickHouse takes (back pressure).
      void flush();
      if (bufferedRows < 2 * sinkConfig.maxRows) return;
      const keepAlive = setInterval(() => void heartbeat().catch(() => {}), 1_000);
      try {
        while (bufferedRows >= 2 * sinkConfig.maxRows && isRunning() && !isStale() && !stopping) {
          const before = bufferedRows;
          await flush();
          // All of it waits for the rest of a logged range: fetch on.
          if (bufferedRows === before && !failing) break;
        }
      } finally {
        clearInterval(keepAlive);
      }
    },
  });
  logger.info({ topics, groupId: sinkConfig.groupId, maxRows: sinkConfig.maxRows, maxWaitMs: sinkConfig.maxWaitMs }, 'clickhouse sink started');

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
    }),
    close() {
      closing ??= (async () => {
        clearInterval(timer);
        consumer.pause(topics.map((topic) => ({ topic })));
        // One last attempt for what is buffered; if ClickHouse fails now, it is read again next time.
        stopping = true;
        stopWaiting();
        await flushing;
        await flush();
        await consumer.disconnect();
        await producer.disconnect();
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
