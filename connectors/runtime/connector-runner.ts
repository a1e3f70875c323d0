/**
 * Runs one pull source connector with exactly-once delivery into Kafka:
 *
 *  1. open a session: connect the connector's transactional producer, commit a start marker (the
 *     first transaction, which fences any earlier instance of the connector), read the committed
 *     offsets up to that marker, and start the connector from them;
 *  2. poll a batch, convert it, and write its records, its dead letters and its new offsets in ONE
 *     transaction; then tell the connector what was committed; repeat.
 *
 * A crash anywhere leaves Kafka with whole batches only, each with the offset that follows it, so
 * the next session resumes exactly after the last committed batch. When a transaction (or opening
 * a session) fails, the session is dropped and a new one started after a back-off: whatever was
 * polled since the last commit is read again, never skipped. When only the source fails (poll
 * throws), the runner backs off and polls again with the same session.
 */
import type { Kafka } from 'kafkajs';
import type { Logger } from '../../services/platform/logger.ts';
import { backoffDelay, DEFAULT_BACKOFF } from '../../services/platform/backoff.ts';
import { batchMessages } from './batch-messages.ts';
import { ConnectorCounters, type ConnectorState, type ConnectorStatus, type ManagedConnector } from './managed-connector.ts';
import { readOffsets } from './offset-log.ts';
import type { RawRecordCodec } from '../../services/platform/raw-records.ts';
import type { SourceBatch, SourceConnector } from './source-connector.ts';
import { CrashRecorder } from '../../services/platform/stage-crash.ts';
import { TransactionalWriter } from '../../services/platform/transactional-writer.ts';
import { commitStartMarker, connectorTransactionalId, OFFSET_READ_TIMEOUT_MS } from './offset-log.ts';

export interface ConnectorRunnerOptions {
  /** Names the connector's offsets and transactional id: one running instance per name. */
  name: string;
  connector: SourceConnector;
  kafka: Kafka;
  /** One codec per raw topic (`preparePipeline().rawCodecs`). */
  codecs: ReadonlyMap<string, RawRecordCodec>;
  logger: Logger;
}

export class ConnectorRunner implements ManagedConnector {
  readonly name: string;
  readonly type: string;
  private readonly options: ConnectorRunnerOptions;
  private readonly connector: SourceConnector;
  private readonly logger: Logger;
  private readonly counters = new ConnectorCounters();
  private readonly crashes: CrashRecorder;
  private state: ConnectorState = 'STOPPED';
  private paused = false;
  private loop: Promise<void> | null = null;
  private stopController: AbortController | null = null;
  /** Ends the current wait early (resume, pause, stop). */
  private interruptWait: () => void = () => {};
  /** Callers of pause() waiting for the loop to reach a safe point. */
  private parkedWaiters: (() => void)[] = [];

  constructor(options: ConnectorRunnerOptions) {
    this.options = options;
    this.name = options.name;
    this.connector = options.connector;
    this.type = options.connector.type;
    this.logger = options.logger.child({ connector: options.name });
    this.crashes = new CrashRecorder(`connector ${options.name}`, this.logger);
  }

  status(): ConnectorStatus {
    return {
      name: this.name,
      type: this.type,
      state: this.state,
      records: this.counters.records,
      rejected: this.counters.rejected,
      errors: this.counters.errors,
      lastError: this.counters.lastError,
      lastCrash: this.crashes.lastCrash,
      details: this.connector.details(),
    };
  }

  /** Starts the loop in the background; status() tells how it goes. */
  start(): void {
    if (this.loop) return;
    const controller = new AbortController();
    this.stopController = controller;
    this.state = 'STARTING';
    this.loop = this.run(controller.signal);
  }

  /** Lets the batch in hand commit (or fail), then closes the session and the connector. */
  async stop(): Promise<void> {
    if (!this.loop) return;
    this.stopController?.abort();
    this.interruptWait();
    await this.loop;
    this.loop = null;
  }

  /** Returns once no batch is in flight: from then on nothing is written until resume(). */
  async pause(): Promise<void> {
    this.paused = true;
    if (!this.loop || this.state === 'PAUSED') return;
    const parked = new Promise<void>((resolve) => this.parkedWaiters.push(resolve));
    this.interruptWait();
    await parked;
  }

