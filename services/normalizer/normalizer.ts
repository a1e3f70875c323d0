/**
 * The normalizer service: a member of the `truc-normalizer` consumer group over every raw topic.
 * Partition N of all raw topics is assigned to one member (co-partition assigner); for each index it
 * holds, a PartitionWorker turns raw records into canonical ones exactly once. Several instances
 * split the indices; a rebalance moves an index with its state (restored from the changelog) and
 * its transactional id (which fences the previous holder).
 */
import type { Consumer, ConsumerRunConfig, EachBatchPayload } from 'kafkajs';
import { rawTopic, sourceKinds, KINDS, type Kind } from '../platform/catalog.ts';
import type { AvroWriter } from '../platform/avro-serde.ts';
import type { Config } from '../platform/config.ts';
import { consumerGroupLag } from '../platform/consumer-lag.ts';
import { createKafka } from '../platform/kafka.ts';
import type { Logger } from '../platform/logger.ts';
import { preparePipeline } from '../platform/pipeline-bootstrap.ts';
import { CrashRecorder, type StageCrash } from '../platform/stage-crash.ts';
import { CheckpointTable } from './checkpoint-table.ts';
import { coPartitionAssigner } from './co-partition-assigner.ts';
import { mapRecord, partitionKey } from './mapping/index.ts';
import { NormalizerMetrics } from './metrics.ts';
import { PartitionWorker, type WorkerContext } from './partition-worker.ts';
import { openIndices } from './state-restore.ts';

/** How often the lag gauge is refreshed from the group's committed offsets. */
const LAG_PROBE_INTERVAL_MS = 5_000;

export interface NormalizerStatus {
  indices: { index: number; stateEntries: number }[];
  checkpoints: number;
  /** The consumer's last crash since start (kafkajs restarts it), with its cause. */
  lastCrash: StageCrash | null;
}

export interface RunningNormalizer {
  metrics: NormalizerMetrics;
  /** The checkpoint registry as this instance knows it (passages are enriched from it). */
  checkpoints: CheckpointTable;
  status(): NormalizerStatus;
  close(): Promise<void>;
}

export interface StartNormalizerOptions {
  config: Config;
  logger: Logger;
  metrics?: NormalizerMetrics;
  /** Clock for normalized_at and expiry (tests); defaults to Date.now. */
  now?: () => number;
  /** The mappings; tests replace them to play a faulty release whose dead letters are replayed after the fix. */
  mapping?: typeof mapRecord;
}

