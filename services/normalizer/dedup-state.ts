/**
 * Duplicate detection state of one partition index, in memory and on the compacted changelog topic
 * `_truc.normalizer-state` (same partition index), written in the same transaction as the output.
 *
 * It remembers, for the window:
 *  - every event already emitted. A raw record seen again (a replay after a crash, a source
 *    re-posting after a 503) is dropped. This is what makes the output exactly-once even when a
 *    consumer resumes from an offset older than the last commit.
 *  - every declaration's content (person, kind, answers: its fingerprint) and time. The same
 *    content declared within `toleranceMs` of it (the apps stamp one declaration with times a few
 *    minutes apart) and arriving through another source within the window is dropped; the same
 *    answers declared hours later are a new declaration. Fingerprints are filed in time buckets
 *    `toleranceMs` wide, so a match is in the record's bucket or a neighbour, and a later
 *    declaration never overwrites an earlier one of the same content.
 *
 * The changelog holds one *segment* record per transaction (split when large): the entries that
 * transaction added, all expiring together `windowMs` after it. Writing a record per entry tripled
 * the normalizer's writes to Kafka; a segment costs one record per few thousand. Every segment key
 * is unique, so compaction keeps each until expiry writes its tombstone; a restore replays segments
 * and tombstones in order and holds only live entries. Memory: some 150 bytes per entry.
 */
import { randomUUID } from 'node:crypto';
import type { Message } from 'kafkajs';

export const NORMALIZER_STATE_TOPIC = '_truc.normalizer-state';

/** Changelog keys of segments; other keys (start markers, older formats) carry no state. */
const SEGMENT_PREFIX = 's:';

interface Declaration {
  occurredAt: number;
  eventId: string;
}

/** What one segment record holds (JSON). */
interface SegmentValue {
  expiresAt: number;
  /** Event ids of records without a fingerprint. */
  events: string[];
  /** [fingerprint.bucket, occurred at, event id] of declarations. */
  declarations: [string, number, string][];
}

interface Segment {
  expiresAt: number;
  eventIds: string[];
  fingerprintKeys: string[];
}

export type Verdict =
  | { duplicate: false }
  | { duplicate: true; reason: 'replayed-event' }
  | { duplicate: true; reason: 'same-declaration'; firstEventId: string };

/** How many expired segments one transaction removes at most, so expiry never stalls processing. */
const MAX_EXPIRIES_PER_TRANSACTION = 20;
/** Entries per segment record: keeps records far below Kafka's default 1 MB message limit. */
const MAX_ENTRIES_PER_SEGMENT = 2_000;

export interface DedupWindow {
  /** How long entries are kept: a copy arriving later is no longer recognised. */
  windowMs: number;
  /** How far apart two declaration times may be for the declarations to be the same one. */
  toleranceMs: number;
}

export class DedupState {
  readonly window: DedupWindow;
  /** Event id → key of the segment that holds it. */
  private readonly events = new Map<string, string>();
  private readonly fingerprints = new Map<string, Declaration>();
  /** In expiry order: segments are written with now + window, and now only grows. */
  private readonly segments = new Map<string, Segment>();

  constructor(window: DedupWindow) {
    this.window = window;
  }

  /** Entries held: events emitted within the window. */
  get size(): number {
    return this.events.size;
  }

  /** Applies one changelog record (restore, or after a commit). */
  apply(key: string, value: Buffer | null): void {
    if (!key.startsWith(SEGMENT_PREFIX)) return;
    this.remove(key);
    if (value === null) return;
    const segment = JSON.parse(value.toString('utf8')) as SegmentValue;
    const eventIds = [...segment.events];
    const fingerprintKeys: string[] = [];
    for (const [fingerprintKey, occurredAt, eventId] of segment.declarations) {
      this.fingerprints.set(fingerprintKey, { occurredAt, eventId });
      fingerprintKeys.push(fingerprintKey);
      eventIds.push(eventId);
    }
    for (const eventId of eventIds) this.events.set(eventId, key);
    this.segments.set(key, { expiresAt: segment.expiresAt, eventIds, fingerprintKeys });
  }

