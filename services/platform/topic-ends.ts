/**
 * Reading a topic "to where it ends now": the read_committed end of each partition when reading
 * starts, and a tracker of how far a consumer got. Transaction markers take offsets but are never
 * delivered as messages; kafkajs still reports the batches holding them (END_BATCH_PROCESS), so
 * positions should be advanced from those events as well as from messages.
 */
import { randomUUID } from 'node:crypto';
import type { Consumer, EachMessageHandler, Kafka, KafkaMessage } from 'kafkajs';

/**
 * Runs an admin step again for a few seconds while it fails: just after a topic is created, a KRaft
 * broker may still answer a listing with NOT_LEADER_OR_FOLLOWER or UNKNOWN_TOPIC_OR_PARTITION.
 */
export async function retryingAdmin<T>(step: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await step();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** The partitions holding data, with their end (the last stable offset) at the time of the call. */
export async function committedEnds(kafka: Kafka, topic: string): Promise<Map<number, number>> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<number, number>();
  try {
    // The admin client lists offsets read_committed: the end is the last stable offset.
    for (const { partition, offset, low } of await retryingAdmin(() => admin.fetchTopicOffsets(topic))) {
      if (Number(offset) > Number(low)) ends.set(partition, Number(offset));
    }
  } finally {
    await admin.disconnect();
  }
  return ends;
}

export class EndTracker {
  private readonly ends: Map<number, number>;
  private readonly positions = new Map<number, number>();

  constructor(ends: Map<number, number>) {
    this.ends = ends;
  }

  /** Whether `offset` of `partition` lies before the end taken at the start. */
  before(partition: number, offset: number): boolean {
    return offset < (this.ends.get(partition) ?? 0);
  }

  /** Notes that reading of `partition` got to `next`; true once every partition reached its end. */
  advance(partition: number, next: number): boolean {
    this.positions.set(partition, Math.max(this.positions.get(partition) ?? 0, next));
    return this.reached();
  }

  reached(): boolean {
    return [...this.ends].every(([partition, end]) => (this.positions.get(partition) ?? 0) >= end);
  }
}

export interface TopicFollower {
  /** Every record, in order per partition; `caughtUp` tells whether the end read at the start was reached before it. */
  message(message: KafkaMessage, partition: number, caughtUp: boolean): void | Promise<void>;
  /** How far reading got (transaction markers included): `next` is the next offset of `partition`. */
  position?(partition: number, next: number): void;
}

/**
 * Reads `topic` from its beginning with `consumer` (a group of its own, never committing) and keeps
 * following it; resolves once the end each partition had at the start is reached. For tables every instance holds in full (compacted topics).
 */
export async function followTopic(kafka: Kafka, consumer: Consumer, topic: string, follower: TopicFollower): Promise<void> {
  const tracker = new EndTracker(await committedEnds(kafka, topic));
  let caughtUp = tracker.reached();
  let ready: () => void = () => {};
  const started = new Promise<void>((resolve) => (ready = resolve));
  if (caughtUp) ready();
  const advance = (partition: number, next: number) => {
    follower.position?.(partition, next);
    if (!caughtUp && tracker.advance(partition, next)) {
      caughtUp = true;
      ready();
    }
  };
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => advance(payload.partition, Number(payload.lastOffset) + 1));
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ partition, message }) => {
      await follower.message(message, partition, caughtUp);
      advance(partition, Number(message.offset) + 1);
    },
  });
  await started;
}

export interface TopicMessage {
  partition: number;
  message: KafkaMessage;
}

/**
 * Reads a whole topic as it stands (read_committed): every message from the start up to the end
 * each partition had when the read began, for which `keep` (if given) is true. For tools and tests;
 * the group it uses is its own and is deleted afterwards.
 */
export async function readTopicToEnd(
  kafka: Kafka,
  topic: string,
  keep: (message: KafkaMessage) => boolean = () => true,
  timeoutMs = 30_000,
): Promise<TopicMessage[]> {
  const tracker = new EndTracker(await committedEnds(kafka, topic));
  const messages: TopicMessage[] = [];
  if (tracker.reached()) return messages;

  const groupId = `truc-scan-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, readUncommitted: false, maxWaitTimeInMs: 100 });
  let done: () => void = () => {};
  const advance = (partition: number, next: number) => {
    if (tracker.advance(partition, next)) done();
  };
  await consumer.connect();
  try {
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => advance(payload.partition, Number(payload.lastOffset) + 1));
    await consumer.subscribe({ topic, fromBeginning: true });
    await runUntilDone(consumer, {
      timeoutMs,
      timeoutMessage: () => `read ${messages.length} messages of ${topic} in ${timeoutMs} ms without reaching its end`,
      onDone: (finish) => (done = finish),
      eachMessage: async ({ partition, message }) => {
        if (tracker.before(partition, Number(message.offset)) && keep(message)) messages.push({ partition, message });
        advance(partition, Number(message.offset) + 1);
      },
    });
  } finally {
    await closePrivateConsumer(kafka, consumer, groupId);
  }
  return messages;
}

export interface RunUntilDoneOptions {
  timeoutMs: number;
  timeoutMessage: () => string;
  /** Receives the function that ends the run; the caller calls it once it has read what it wants. */
  onDone: (finish: () => void) => void;
  eachMessage: EachMessageHandler;
  /** Runs once the consumer is running (e.g. to seek its partitions). */
  onRunning?: () => void;
}

/**
 * Runs a private consumer until the caller says it has read enough, failing after a timeout or when
 * the consumer itself fails. Disconnecting is the caller's (closePrivateConsumer).
 */
export function runUntilDone(consumer: Consumer, options: RunUntilDoneOptions): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(options.timeoutMessage())), options.timeoutMs);
    options.onDone(() => {
      clearTimeout(timer);
      resolve();
    });
    consumer
      .run({ autoCommit: false, eachMessage: options.eachMessage })
      .then(() => options.onRunning?.())
      .catch(reject);
  });
}

/**
 * Disconnects a consumer whose group exists only for it (a scan, a restore, a table that follows a
 * topic) and deletes the group, so such groups do not pile up on the broker.
 */
export async function closePrivateConsumer(kafka: Kafka, consumer: Consumer, groupId: string): Promise<void> {
  await consumer.disconnect();
  await deleteConsumerGroup(kafka, groupId);
}

/** Deletes a consumer group that has no members left; one already gone is no error. */
export async function deleteConsumerGroup(kafka: Kafka, groupId: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteGroups([groupId]).catch(() => {});
  await admin.disconnect();
}
