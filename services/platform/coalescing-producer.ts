/**
 * Gathers the messages of concurrent callers into one produce request. kafkajs sends every `send`
 * call as its own request, so thousands of small HTTP requests would otherwise mean thousands of
 * broker round trips. While one batch is in flight the next one fills up, so batches grow with load;
 * when idle, a batch waits at most `lingerMs` for company. Each caller's promise settles with the
 * acknowledgement (or failure) of the batch that carried its messages.
 *
 * A batch never exceeds what the broker accepts (`limits`, read from the cluster): records are
 * counted per partition, where kafkajs' partitioner puts them (the batcher places keyed records
 * itself on the partition that partitioner would choose, key-partition.ts, with the partition count
 * read at start), against the topic's
 * `max.message.bytes`. Callers that do not fit in the batch wait for the next one; a caller whose
 * own messages are more than one write takes has them sent in consecutive parts, and a single
 * message larger than the topic takes is refused at once (RecordsTooLargeError). Should the broker
 * still refuse a batch of several callers (its limits changed since they were read), each caller's
 * messages are sent again on their own, so one caller's records never fail another's. Kafka refuses
 * per partition, and kafkajs does not say which partitions it took, so the resend may write some
 * records twice: the same records with the same event ids, which the normalizer drops as replays.
 *
 * After a failed batch the producer is replaced by a fresh one before the next batch: a kafkajs
 * idempotent producer that lost its broker mid-request can be left with sequence numbers the
 * restarted broker rejects for good, and a new producer id starts clean.
 */
import type { Message, Producer, TopicMessages } from 'kafkajs';
import { keyPartition } from './key-partition.ts';
import type { ProduceLimits } from './produce-limits.ts';
import { framedMessageBytes } from './record-size.ts';

export interface CoalescingOptions {
  lingerMs: number;
  /** A batch is sent at once when it reaches this many messages. */
  maxBatchMessages: number;
  limits: ProduceLimits;
}

/** Bytes one caller's messages add to one topic: per foreseen partition, and keyless ones apart. */
interface TopicBytes {
  byPartition: Map<number, number>;
  /** kafkajs spreads keyless messages round-robin, so they are counted against every partition. */
  keyless: number;
}

/** Messages of one caller that fit in one write, and the bytes they take. */
interface Part {
  messages: Message[];
  bytes: TopicBytes;
  total: number;
}

interface Entry extends Part {
  topic: string;
  /** Set when a shared batch was refused: the entry then goes in a batch of its own. */
  alone: boolean;
  signal: AbortSignal | undefined;
  resolve: () => void;
  reject: (error: Error) => void;
}

export class SendCancelledError extends Error {
  constructor() {
    super('send cancelled before it reached Kafka');
    this.name = 'SendCancelledError';
  }
}

/** The messages are more than Kafka accepts in one write; sending them again cannot help. */
export class RecordsTooLargeError extends Error {
  readonly bytes: number;
  readonly limit: number;
  constructor(bytes: number, limit: number) {
    super(`the records take ${bytes} bytes in one write to Kafka, which accepts at most ${limit}`);
    this.name = 'RecordsTooLargeError';
    this.bytes = bytes;
    this.limit = limit;
  }
}

const SIZE_REFUSALS = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE']);
/**
 * The broker's refusals of what a batch holds. Other errors (the broker away, a producer state the
 * broker no longer knows) would fail each caller alike, so they fail the batch as it is.
 */
const CONTENT_REFUSALS = new Set([...SIZE_REFUSALS, 'INVALID_RECORD', 'CORRUPT_MESSAGE', 'INVALID_TIMESTAMP']);

/** kafkajs wraps the broker's answer in `cause`s; the protocol error among them names the refusal. */
function refusalType(error: unknown): string | null {
  for (let e = error as { name?: string; type?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.name === 'KafkaJSProtocolError' && typeof e.type === 'string') return e.type;
  }
  return null;
}

