/**
 * A compacted topic of JSON values held in memory: read to its end at start, then followed live, so
 * every instance sees every change within moments and a restart loses nothing. `write` returns once
 * this instance has read its own write back, so a caller reads what it just wrote.
 */
import { randomUUID } from 'node:crypto';
import { Partitioners, type Consumer, type Kafka, type Producer } from 'kafkajs';
import type { Logger } from './logger.ts';
import { closePrivateConsumer, followTopic } from './topic-ends.ts';

export type TableListener<T> = (key: string, value: T | null) => void;

export interface CompactedTableOptions<T> {
  kafka: Kafka;
  topic: string;
  logger: Logger;
  /** Turns a stored JSON value into T; throws for a value that cannot be used (it is skipped, logged). */
  parse: (value: unknown, key: string) => T;
}

export class CompactedTable<T> {
  private readonly rows = new Map<string, T>();
  private readonly listeners = new Set<TableListener<T>>();
  private readonly positions = new Map<number, number>();
  private readonly waiters = new Set<{ partition: number; offset: number; resolve: () => void }>();
  private readonly consumer: Consumer;
  private readonly groupId: string;
  private producer: Producer | null = null;
  private readonly options: CompactedTableOptions<T>;

  private constructor(options: CompactedTableOptions<T>) {
    this.options = options;
    // A group of its own: every instance needs every row and never commits offsets.
    this.groupId = `truc-table-${randomUUID()}`;
    this.consumer = options.kafka.consumer({ groupId: this.groupId, readUncommitted: false, maxWaitTimeInMs: 100 });
  }

  /** Resolves once the table holds everything the topic held when it started. */
  static async start<T>(options: CompactedTableOptions<T>): Promise<CompactedTable<T>> {
    const table = new CompactedTable(options);
    await table.follow();
    return table;
  }

  get(key: string): T | undefined {
    return this.rows.get(key);
  }

  values(): T[] {
    return [...this.rows.values()];
  }

  get size(): number {
    return this.rows.size;
  }

  /** Called for every change after start (the rows read at start are in the table already). */
  onChange(listener: TableListener<T>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Writes (null: deletes) and waits until this table has applied the write. */
  async write(key: string, value: T | null): Promise<void> {
    if (!this.producer) {
      const producer = this.options.kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      this.producer = producer;
    }
    const [meta] = await this.producer.send({
      topic: this.options.topic,
      acks: -1,
      messages: [{ key, value: value === null ? null : JSON.stringify(value) }],
    });
    const partition = meta!.partition;
    const offset = Number(meta!.baseOffset ?? meta!.offset);
    if ((this.positions.get(partition) ?? 0) > offset) return;
    await new Promise<void>((resolve) => this.waiters.add({ partition, offset, resolve }));
  }

  private advance(partition: number, next: number): void {
    this.positions.set(partition, Math.max(this.positions.get(partition) ?? 0, next));
    for (const waiter of this.waiters) {
      if (waiter.partition === partition && next > waiter.offset) {
        this.waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }

  private apply(key: string, raw: Buffer | null, live: boolean): void {
    let value: T | null = null;
    if (raw !== null) {
      try {
        value = this.options.parse(JSON.parse(raw.toString('utf8')), key);
      } catch (error) {
        // The key's latest record is what counts: an unusable one removes the row rather than leaving an older value in force.
        this.options.logger.error({ topic: this.options.topic, key, err: (error as Error).message }, 'unusable table row dropped');
      }
    }
    if (value === null) this.rows.delete(key);
    else this.rows.set(key, value);
    if (live) for (const listener of this.listeners) listener(key, value);
  }

  private async follow(): Promise<void> {
    const { kafka, topic } = this.options;
    await followTopic(kafka, this.consumer, topic, {
      message: (message, _partition, caughtUp) => {
        const key = message.key?.toString('utf8');
        if (key) this.apply(key, message.value, caughtUp);
      },
      position: (partition, next) => this.advance(partition, next),
    });
  }

  async close(): Promise<void> {
    await this.producer?.disconnect();
    await closePrivateConsumer(this.options.kafka, this.consumer, this.groupId);
  }
}
