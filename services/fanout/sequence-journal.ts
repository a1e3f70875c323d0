/**
 * A subscription's sequence journal on Kafka: the topic `<FANOUT_SEQUENCE_TOPIC_PREFIX><id>` (one
 * partition, keyed by source partition, compacted only past the canonical topics' retention)
 * written by one transactional producer, `<group prefix>-<id>-journal`. Opening it fences any earlier holder (another instance, or one killed with its transaction open), then reads
 * the journal to its end and the group's committed offsets, so numbering carries on where the
 * fenced holder left it. Numbering is one critical section per subscription: numbers are given and
 * journaled in one transaction before the events are sent, and a topic subscription's records and
 * consumer offsets go in that same transaction. Only one fan-out member owns a subscription's
 * partitions at a time (singleOwnerAssigner), so only it numbers.
 */
import type { Kafka, Offsets, TopicMessages } from 'kafkajs';
import type { Kind } from '../platform/catalog.ts';
import { readTopicToEnd } from '../platform/topic-ends.ts';
import { TransactionalWriter } from '../platform/transactional-writer.ts';
import { SequenceNumbers, decodeEntry, encodeEntry, entryKey, type NumberedEvent } from '../subscriptions/sequence-numbers.ts';

export interface SequenceJournalOptions {
  kafka: Kafka;
  /** The journal topic (created by the fan-out before delivery starts). */
  topic: string;
  transactionalId: string;
  groupId: string;
  generation: number;
  /** The canonical topics the subscription reads (for the group's committed offsets). */
  sourceTopics: string[];
}

/** What a topic subscription adds to the numbering transaction, built once the numbers are known: records, and the group's offsets. */
export interface TransactionParts {
  topicMessages: TopicMessages[];
  offsets?: Offsets;
}

interface NumberingRequest {
  kind: Kind;
  topic: string;
  partition: number;
  events: readonly NumberedEvent[];
  parts: ((numbers: number[]) => TransactionParts) | undefined;
  resolve(numbers: number[]): void;
  reject(error: unknown): void;
}

interface Opened {
  writer: TransactionalWriter;
  numbers: SequenceNumbers;
  /** The group's committed offset per partition when opened, then as this holder commits. */
  committed: Map<string, number>;
}

const partitionKey = (topic: string, partition: number) => `${topic}:${partition}`;

function markCommitted(opened: Opened, topic: string, partition: number, next: number): void {
  opened.committed.set(partitionKey(topic, partition), next);
  opened.numbers.committed(topic, partition, next);
}

export class SequenceJournal {
  private readonly options: SequenceJournalOptions;
  private opening: Promise<Opened> | null = null;
  /** Numbering requests waiting for the next transaction; one transaction at a time. */
  private pending: NumberingRequest[] = [];
  private draining: Promise<void> | null = null;
  private numbered = 0;
  private lastKnown = 0;

  constructor(options: SequenceJournalOptions) {
    this.options = options;
  }

  /** Opens (and fences) once; a failed opening is tried again by the next caller. */
  open(): Promise<Opened> {
    if (!this.opening) {
      this.opening = this.openNow();
      this.opening.catch(() => (this.opening = null));
    }
    return this.opening;
  }

  private async openNow(): Promise<Opened> {
    const { kafka, topic, transactionalId, groupId, generation, sourceTopics } = this.options;
    const writer = await TransactionalWriter.open(kafka, transactionalId);
    try {
      // An empty transaction fences the previous holder and waits out its open transaction, so the journal read next is complete.
      await writer.commit([]);
      const entries = (await readTopicToEnd(kafka, topic)).map(({ message }) => decodeEntry(message.value));
      const committed = new Map<string, number>();
      const admin = kafka.admin();
      await admin.connect();
      try {
        for (const { topic: source, partitions } of await admin.fetchOffsets({ groupId, topics: sourceTopics })) {
          for (const { partition, offset } of partitions) committed.set(partitionKey(source, partition), Number(offset));
        }
      } finally {
        await admin.disconnect();
      }
      const numbers = new SequenceNumbers(generation, entries, (source, partition) => committed.get(partitionKey(source, partition)) ?? -1);
      this.lastKnown = numbers.last;
      return { writer, numbers, committed };
    } catch (error) {
      await writer.close().catch(() => {});
      throw error;
    }
  }