function groupByTopic(entries: Entry[]): TopicMessages[] {
  const byTopic = new Map<string, Message[]>();
  for (const entry of entries) {
    const list = byTopic.get(entry.topic);
    if (list) list.push(...entry.messages);
    else byTopic.set(entry.topic, [...entry.messages]);
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}

function largestPartition(bytes: TopicBytes): number {
  return Math.max(0, ...bytes.byPartition.values()) + bytes.keyless;
}

/** Whether one more message of `size` bytes for `partition` (null: keyless) keeps `part` within one write. */
function fitsWith(part: Part, partition: number | null, size: number, limit: number, maxRequestBytes: number): boolean {
  if (part.total + size > maxRequestBytes) return false;
  const largest = largestPartition(part.bytes);
  if (partition === null) return largest + size <= limit;
  return (part.bytes.byPartition.get(partition) ?? 0) + part.bytes.keyless + size <= limit;
}

/** The bytes a batch holds so far, per topic, to decide whether one more entry fits. */
class BatchBudget {
  private readonly limits: ProduceLimits;
  private readonly topics = new Map<string, TopicBytes>();
  private total = 0;
  messages = 0;

  constructor(limits: ProduceLimits) {
    this.limits = limits;
  }

  fits(entry: Entry): boolean {
    if (this.total + entry.total > this.limits.maxRequestBytes) return false;
    const used = this.topics.get(entry.topic);
    if (!used) return true;
    const merged: TopicBytes = { byPartition: new Map(used.byPartition), keyless: used.keyless + entry.bytes.keyless };
    for (const [partition, bytes] of entry.bytes.byPartition) merged.byPartition.set(partition, (merged.byPartition.get(partition) ?? 0) + bytes);
    return largestPartition(merged) <= topicLimit(this.limits, entry.topic);
  }

  add(entry: Entry): void {
    this.total += entry.total;
    this.messages += entry.messages.length;
    const used = this.topics.get(entry.topic) ?? { byPartition: new Map<number, number>(), keyless: 0 };
    used.keyless += entry.bytes.keyless;
    for (const [partition, bytes] of entry.bytes.byPartition) used.byPartition.set(partition, (used.byPartition.get(partition) ?? 0) + bytes);
    this.topics.set(entry.topic, used);
  }
}

function topicLimit(limits: ProduceLimits, topic: string): number {
  return limits.topics.get(topic)?.maxBatchBytes ?? limits.defaultMaxBatchBytes;
}

export type ProducerFactory = () => Promise<Producer>;

export class CoalescingProducer {
  private readonly createProducer: ProducerFactory;
  private producer: Promise<Producer>;
  private producerFailed = false;
  private readonly options: CoalescingOptions;
  private pending: Entry[] = [];
  private pendingCount = 0;
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;

  /**
   * `createProducer` returns a connected producer (idempotent, for exactly-once writes) that uses
   * kafkajs' DefaultPartitioner.
   */
  constructor(createProducer: ProducerFactory, options: CoalescingOptions) {
    this.createProducer = createProducer;
    this.producer = createProducer();
    this.options = options;
  }

  /** Waits for the first producer, so start-up fails loudly when Kafka is unreachable. */
  async ready(): Promise<void> {
    await this.producer;
  }

  /** The framed bytes (record-size.ts) one write may carry to one partition of `topic`. */
  maxBatchBytes(topic: string): number {
    return topicLimit(this.options.limits, topic);
  }

  /** Sends what is pending, then disconnects. */
  async close(): Promise<void> {
    await this.flush().catch(() => {});
    await (await this.producer.catch(() => null))?.disconnect();
  }

  /**
   * Resolves once the broker acknowledged every message (acks=all). Messages too many for one write
   * go in consecutive parts; the promise settles with the last, or rejects with the first failure
   * (parts not sent yet are then withdrawn; parts already written stay written, like any write a
   * caller is told failed, and come again with the same event ids if the caller sends again).
   * Rejects with RecordsTooLargeError, sending nothing, when one message alone is more than Kafka
   * takes. Aborting `signal` while messages still wait for a batch withdraws them (the promise
   * rejects with SendCancelledError); once their batch is in flight they can no longer be withdrawn.
   */
  send(topic: string, messages: Message[], signal?: AbortSignal): Promise<void> {
    if (messages.length === 0) return Promise.resolve();
    let parts: Part[];
    try {
      parts = this.parts(topic, messages);
    } catch (error) {
      return Promise.reject(error as Error);
    }
    return new Promise<void>((resolve, reject) => {
      let unsettled = parts.length;
      let failed = false;
      const entries: Entry[] = parts.map((part) => ({
        topic,
        ...part,
        alone: false,
        signal,
        resolve: () => {
          if (--unsettled === 0 && !failed) resolve();
        },
        reject: (error) => {
          if (failed) return;
          failed = true;
          for (const other of entries) this.withdraw(other);
          reject(error);
        },
      }));
      for (const entry of entries) {
        this.pending.push(entry);
        this.pendingCount += entry.messages.length;
      }
      signal?.addEventListener('abort', () => entries.forEach((entry) => this.withdraw(entry)), { once: true });
      this.schedule();
    });
  }

  /** Sends whatever is pending and waits for every batch in flight. */
  async flush(): Promise<void> {
    while (this.inFlight || this.pending.length > 0) {
      if (this.inFlight) await this.inFlight;
      else this.dispatch();
    }
  }

  /**
   * `messages` cut, in order, into parts that each fit in one write, with the bytes each adds per
   * partition. Keyed messages get the partition foreseen for them set explicitly: kafkajs then
   * places them there without hashing every key a second time.
   */
  private parts(topic: string, messages: Message[]): Part[] {
    const partitions = this.options.limits.topics.get(topic)?.partitions;
    const limit = topicLimit(this.options.limits, topic);
    const parts: Part[] = [];
    let part: Part | null = null;
    for (const message of messages) {
      const size = framedMessageBytes(message);
      let placed = message;
      // null: keyless, which kafkajs spreads round-robin; without partition counts, all count as one.
      let partition: number | null = 0;
      if (partitions !== undefined) {
        if (message.partition === undefined && (message.key === null || message.key === undefined)) partition = null;
        else {
          partition = message.partition ?? keyPartition(message.key!, partitions);
          if (message.partition !== partition) placed = { ...message, partition };
        }
      }
      if (size > limit) throw new RecordsTooLargeError(size, limit);
      if (!part || !fitsWith(part, partition, size, limit, this.options.limits.maxRequestBytes)) {
        part = { messages: [], bytes: { byPartition: new Map(), keyless: 0 }, total: 0 };
        parts.push(part);
      }
      part.messages.push(placed);
      part.total += size;
      if (partition === null) part.bytes.keyless += size;
      else part.bytes.byPartition.set(partition, (part.bytes.byPartition.get(partition) ?? 0) + size);
    }
    return parts;
  }

  private withdraw(entry: Entry): void {
    const index = this.pending.indexOf(entry);
    if (index < 0) return;
    this.pending.splice(index, 1);
    this.pendingCount -= entry.messages.length;
    entry.reject(new SendCancelledError());
  }

  private currentProducer(): Promise<Producer> {
    if (this.producerFailed) {
      this.producerFailed = false;
      const previous = this.producer;
      this.producer = previous
        .then((producer) => producer.disconnect())
        .catch(() => {})
        .then(() => this.createProducer());
    }
    return this.producer;
  }

  private schedule(): void {
    if (this.inFlight) return; // dispatched when the batch in flight settles
    if (this.pendingCount >= this.options.maxBatchMessages || this.options.lingerMs === 0) {
      this.dispatch();
    } else if (!this.timer) {
      this.timer = setTimeout(() => this.dispatch(), this.options.lingerMs);
    }
  }

  /** The pending entries that fit in one produce request, in arrival order; the rest wait. */
  private takeBatch(): Entry[] {
    const first = this.pending[0]!;
    if (first.alone) {
      this.pending.shift();
      this.pendingCount -= first.messages.length;
      return [first];
    }
    const budget = new BatchBudget(this.options.limits);
    const batch: Entry[] = [];
    const rest: Entry[] = [];
    for (const entry of this.pending) {
      const room = budget.messages === 0 || (budget.messages + entry.messages.length <= this.options.maxBatchMessages && budget.fits(entry));
      if (room && !entry.alone) {
        budget.add(entry);
        batch.push(entry);
      } else rest.push(entry);
    }
    this.pending = rest;
    this.pendingCount -= budget.messages;
    return batch;
  }

  private dispatch(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.inFlight || this.pending.length === 0) return;
    const batch = this.takeBatch();
    this.inFlight = this.currentProducer()
      .then((producer) => producer.sendBatch({ acks: -1, topicMessages: groupByTopic(batch) }))
      .then(
        () => batch.forEach((entry) => entry.resolve()),
        (error: Error) => {
          this.producerFailed = true;
          this.settleFailed(batch, error);
        },
      )
      .finally(() => {
        this.inFlight = null;
        // Whatever arrived meanwhile has waited long enough: send it now.
        if (this.pending.length > 0) this.dispatch();
      });
  }

  /**
   * A broker that is away fails every caller alike. A batch the broker refused for what it holds
   * is sent again caller by caller (those whose callers gave up meanwhile are dropped), so only the
   * caller whose messages Kafka refuses gets the refusal.
   */
  private settleFailed(batch: Entry[], error: Error): void {
    const refusal = refusalType(error);
    if (refusal !== null && CONTENT_REFUSALS.has(refusal) && batch.length > 1) {
      const retried = batch.filter((entry) => {
        if (entry.signal?.aborted) entry.reject(new SendCancelledError());
        return !entry.signal?.aborted;
      });
      for (const entry of retried) entry.alone = true;
      this.pending.unshift(...retried);
      this.pendingCount += retried.reduce((sum, entry) => sum + entry.messages.length, 0);
      return;
    }
    const tooLarge = refusal !== null && SIZE_REFUSALS.has(refusal);
    for (const entry of batch) {
      entry.reject(tooLarge ? new RecordsTooLargeError(largestPartition(entry.bytes), topicLimit(this.options.limits, entry.topic)) : error);
    }
  }
}