  async resume(): Promise<void> {
    this.paused = false;
    this.interruptWait();
  }

  /** A new session: offsets read again from Kafka, connector started from them, back-off reset. */
  async restart(): Promise<void> {
    await this.stop();
    this.paused = false;
    this.start();
  }

  private async run(stop: AbortSignal): Promise<void> {
    let writer: TransactionalWriter | null = null;
    let failures = 0;
    // The state stays FAILED from a failure until something succeeds again.
    const succeeded = () => {
      failures = 0;
      this.state = 'RUNNING';
    };
    /** `producerLost`: the session's producer was dropped and a new one starts after the back-off (a crash). */
    const fail = async (error: unknown, what: string, producerLost: boolean) => {
      failures += 1;
      this.counters.fail(error);
      this.state = 'FAILED';
      const retryInMs = backoffDelay(failures, DEFAULT_BACKOFF);
      if (producerLost) this.crashes.record(error, true, `(${what})`);
      else this.logger.warn({ err: (error as Error).message, failures, retryInMs }, `${what} failed; retrying after a back-off`);
      await this.wait(retryInMs, stop);
    };
    try {
      while (!stop.aborted) {
        if (this.paused) {
          this.state = 'PAUSED';
          this.releaseParked();
          await this.wait(null, stop);
          this.state = failures > 0 ? 'FAILED' : 'RUNNING';
          continue;
        }
        if (writer === null) {
          if (failures === 0) this.state = 'STARTING';
          try {
            writer = await this.openSession();
          } catch (error) {
            if (!stop.aborted) await fail(error, 'starting the connector', true);
            continue;
          }
        }
        if (this.state === 'STARTING') this.state = 'RUNNING';
        let batch: SourceBatch | null;
        try {
          batch = await this.connector.poll(stop);
        } catch (error) {
          if (!stop.aborted) await fail(error, 'reading the source', false);
          continue;
        }
        if (batch === null) {
          succeeded();
          await this.wait(this.connector.idleMs, stop);
          continue;
        }
        try {
          await this.commit(writer, batch);
          succeeded();
        } catch (error) {
          // The transaction is aborted; a new session reads the committed offsets again.
          await writer.close().catch(() => {});
          writer = null;
          await fail(error, 'writing a batch', true);
        }
      }
    } finally {
      await writer?.close().catch(() => {});
      await this.connector.stop().catch((error: unknown) => this.logger.warn({ err: (error as Error).message }, 'stopping the connector failed'));
      this.state = 'STOPPED';
      this.releaseParked();
    }
  }

  private async openSession(): Promise<TransactionalWriter> {
    const { kafka, name } = this.options;
    const writer = await TransactionalWriter.open(kafka, connectorTransactionalId(name));
    try {
      const marker = await commitStartMarker(writer, name);
      const offsets = await readOffsets(kafka, name, marker, OFFSET_READ_TIMEOUT_MS);
      await this.connector.start(offsets);
      this.logger.info({ partitions: offsets.size }, 'connector started from its committed offsets');
      return writer;
    } catch (error) {
      await writer.close().catch(() => {});
      throw error;
    }
  }

  private async commit(writer: TransactionalWriter, batch: SourceBatch): Promise<void> {
    const { topicMessages, published, rejected, offsets } = batchMessages(batch, this.options.codecs, this.name, Date.now());
    if (topicMessages.length > 0) await writer.commit(topicMessages);
    this.counters.records += published;
    this.counters.rejected += rejected;
    this.connector.committed(offsets);
    this.logger.debug({ published, rejected, partitions: [...offsets.keys()], total: this.counters.records }, 'batch committed');
  }

  /** Waits `ms` (null: until interrupted), ending early on stop or interruptWait(). */
  private wait(ms: number | null, stop: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      if (stop.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        stop.removeEventListener('abort', done);
        this.interruptWait = () => {};
        resolve();
      };
      const timer = ms === null ? undefined : setTimeout(done, ms);
      stop.addEventListener('abort', done, { once: true });
      this.interruptWait = done;
    });
  }

  private releaseParked(): void {
    for (const resolve of this.parkedWaiters.splice(0)) resolve();
  }
}