  /** The highest number journaled (as far as this instance knows). */
  get last(): number {
    return this.lastKnown;
  }

  /** Events numbered by this instance since it started. */
  get sinceStart(): number {
    return this.numbered;
  }

  /** The group's committed offset of a partition as this holder knows it (-1: none). */
  async committedOffset(topic: string, partition: number): Promise<number> {
    return (await this.open()).committed.get(partitionKey(topic, partition)) ?? -1;
  }

  /**
   * Numbers `events` of one partition and journals the new numbers; `parts` (topic delivery) adds
   * the records and offsets to the same transaction. Resolves with the numbers once committed.
   * Requests that come while a transaction is under way go together in the next one (one entry
   * per partition): a transaction per batch of every partition would be too slow.
   */
  number(kind: Kind, topic: string, partition: number, events: readonly NumberedEvent[], parts?: (numbers: number[]) => TransactionParts): Promise<number[]> {
    return new Promise<number[]>((resolve, reject) => {
      this.pending.push({ kind, topic, partition, events, parts, resolve, reject });
      this.drain();
    });
  }

  private drain(): void {
    this.draining ??= (async () => {
      while (this.pending.length > 0) await this.commitTogether(this.pending.splice(0));
    })().finally(() => (this.draining = null));
  }

  private async commitTogether(requests: NumberingRequest[]): Promise<void> {
    let opened: Opened;
    try {
      opened = await this.open();
    } catch (error) {
      for (const request of requests) request.reject(error);
      return;
    }
    const journal: { key: string; value: Buffer }[] = [];
    const topicMessages: TopicMessages[] = [];
    const offsets = new Map<string, { partition: number; offset: string }[]>();
    const assigned: number[][] = [];
    let fresh = 0;
    try {
      for (const { kind, topic, partition, events, parts } of requests) {
        const { numbers, entry } = opened.numbers.assign(kind, topic, partition, events);
        // Recorded before the commit so the next request of this transaction numbers on; if anything
        // fails, this numbering state is dropped with the writer and read again from the journal.
        if (entry) {
          opened.numbers.record(entry);
          journal.push({ key: entryKey(entry), value: encodeEntry(entry) });
          fresh += entry.offsets.length;
        }
        const extra = parts?.(numbers);
        topicMessages.push(...(extra?.topicMessages ?? []));
        for (const { topic: source, partitions } of extra?.offsets?.topics ?? []) offsets.set(source, [...(offsets.get(source) ?? []), ...partitions]);
        assigned.push(numbers);
      }
      if (journal.length > 0 || topicMessages.length > 0 || offsets.size > 0) {
        await opened.writer.commit(
          [...(journal.length > 0 ? [{ topic: this.options.topic, messages: journal }] : []), ...topicMessages],
          offsets.size > 0 ? { consumerGroupId: this.options.groupId, topics: [...offsets].map(([source, partitions]) => ({ topic: source, partitions })) } : undefined,
        );
      }
    } catch (error) {
      // Fenced or broken: the next request opens (and fences) again, reading what was journaled.
      this.opening = null;
      await opened.writer.close().catch(() => {});
      for (const request of requests) request.reject(error);
      return;
    }
    this.numbered += fresh;
    this.lastKnown = opened.numbers.last;
    for (const [source, partitions] of offsets) for (const { partition, offset } of partitions) markCommitted(opened, source, partition, Number(offset));
    requests.forEach((request, i) => request.resolve(assigned[i]!));
  }

  /** The group committed `next` for a partition (webhook delivery commits outside the journal's transactions). */
  committed(topic: string, partition: number, next: number): void {
    void this.opening?.then((opened) => markCommitted(opened, topic, partition, next), () => {});
  }

  async close(): Promise<void> {
    await this.draining;
    const opening = this.opening;
    this.opening = null;
    await (await opening?.catch(() => null))?.writer.close();
  }
}
