/**
 * The registry's durable state: a compacted single-partition Kafka topic, read from the beginning
 * into memory by each instance.
 *
 * The topic is the sequencer. A write catches up to the end of the log, computes its records from
 * that state, appends them, then waits until its own consumer has applied them and learns whether
 * they were accepted (a concurrent writer on another instance may have got there first); if not,
 * it retries with the fresher state. Reads also catch up to the end of the log first, so a change
 * answered by one instance is visible on every other instance from then on.
 */
import { randomUUID } from 'node:crypto';
import { Partitioners, type Admin, type Consumer, type EachBatchPayload, type Kafka, type Producer } from 'kafkajs';
import type { Logger } from '../platform/logger.ts';
import { errors } from './errors.ts';
import { RegistryState, type LogRecord } from './state.ts';

export interface WritePlan<T> {
  /** Records to append, all of which must be accepted for the write to count; none: nothing to write. */
  records: LogRecord[];
  result: T;
}

/** What the registry's operations need from storage; the Kafka store is the real one. */
export interface RegistryStore {
  /** Runs `query` on state that includes every change acknowledged before the call. */
  read<T>(query: (state: RegistryState) => T): Promise<T>;
  /** Runs `plan` on current state and makes its records durable, re-planning after lost races. */
  write<T>(plan: (state: RegistryState) => WritePlan<T>): Promise<T>;
}

export interface KafkaLogStoreOptions {
  kafka: Kafka;
  topic: string;
  replicationFactor: number;
  logger: Logger;
  /** Prefix of this instance's private consumer group. */
  groupIdPrefix: string;
  /** Longest a read or write waits on Kafka before answering 50002. */
  operationTimeoutMs?: number;
  /** Longest start-up waits to have read the whole topic. */
  startupTimeoutMs?: number;
}

// Every retry follows a record of someone else's that won, so running out means sustained
// contention or a bug, not bad luck.
const MAX_WRITE_ATTEMPTS = 20;
const MAX_REPAIR_ROUNDS = 5;

