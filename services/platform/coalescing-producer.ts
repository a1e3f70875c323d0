/**
 * Gathers the messages of concurrent callers into one produce request. kafkajs sends every `send`
 * call as its own request, so thousands of small HTTP requests would otherwise mean thousands of
 * broker round trips. While one batch is in flight the next one fills up, so batches grow with load;
 * when idle, a batch waits at most `lingerMs` for company. Each caller's promise settles with the
 * acknowledgement (or failure) of the batch that carried its messages.
 *
 * After a failed batch the producer is replaced by a fresh one before the next batch: a kafkajs
 * idempotent producer that lost its broker mid-request can be left with sequence numbers the
 * restarted broker rejects for good, and a new producer id starts clean.
 */
import type { Message, Producer, TopicMessages } from 'kafkajs';

export interface CoalescingOptions {
  lingerMs: number;
  /** A batch is sent at once when it reaches this many messages. */
  maxBatchMessages: number;
}

interface Entry {
  topic: string;
  messages: Message[];
  resolve: () => void;
  reject: (error: Error) => void;
}

export class SendCancelledError extends Error {
  constructor() {
    super('send cancelled before it reached Kafka');
    this.name = 'SendCancelledError';
  }
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

  /** `createProducer` returns a connected producer (idempotent, for exactly-once writes). */
  constructor(createProducer: ProducerFactory, options: CoalescingOptions) {
    this.createProducer = createProducer;
    this.producer = createProducer();
    this.options = options;
  }

  /** Waits for the first producer, so start-up fails loudly when Kafka is unreachable. */
  async ready(): Promise<void> {
    await this.producer;
  }

  /** Sends what is pending, then disconnects. */
  async close(): Promise<void> {
    await this.flush().catch(() => {});
    await (await this.producer.catch(() => null))?.disconnect();
  }

  /**
   * Resolves once the broker acknowledged every message (acks=all). Aborting `signal` while the
   * messages still wait for a batch withdraws them (the promise rejects with SendCancelledError);
   * once their batch is in flight they can no longer be withdrawn.
   */
  send(topic: string, messages: Message[], signal?: AbortSignal): Promise<void> {
    if (messages.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const entry: Entry = { topic, messages, resolve, reject };
      this.pending.push(entry);
      this.pendingCount += messages.length;
      signal?.addEventListener('abort', () => this.withdraw(entry), { once: true });
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

  private dispatch(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.inFlight || this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.pendingCount = 0;
    this.inFlight = this.currentProducer()
      .then((producer) => producer.sendBatch({ acks: -1, topicMessages: groupByTopic(batch) }))
      .then(
        () => batch.forEach((entry) => entry.resolve()),
        (error: Error) => {
          this.producerFailed = true;
          batch.forEach((entry) => entry.reject(error));
        },
      )
      .finally(() => {
        this.inFlight = null;
        // Whatever arrived meanwhile has waited long enough: send it now.
        if (this.pending.length > 0) this.dispatch();
      });
  }
}
