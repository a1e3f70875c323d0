/**
 * A subscription's sequence numbers: every event delivered to it gets the next number, 1, 2, 3, …
 * Numbers are recorded in the subscription's journal topic before an event is first sent, one
 * journal entry per numbered run of one canonical partition (sequence number → topic, partition,
 * offset, event id). An event the consumer reads again (a retry after a rebalance, a restart, a
 * SIGKILL) gets the number the journal already gave it, so a number never names another event.
 *
 * This module is the bookkeeping only (no Kafka): what the journal holds, and which numbers a batch
 * gets given what was journaled.
 */
import { KINDS, type Kind } from '../platform/catalog.ts';

/** Numbers `first`, `first + 1`, … name the events at `offsets[i]` (event `ids[i]`) of one partition. */
export interface JournalEntry {
  /** The subscription generation that numbered them (a reset reads again and numbers anew). */
  generation: number;
  first: number;
  kind: Kind;
  topic: string;
  partition: number;
  offsets: number[];
  ids: string[];
}

export function journalTopic(prefix: string, subscriptionId: string): string {
  return `${prefix}${subscriptionId}`;
}

/**
 * The journal's key: the source partition. Compaction (past the retention of the canonical topics)
 * keeps each partition's latest entry, which holds the highest numbers and the only numbers the
 * group may still read again: a partition's next batch is numbered only after the previous one's
 * offsets were committed.
 */
export function entryKey(entry: JournalEntry): string {
  return `${entry.topic}:${entry.partition}`;
}

export function encodeEntry(entry: JournalEntry): Buffer {
  return Buffer.from(JSON.stringify(entry));
}

const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

/** The entry a journal record holds; throws on anything else (the topic is Truc's own, so that is a bug). */
export function decodeEntry(value: Buffer | null): JournalEntry {
  const entry = JSON.parse(value?.toString('utf8') ?? 'null') as Partial<JournalEntry> | null;
  if (
    !entry || !isCount(entry.generation) || !isCount(entry.first) || entry.first < 1 || !(KINDS as readonly unknown[]).includes(entry.kind) ||
    typeof entry.topic !== 'string' || !isCount(entry.partition) || !Array.isArray(entry.offsets) || !Array.isArray(entry.ids) ||
    entry.offsets.length === 0 || entry.offsets.length !== entry.ids.length || !entry.offsets.every(isCount) || !entry.ids.every((id) => typeof id === 'string')
  ) {
    throw new Error('not a sequence journal entry');
  }
  return entry as JournalEntry;
}

/** The last number an entry gives. */
export function lastOf(entry: JournalEntry): number {
  return entry.first + entry.offsets.length - 1;
}

export interface NumberedEvent {
  offset: number;
  eventId: string;
}

export interface Assignment {
  /** The number of each event given, in order. */
  numbers: number[];
  /** The journal entry for the events numbered now (null when all had numbers already). */
  entry: JournalEntry | null;
}

const partitionKey = (topic: string, partition: number) => `${topic}:${partition}`;

export class SequenceNumbers {
  private lastNumber: number;
  private readonly generation: number;
  /** Numbers of events of this generation not yet past the group's committed offset, per partition. */
  private readonly known = new Map<string, Map<number, { number: number; eventId: string }>>();

  /** `entries`: the journal as read; `committed(topic, partition)`: where the group's consumer resumes. */
  constructor(generation: number, entries: Iterable<JournalEntry>, committed: (topic: string, partition: number) => number) {
    this.generation = generation;
    this.lastNumber = 0;
    for (const entry of entries) {
      this.lastNumber = Math.max(this.lastNumber, lastOf(entry));
      if (entry.generation === generation) this.remember(entry, committed(entry.topic, entry.partition));
    }
  }

  private remember(entry: JournalEntry, from: number): void {
    const key = partitionKey(entry.topic, entry.partition);
    let numbers = this.known.get(key);
    entry.offsets.forEach((offset, i) => {
      if (offset < from) return;
      if (!numbers) this.known.set(key, (numbers = new Map()));
      numbers.set(offset, { number: entry.first + i, eventId: entry.ids[i]! });
    });
  }

  /** The highest number given so far (0 before the first event). */
  get last(): number {
    return this.lastNumber;
  }

  /**
   * The numbers of `events` (one partition's, in offset order): the journaled number for an event
   * numbered before, the next free ones for the rest. Nothing changes until `record(entry)`.
   */
  assign(kind: Kind, topic: string, partition: number, events: readonly NumberedEvent[]): Assignment {
    const numbers = this.known.get(partitionKey(topic, partition));
    const fresh: NumberedEvent[] = [];
    const assigned = events.map((event) => {
      const previous = numbers?.get(event.offset);
      // The same offset holds the same event unless the topic was recreated: then it is a new event.
      if (previous && previous.eventId === event.eventId) return previous.number;
      fresh.push(event);
      return this.lastNumber + fresh.length;
    });
    if (fresh.length === 0) return { numbers: assigned, entry: null };
    return {
      numbers: assigned,
      entry: { generation: this.generation, first: this.lastNumber + 1, kind, topic, partition, offsets: fresh.map((e) => e.offset), ids: fresh.map((e) => e.eventId) },
    };
  }

  /** The entry is in the journal: its numbers are given. */
  record(entry: JournalEntry): void {
    this.remember(entry, 0);
    this.lastNumber = Math.max(this.lastNumber, lastOf(entry));
  }

  /** The group committed `next` for the partition: events before it will not be read again. */
  committed(topic: string, partition: number, next: number): void {
    const numbers = this.known.get(partitionKey(topic, partition));
    if (!numbers) return;
    for (const offset of numbers.keys()) if (offset < next) numbers.delete(offset);
  }
}
