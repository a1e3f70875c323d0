/**
 * A transactional producer (exactly-once writes): everything given to one `commit` — messages on any
 * topics, and optionally a consumer group's offsets — is written together or not at all.
 *
 * The transactional id names the unit of work (a connector, a normalizer partition), so the first
 * transaction of a new instance fences any earlier instance with the same id: that instance can no
 * longer commit, and the transaction it left open is aborted by the broker. (kafkajs sends the
 * InitProducerId that does this with the first `transaction()`, not at `connect()`.)
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Partitioners, type Kafka, type Offsets, type Producer, type TopicMessages, type Transaction } from 'kafkajs';
import { messageBytes } from './record-size.ts';

/**
 * Every transaction after the first starts with AddPartitionsToTxn while the coordinator may still
 * be writing the previous commit's markers; the broker then answers CONCURRENT_TRANSACTIONS and
 * the client must retry. kafkajs retries it like any error, after `initialRetryTime`, so a short
 * first retry keeps back-to-back transactions fast (with the default 300 ms, each batch would wait
 * that long); the retry count still gives up on a broker that stays away (then the runner backs off).
 */
const PRODUCER_RETRY = { initialRetryTime: 10, maxRetryTime: 5_000, retries: 15 };

/**
 * A transaction with offsets only (a batch whose records were all duplicates or filtered out) starts
 * with AddOffsetsToTxn, which meets the same CONCURRENT_TRANSACTIONS answer while the previous
 * commit's markers are being written; kafkajs does not retry that request, so the error used to
 * crash the consumer that called commit. It is retried here: first after 10 ms, the wait doubling
 * up to 500 ms, for at most 30 s (a coordinator stuck longer is a real failure).
 */
export const OFFSETS_RETRY = { firstMs: 10, maxMs: 500, giveUpMs: 30_000 };

export function isConcurrentTransactions(error: unknown): boolean {
  return (error as { type?: unknown } | null)?.type === 'CONCURRENT_TRANSACTIONS';
}

/** `transaction.sendOffsets`, again after a wait while the coordinator answers CONCURRENT_TRANSACTIONS. */
export async function sendOffsetsRetrying(
  transaction: Pick<Transaction, 'sendOffsets'>,
  offsets: Offsets & { consumerGroupId: string },
  retry = OFFSETS_RETRY,
): Promise<void> {
  const giveUpAt = Date.now() + retry.giveUpMs;
  for (let waitMs = retry.firstMs; ; waitMs = Math.min(waitMs * 2, retry.maxMs)) {
    try {
      await transaction.sendOffsets(offsets);
      return;
    } catch (error) {
      if (!isConcurrentTransactions(error) || Date.now() + waitMs > giveUpAt) throw error;
      await sleep(waitMs);
    }
  }
}

/**
 * kafkajs puts all of one send's messages for a partition into one record batch, which the broker
 * refuses above `message.max.bytes` (1 MiB by default). A transaction is therefore sent in parts of
 * at most this many bytes: still one transaction, whatever the batch's size.
 */
const MAX_SEND_BYTES = 512 * 1024;

/** `topicMessages` cut into consecutive parts of at most MAX_SEND_BYTES (a larger message alone). */
export function sendParts(topicMessages: TopicMessages[], maxBytes = MAX_SEND_BYTES): TopicMessages[][] {
  const parts: TopicMessages[][] = [];
  let part: TopicMessages[] = [];
  let bytes = 0;
  for (const { topic, messages } of topicMessages) {
    for (const message of messages) {
      const size = messageBytes(message);
      if (bytes > 0 && bytes + size > maxBytes) {
        parts.push(part);
        part = [];
        bytes = 0;
      }
      const last = part[part.length - 1];
      if (last?.topic === topic) last.messages.push(message);
      else part.push({ topic, messages: [message] });
      bytes += size;
    }
  }
  if (part.length > 0) parts.push(part);
  return parts;
}

/** A connected transactional producer for `transactionalId`. */
async function connectProducer(kafka: Kafka, transactionalId: string): Promise<Producer> {
  const producer = kafka.producer({
    // Java's partitioner (kafkajs' default since v2, named so it does not warn): a key lands on the
    // same partition whichever client wrote it.
    createPartitioner: Partitioners.DefaultPartitioner,
    transactionalId,
    idempotent: true,
    maxInFlightRequests: 1,
    retry: PRODUCER_RETRY,
  });
  try {
    await producer.connect();
  } catch (error) {
    // Retried after a back-off with a new producer: this one must not keep its connections.
    await producer.disconnect().catch(() => {});
    throw error;
  }
  return producer;
}

export class TransactionalWriter {
  private readonly kafka: Kafka;
  private readonly transactionalId: string;
  private producer: Producer;
  /**
   * Set when a transaction could not be begun or aborted (its broker gone): kafkajs then keeps the
   * producer in that state for good ("Cannot call beginTransaction in state ABORTING"), so every
   * later commit would fail. The next commit replaces it with a new producer of the same id, whose
   * first transaction fences the old one and has the broker abort what it left open.
   */
  private unusable = false;

  private constructor(kafka: Kafka, transactionalId: string, producer: Producer) {
    this.kafka = kafka;
    this.transactionalId = transactionalId;
    this.producer = producer;
  }

  static async open(kafka: Kafka, transactionalId: string): Promise<TransactionalWriter> {
    return new TransactionalWriter(kafka, transactionalId, await connectProducer(kafka, transactionalId));
  }

  /**
   * Writes all of `topicMessages`, and commits `offsets` for the consumer group, or — when anything
   * fails — nothing (the transaction is aborted, by this producer or, when that fails too, by the
   * broker once the next commit's new producer fences it).
   */
  async commit(topicMessages: TopicMessages[], offsets?: Offsets & { consumerGroupId: string }): Promise<void> {
    if (this.unusable) await this.replaceProducer();
    let transaction: Transaction;
    try {
      transaction = await this.producer.transaction();
    } catch (error) {
      this.unusable = true;
      throw error;
    }
    try {
      for (const part of sendParts(topicMessages)) await transaction.sendBatch({ topicMessages: part, acks: -1 });
      if (offsets) await sendOffsetsRetrying(transaction, offsets);
      await transaction.commit();
    } catch (error) {
      await transaction.abort().catch(() => {
        this.unusable = true;
      });
      throw error;
    }
  }

  /** A new producer in place of one left unusable; while the broker stays away this fails, and the next commit tries again. */
  private async replaceProducer(): Promise<void> {
    await this.producer.disconnect().catch(() => {});
    this.producer = await connectProducer(this.kafka, this.transactionalId);
    this.unusable = false;
  }

  async close(): Promise<void> {
    await this.producer.disconnect();
  }
}