  private remove(key: string): void {
    const segment = this.segments.get(key);
    if (!segment) return;
    this.segments.delete(key);
    for (const eventId of segment.eventIds) if (this.events.get(eventId) === key) this.events.delete(eventId);
    for (const fingerprintKey of segment.fingerprintKeys) this.fingerprints.delete(fingerprintKey);
  }

  begin(now: number): DedupTransaction {
    return new DedupTransaction(this, now);
  }

  /** @internal Whether the event was emitted and has not expired at `now`. */
  hasEvent(eventId: string, now: number): boolean {
    const key = this.events.get(eventId);
    return key !== undefined && this.segments.get(key)!.expiresAt > now;
  }

  /** @internal */ lookupFingerprint(fingerprintKey: string, now: number): Declaration | undefined {
    const declaration = this.fingerprints.get(fingerprintKey);
    return declaration && this.hasEvent(declaration.eventId, now) ? declaration : undefined;
  }

  /** @internal Keys of segments expired at `now`, oldest first. */
  expired(now: number, limit: number): string[] {
    const keys: string[] = [];
    for (const [key, segment] of this.segments) {
      if (segment.expiresAt > now || keys.length >= limit) break;
      keys.push(key);
    }
    return keys;
  }
}

/** The state changes of one Kafka transaction: applied to the state only once it committed. */
export class DedupTransaction {
  private readonly state: DedupState;
  private readonly now: number;
  private readonly expiredSegments: string[];
  private readonly newEvents = new Set<string>();
  private readonly newDeclarations = new Map<string, Declaration>();
  private readonly plainEvents: string[] = [];
  private changes: [string, Buffer | null][] | null = null;

  constructor(state: DedupState, now: number) {
    this.state = state;
    this.now = now;
    this.expiredSegments = state.expired(now, MAX_EXPIRIES_PER_TRANSACTION);
  }

  /** Decides on one record and, when it is new, records it in this transaction. */
  check(eventId: string, fingerprint: string | null, occurredAt: number): Verdict {
    if (this.newEvents.has(eventId) || this.state.hasEvent(eventId, this.now)) return { duplicate: true, reason: 'replayed-event' };
    const { toleranceMs } = this.state.window;
    const bucket = toleranceMs > 0 ? Math.floor(occurredAt / toleranceMs) : occurredAt;
    if (fingerprint !== null) {
      for (const near of [bucket - 1, bucket, bucket + 1]) {
        const key = `${fingerprint}.${near}`;
        const first = this.newDeclarations.get(key) ?? this.state.lookupFingerprint(key, this.now);
        if (first && Math.abs(first.occurredAt - occurredAt) <= toleranceMs) {
          return { duplicate: true, reason: 'same-declaration', firstEventId: first.eventId };
        }
      }
    }
    this.newEvents.add(eventId);
    if (fingerprint === null) this.plainEvents.push(eventId);
    else this.newDeclarations.set(`${fingerprint}.${bucket}`, { occurredAt, eventId });
    return { duplicate: false };
  }

  /** Tombstones of expired segments first, then this transaction's segments (the order a restore replays). */
  private changelog(): [string, Buffer | null][] {
    if (this.changes) return this.changes;
    const changes: [string, Buffer | null][] = this.expiredSegments.map((key) => [key, null]);
    const expiresAt = this.now + this.state.window.windowMs;
    const declarations = [...this.newDeclarations].map(([key, { occurredAt, eventId }]): [string, number, string] => [key, occurredAt, eventId]);
    for (let events = 0, declared = 0; events < this.plainEvents.length || declared < declarations.length; ) {
      const plain = this.plainEvents.slice(events, events + MAX_ENTRIES_PER_SEGMENT);
      const value: SegmentValue = { expiresAt, events: plain, declarations: declarations.slice(declared, declared + MAX_ENTRIES_PER_SEGMENT - plain.length) };
      events += value.events.length;
      declared += value.declarations.length;
      changes.push([`${SEGMENT_PREFIX}${randomUUID()}`, Buffer.from(JSON.stringify(value))]);
    }
    this.changes = changes;
    return changes;
  }

  /** The changelog records of this transaction, for partition `partition` of the state topic. */
  messages(partition: number): Message[] {
    return this.changelog().map(([key, value]) => ({ key, value, partition }));
  }

  /** Call after the transaction committed. */
  commit(): void {
    for (const [key, value] of this.changelog()) this.state.apply(key, value);
  }
}