export async function startNormalizer(options: StartNormalizerOptions): Promise<RunningNormalizer> {
  const { config, logger } = options;
  const now = options.now ?? Date.now;
  const mapping = options.mapping ?? mapRecord;
  const metrics = options.metrics ?? new NormalizerMetrics();
  const kafka = createKafka(config.kafka, logger, 'normalizer');
  const { serde, rawCodecs, canonicalSchemaIds, personKey } = await preparePipeline(config, kafka, logger, partitionKey);
  const canonicalWriters = new Map<Kind, AvroWriter>();
  for (const kind of KINDS) canonicalWriters.set(kind, await serde.writer(canonicalSchemaIds.get(kind)!));
  const checkpoints = await CheckpointTable.start(kafka, serde, logger);

  const checkpointIdOfLocationQr = (qr: string) => checkpoints.checkpointIdOfLocationQr(qr);
  const context: WorkerContext = {
    groupId: config.normalizer.groupId,
    serde,
    rawCodecs,
    canonicalWriters,
    checkpoints,
    map: (input) => mapping(input, { personKey, now: now(), checkpointIdOfLocationQr }),
    metrics,
    logger,
    now,
  };

  /** Workers by partition index; a promise while the index is being opened. */
  const workers = new Map<number, Promise<PartitionWorker>>();
  /** The same workers once open, for status. */
  const opened = new Map<number, PartitionWorker>();
  const open = (indices: number[]) => {
    const opening = openIndices(kafka, config.normalizer.groupId, indices, { windowMs: config.normalizer.dedupWindowMs, toleranceMs: config.normalizer.dedupToleranceMs }).then((opened) =>
      opened.map(({ index, writer, state }) => new PartitionWorker(index, writer, state, context)),
    );
    indices.forEach((index, i) => {
      const worker = opening.then((list) => list[i]!);
      worker.then((w) => opened.set(index, w), () => workers.delete(index));
      workers.set(index, worker);
    });
    return opening;
  };
  const closeIndex = async (index: number) => {
    const worker = workers.get(index);
    workers.delete(index);
    opened.delete(index);
    await (await worker?.catch(() => null))?.close();
  };

  const rawTopics = sourceKinds().map(({ source, kind }) => ({ source, kind, topic: rawTopic(source, kind) }));
  const consumer: Consumer = kafka.consumer({
    groupId: config.normalizer.groupId,
    readUncommitted: false,
    partitionAssigners: [coPartitionAssigner],
    maxBytesPerPartition: 4 * 1024 * 1024,
  });
  const crashes = new CrashRecorder('normalizer', logger);
  crashes.watch(consumer, {
    restart: async () => {
      await consumer.connect();
      await consumer.run(runConfig);
    },
  });
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    const assigned = new Set(Object.values(payload.memberAssignment).flat());
    for (const index of [...workers.keys()]) if (!assigned.has(index)) void closeIndex(index);
    const fresh = [...assigned].filter((index) => !workers.has(index)).sort((a, b) => a - b);
    if (fresh.length > 0) void open(fresh).catch((error) => logger.error({ err: (error as Error).message, indices: fresh }, 'could not open partitions'));
    logger.info({ indices: [...assigned].sort((a, b) => a - b) }, 'normalizer partitions assigned');
  });

  await consumer.connect();
  await consumer.subscribe({ topics: rawTopics.map((t) => t.topic), fromBeginning: true });
  const runConfig: ConsumerRunConfig = {
    autoCommit: false,
    // Batches of one index (from different raw topics) wait for each other and commit together.
    partitionsConsumedConcurrently: 32,
    eachBatch: async ({ batch, heartbeat }: EachBatchPayload) => {
      if (batch.messages.length === 0) return;
      const worker = workers.get(batch.partition) ?? open([batch.partition]).then((list) => list[0]!);
      const keepAlive = setInterval(() => void heartbeat().catch(() => {}), 2_000);
      try {
        await (await worker).process({ topic: batch.topic, partition: batch.partition, messages: batch.messages, lastOffset: batch.lastOffset() });
      } finally {
        clearInterval(keepAlive);
      }
    },
  };
  await consumer.run(runConfig);

  const admin = kafka.admin();
  await admin.connect();
  const probeLag = async () => {
    const lag = await consumerGroupLag(admin, config.normalizer.groupId, rawTopics.map((t) => t.topic));
    for (const { source, kind, topic } of rawTopics) metrics.lag.set({ source, kind }, lag.get(topic) ?? 0);
  };
  const lagProbe = setInterval(() => void probeLag().catch((error) => logger.warn({ err: (error as Error).message }, 'could not read the normalizer lag')), LAG_PROBE_INTERVAL_MS);

  let closing: Promise<void> | null = null;
  return {
    metrics,
    checkpoints,
    status: () => ({
      indices: [...opened.values()].sort((a, b) => a.index - b.index).map((worker) => ({ index: worker.index, stateEntries: worker.state.size })),
      checkpoints: checkpoints.size,
      lastCrash: crashes.lastCrash,
    }),
    close() {
      closing ??= (async () => {
        clearInterval(lagProbe);
        crashes.close();
        await admin.disconnect();
        await consumer.disconnect();
        await Promise.all([...workers.keys()].map(closeIndex));
        await checkpoints.close();
      })();
      return closing;
    },
  };
}