interface PositionWaiter {
  offset: number;
  resolve: () => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(errors.timeout(what)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export class KafkaLogStore implements RegistryStore {
  readonly state = new RegistryState();
  private readonly options: Required<KafkaLogStoreOptions>;
  private readonly admin: Admin;
  private readonly producer: Producer;
  private readonly consumer: Consumer;
  private readonly logger: Logger;
  private readonly groupId: string;
  /** Next offset to apply: everything below it is in `state`. */
  private position = 0;
  private waiters: PositionWaiter[] = [];
  /** While a write waits on its records: offset -> accepted, for every record applied. */
  private outcomes: Map<number, boolean> | null = null;
  private writeChain: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** Whether this instance's consumer group exists on the broker (so close removes it). */
  private joined = false;

  private constructor(options: KafkaLogStoreOptions) {
    this.options = { operationTimeoutMs: 10_000, startupTimeoutMs: 60_000, ...options };
    this.logger = options.logger;
    const { kafka } = options;
    this.admin = kafka.admin();
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // Every record names its partition; this only silences kafkajs' warning about the default.
      createPartitioner: Partitioners.DefaultPartitioner,
      // An idempotent producer that gives up mid-sequence loses its ordering guarantee, so it keeps
      // retrying; clients get 50002 from the operation timeout meanwhile.
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 200, maxRetryTime: 5_000 },
    });
    // A private group per instance: each instance must see every record, and it never commits
    // offsets because it rebuilds from the beginning on every start.
    this.groupId = `${options.groupIdPrefix}-${randomUUID()}`;
    this.consumer = kafka.consumer({
      groupId: this.groupId,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 500,
    });
  }

  /** Resolves once the whole topic has been applied; nothing is served before that. */
  static async open(options: KafkaLogStoreOptions): Promise<KafkaLogStore> {
    const store = new KafkaLogStore(options);
    try {
      await store.start();
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }

  private async start(): Promise<void> {
    const { topic } = this.options;
    await this.admin.connect();
    await this.ensureTopic();
    await this.producer.connect();
    await this.consumer.connect();
    this.joined = true;
    await this.consumer.subscribe({ topic, fromBeginning: true });
    this.consumer.on(this.consumer.events.CRASH, (event) => {
      this.logger.error({ err: event.payload.error, restart: event.payload.restart }, 'schemas log consumer crashed');
    });
    await this.consumer.run({ autoCommit: false, eachBatch: (payload) => this.onBatch(payload) });
    await this.catchUp(this.options.startupTimeoutMs);
    this.logger.info({ topic, offset: this.position }, 'schema registry state rebuilt from the log');
    await this.repair();
  }

  private async ensureTopic(): Promise<void> {
    const { topic, replicationFactor } = this.options;
    // Looking first keeps kafkajs from logging an error for every start on an existing topic.
    if (!(await this.admin.listTopics()).includes(topic)) {
      const created = await this.admin.createTopics({
        waitForLeaders: true,
        topics: [
          { topic, numPartitions: 1, replicationFactor, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
        ],
      });
      if (created) this.logger.info({ topic }, 'created schemas topic');
    }
    const metadata = await this.admin.fetchTopicMetadata({ topics: [topic] });
    const partitions = metadata.topics[0]?.partitions.length ?? 0;
    if (partitions !== 1) {
      // Ordering across instances relies on one partition: there is one log order only within one.
      throw new Error(`Schemas topic ${topic} has ${partitions} partitions; the schema registry needs exactly 1`);
    }
  }

  private async onBatch({ batch }: EachBatchPayload): Promise<void> {
    for (const message of batch.messages) {
      const offset = Number(message.offset);
      // After a group rejoin kafkajs may deliver from the beginning again; applied records stay applied.
      if (offset < this.position) continue;
      let accepted = false;
      if (message.key !== null) {
        try {
          accepted = this.state.apply(message.key.toString('utf8'), message.value?.toString('utf8') ?? null);
        } catch (error) {
          this.logger.error({ err: error, offset }, 'could not apply schemas log record; skipped');
        }
      }
      if (!accepted) this.logger.debug({ offset }, 'schemas log record ignored');
      this.outcomes?.set(offset, accepted);
      this.position = offset + 1;
    }
    this.wakeWaiters();
  }

  private wakeWaiters(): void {
    const ready = this.waiters.filter((waiter) => waiter.offset <= this.position);
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((waiter) => waiter.offset > this.position);
    for (const waiter of ready) {
      clearTimeout(waiter.timer);
      waiter.resolve();
    }
  }

  /** Resolves once every offset below `offset` has been applied. */
  private waitForPosition(offset: number, timeoutMs: number): Promise<void> {
    if (this.position >= offset) return Promise.resolve();
    if (this.closed) return Promise.reject(errors.storeError('the registry is shutting down'));
    return new Promise((resolve, reject) => {
      const waiter: PositionWaiter = {
        offset,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(errors.timeout(`reading the schemas log: applied up to offset ${this.position}, waiting for ${offset}`));
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  private async endOffset(): Promise<number> {
    const offsets = await this.admin.fetchTopicOffsets(this.options.topic);
    const partition = offsets.find((p) => p.partition === 0);
    if (!partition) throw errors.storeError(`schemas topic ${this.options.topic} has no partition 0`);
    return Number(partition.high);
  }

  /** Applies everything appended to the log before this call. */
  private async catchUp(timeoutMs = this.options.operationTimeoutMs): Promise<void> {
    const started = Date.now();
    const end = await withTimeout(this.endOffset(), timeoutMs, 'asking Kafka for the end of the schemas log');
    await this.waitForPosition(end, Math.max(1, timeoutMs - (Date.now() - started)));
  }

  /** Appends records and reports whether every one of them was accepted when applied. */
  private async append(records: LogRecord[]): Promise<boolean> {
    const timeoutMs = this.options.operationTimeoutMs;
    this.outcomes = new Map();
    try {
      const sent = this.producer.send({
        topic: this.options.topic,
        acks: -1,
        timeout: timeoutMs,
        messages: records.map((record) => ({ partition: 0, key: record.key, value: record.value })),
      });
      const [metadata] = await withTimeout(sent, timeoutMs, 'appending to the schemas log');
      if (metadata?.baseOffset === undefined) throw errors.storeError('Kafka returned no offset for the append');
      // One send to one partition is one record batch, so the records sit at consecutive offsets.
      const first = Number(metadata.baseOffset);
      const last = first + records.length - 1;
      await this.waitForPosition(last + 1, timeoutMs);
      for (let offset = first; offset <= last; offset++) if (this.outcomes.get(offset) !== true) return false;
      return true;
    } finally {
      this.outcomes = null;
    }
  }

  /** Writes are serialized per instance; races between instances are settled by the log. */
  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.writeChain.then(task, task);
    this.writeChain = run.catch(() => undefined);
    return run;
  }

  async read<T>(query: (state: RegistryState) => T): Promise<T> {
    await this.catchUp();
    return query(this.state);
  }

  write<T>(plan: (state: RegistryState) => WritePlan<T>): Promise<T> {
    return this.exclusive(async () => {
      for (let attempt = 1; attempt <= MAX_WRITE_ATTEMPTS; attempt++) {
        await this.catchUp();
        const { records, result } = plan(this.state);
        if (records.length === 0) return result;
        const accepted = await this.append(records);
        await this.repair();
        if (accepted) return result;
        this.logger.debug({ attempt }, 'schemas log write lost a race with another instance; retrying');
      }
      throw errors.storeError(`gave up after ${MAX_WRITE_ATTEMPTS} conflicting writes`);
    });
  }

  /**
   * Overwrites keys whose last log record was ignored (a lost race, a writer that died before
   * cleaning up), so compaction cannot bring such a record back. Failures only delay the repair
   * to the next write or start, so they are logged, not thrown.
   */
  private async repair(): Promise<void> {
    try {
      for (let round = 0; round < MAX_REPAIR_ROUNDS && this.state.dirtyCount > 0; round++) {
        await this.catchUp();
        const records = this.state.repairs();
        if (records.length === 0) return;
        this.logger.debug({ keys: records.length }, 'restating schemas log keys whose last record was ignored');
        await this.append(records);
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'could not repair the schemas log; will retry on the next write');
    }
  }

  /** True once the store has applied everything in the log, within `timeoutMs`. */
  async isCaughtUp(timeoutMs: number): Promise<boolean> {
    try {
      await this.catchUp(timeoutMs);
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(errors.storeError('the registry is shutting down'));
    }
    this.waiters = [];
    const attempt = async (what: string, step: () => Promise<unknown>) => {
      try {
        await step();
      } catch (error) {
        this.logger.warn({ err: error }, `error while ${what}`);
      }
    };
    await attempt('disconnecting the schemas log consumer', () => this.consumer.disconnect());
    // The group only ever served this instance; removing it saves the broker from keeping it around.
    if (this.joined) {
      await attempt('removing the consumer group', () => withTimeout(this.admin.deleteGroups([this.groupId]), 3_000, 'removing the consumer group'));
    }
    await attempt('disconnecting the producer', () => this.producer.disconnect());
    await attempt('disconnecting the admin client', () => this.admin.disconnect());
  }
}
