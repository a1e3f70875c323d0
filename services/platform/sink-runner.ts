/**
 * One way to run a sink, in the shape of Kafka Connect's SinkTask: the task takes records
 * (`put`), makes them durable and says which offsets may be committed (`preCommit`), and hears
 * which partitions it holds (`open` / `close`); the runner owns the kafkajs consumer (autoCommit
 * off, read_committed), its loop, pausing, rebalances and the offset commits. Used by the
 * ClickHouse sink and the subscriptions' deliveries (webhook and agency topic).
 *
 * Rebalances are eager (kafkajs): at each group join the runner closes every partition it held
 * and opens every partition it now holds, and the consumer fetches them again from the committed
 * offsets, so a task drops whatever it was given and did not make durable. Offsets a task gives
 * are committed only if no rebalance came between its `preCommit` and the commit.
 *
 * A task that writes to Kafka exactly once (agency topics) commits the consumed offsets in its own
 * transactions, inside `put`, and gives none from `preCommit`.
 */
import type { Consumer, ConsumerConfig, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from './logger.ts';
import type { CrashRecorder } from './stage-crash.ts';

export interface TopicPartition {
  topic: string;
  partition: number;
}

/** The next offset to read of a partition: what a commit records. */
export interface PartitionOffset extends TopicPartition {
  offset: number;
}

/** One fetched batch of one partition. */
export interface SinkBatch extends TopicPartition {
  messages: KafkaMessage[];
  /** The offset after the batch, transaction markers included (committing it leaves no lag). */
  nextOffset: number;
  highWatermark: number;
}

/** What a task may ask of the runner while it handles a batch. */
export interface SinkContext {
  /** False once the batch's partition may be another member's, or the runner stops: a long delivery gives up (what it did not commit is read again). */
  isCurrent(): boolean;
  /** Tells the group this member is alive during a long delivery; throws when a rebalance is under way. */
  heartbeat(): Promise<void>;
  /** Commits now what `preCommit` gives (Kafka Connect's requestCommit); joins a commit already asked for. */
  requestCommit(): Promise<void>;
}

export interface SinkTask {
  /** The partitions this member holds after a group join (all of them; possibly none). */
  open(partitions: TopicPartition[]): void;
  /** The partitions it held before the join: what was put from them and is not durable is dropped. */
  close(partitions: TopicPartition[]): void;
  /** Hands over one partition's batch; the task buffers or delivers it. */
  put(batch: SinkBatch, context: SinkContext): Promise<void>;
  /**
   * Makes durable what it can now (`final`: everything, the runner stops) and gives the next offset
   * to commit per partition, never one past a record that is not durable.
   */
  preCommit(final: boolean): Promise<PartitionOffset[]>;
  /** The runner committed these offsets: records before them will not be read again. */
  committed?(offsets: PartitionOffset[]): void;
}

export interface SinkRunnerOptions {
  kafka: Kafka;
  /** The consumer's group and tuning; autoCommit is off and reads are read_committed whatever is given. */
  consumer: ConsumerConfig;
  topics: string[];
  /** Batches of several partitions are put at once (each partition's in order). */
  partitionsConsumedConcurrently?: number;
  /** Where each partition without a committed offset starts (by default, at the beginning). */
  startOffsets?: (topics: string[]) => Promise<Map<string, number>>;
  /** `preCommit` is asked this often, besides whenever the task asks for a commit. */
  commitIntervalMs?: number;
  logger: Logger;
  /** Where the consumer's crashes are told; `restart`: run it again after a crash kafkajs does not restart (the owner closes the recorder before stopping). */
  crashes?: { recorder: CrashRecorder; part?: string; restart?: boolean };
}

/** Thrown by `put` when it gives up (not current any more): the rest of the batch is read again. */
export class PutInterrupted extends Error {
  constructor() {
    super('put interrupted: the partition moved or the sink stops');
    this.name = 'PutInterrupted';
  }
}

const tpKey = (topic: string, partition: number) => `${topic}:${partition}`;
/** A commit refused because the group is rebalancing: the join that follows reopens the partitions. */
const REBALANCE_ERRORS = new Set(['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'FENCED_INSTANCE_ID']);

export class SinkRunner {
  private readonly options: SinkRunnerOptions;
  private readonly task: SinkTask;
  private readonly consumer: Consumer;
  private assignment: TopicPartition[] = [];
  /** Bumped at every group join: offsets a task gave before it are not committed. */
  private generation = 0;
  private readonly committed = new Map<string, number>();
  /** The batches being put, by partition: a commit moves their consumer position along. */
  private readonly inFlight = new Map<string, EachBatchPayload>();
  /** The last commit asked for, and the one not started yet (which callers share). */
  private lastCommit: Promise<void> = Promise.resolve();
  private queued: Promise<void> | null = null;
  private stopping = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(options: SinkRunnerOptions, task: SinkTask) {
    this.options = options;
    this.task = task;
    this.consumer = options.kafka.consumer({ ...options.consumer, readUncommitted: false });
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      this.generation += 1;
      this.committed.clear();
      this.task.close(this.assignment);
      this.assignment = Object.entries(payload.memberAssignment).flatMap(([topic, partitions]) => partitions.map((partition) => ({ topic, partition })));
      this.task.open(this.assignment);
    });
  }

  async start(): Promise<void> {
    const { topics, crashes } = this.options;
    if (topics.length === 0) return;
    const starts = (await this.options.startOffsets?.(topics)) ?? new Map<string, number>();
    const run = () =>
      this.consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
        eachBatch: (payload) => this.eachBatch(payload, starts),
      });
    crashes?.recorder.watch(this.consumer, {
      ...(crashes.part === undefined ? {} : { part: crashes.part }),
      ...(crashes.restart ? { restart: async () => { await this.consumer.connect(); await run(); } } : {}),
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics, fromBeginning: true });
    await run();
    const interval = this.options.commitIntervalMs;
    if (interval !== undefined) {
      this.timer = setInterval(() => void this.requestCommit().catch((error) => this.options.logger.warn({ err: (error as Error).message }, 'offset commit failed; the next one covers it')), interval);
    }
  }

  private async eachBatch(payload: EachBatchPayload, starts: Map<string, number>): Promise<void> {
    const { batch } = payload;
    const key = tpKey(batch.topic, batch.partition);
    const start = starts.get(key);
    if (start !== undefined && batch.messages.length > 0) {
      starts.delete(key);
      if (Number(batch.firstOffset()) < start) {
        // Nothing of this partition was committed yet, so moving forward skips only records before the start.
        this.consumer.seek({ topic: batch.topic, partition: batch.partition, offset: String(start) });
        return;
      }
    }
    const joined = this.generation;
    this.inFlight.set(key, payload);
    try {
      await this.task.put(
        { topic: batch.topic, partition: batch.partition, messages: batch.messages, nextOffset: Number(batch.lastOffset()) + 1, highWatermark: Number(batch.highWatermark) },
        {
          isCurrent: () => payload.isRunning() && !payload.isStale() && joined === this.generation && !this.stopping,
          heartbeat: () => payload.heartbeat(),
          requestCommit: () => this.requestCommit(),
        },
      );
    } catch (error) {
      if (error instanceof PutInterrupted) return;
      throw error;
    } finally {
      this.inFlight.delete(key);
    }
    if (joined === this.generation && payload.isRunning() && !payload.isStale()) payload.resolveOffset(batch.lastOffset());
  }

  /** Commits what the task's `preCommit` gives; callers meanwhile share the next commit. */
  private requestCommit(): Promise<void> {
    return this.queueCommit(false);
  }

  private queueCommit(final: boolean): Promise<void> {
    if (this.queued && !final) return this.queued;
    const next: Promise<void> = this.lastCommit.catch(() => {}).then(() => {
      // Started: whoever asks from now on needs a commit of its own, after this one.
      if (this.queued === next) this.queued = null;
      return this.commit(final);
    });
    this.lastCommit = next;
    if (!final) this.queued = next;
    return next;
  }

  private async commit(final: boolean): Promise<void> {
    const asked = this.generation;
    const offsets = await this.task.preCommit(final);
    if (asked !== this.generation) return;
    const fresh = offsets.filter(({ topic, partition, offset }) => offset > (this.committed.get(tpKey(topic, partition)) ?? -1));
    if (fresh.length === 0) return;
    try {
      await this.consumer.commitOffsets(fresh.map(({ topic, partition, offset }) => ({ topic, partition, offset: String(offset) })));
    } catch (error) {
      const type = (error as { type?: string }).type;
      // The join that follows closes and reopens the partitions; they are read again from the committed offsets.
      if (type !== undefined && REBALANCE_ERRORS.has(type)) {
        this.options.logger.info({ type }, 'commit refused during a rebalance; the partitions are read again');
        return;
      }
      throw error;
    }
    if (asked !== this.generation) return;
    for (const { topic, partition, offset } of fresh) {
      const key = tpKey(topic, partition);
      this.committed.set(key, offset);
      // A batch still being put resumes past what is committed if its put is cut short.
      this.inFlight.get(key)?.resolveOffset(String(offset - 1));
    }
    this.task.committed?.(fresh);
  }

  /**
   * Stops fetching; false when the consumer is not running (it crashed and kafkajs has not run it
   * again yet): then it holds no batch, and there is nothing to commit.
   */
  private pause(): boolean {
    try {
      this.consumer.pause(this.options.topics.map((topic) => ({ topic })));
      return true;
    } catch (error) {
      this.options.logger.warn({ err: (error as Error).message }, 'stopping a consumer that is not running: nothing to commit');
      return false;
    }
  }

  /** Stops fetching, lets the task make durable what it holds, commits it, and leaves the group. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.stopping = true;
    if (this.options.topics.length > 0 && this.pause()) {
      await this.queueCommit(true).catch((error) => this.options.logger.warn({ err: (error as Error).message }, 'last commit failed; the records are read again at the next start'));
    }
    await this.consumer.disconnect();
  }
}
