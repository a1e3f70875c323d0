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

/**
 * A declaration as segment records hold it. The state keeps these very arrays (those it wrote, or
 * read back): one object per declaration held.
 */
type Declaration = readonly [fingerprintKey: string, occurredAt: number, eventId: string];

/** What one segment record holds (JSON). */
interface SegmentValue {
  expiresAt: number;
  /** Event ids of records without a fingerprint. */
  events: string[];
  /** [fingerprint.bucket, occurred at, event id] of declarations. */
  declarations: Declaration[];
}

/**
 * The entries one transaction added, as held in memory: one object however many segment records
 * carry it (all of them expire together, so the first tombstone removes it all).
 */
interface Segment {
  expiresAt: number;
  /** Event ids of records without a fingerprint. */
  plainEvents: string[];
  declarations: Declaration[];
  removed: boolean;
}

export type Verdict =
  | { duplicate: false }
  | { duplicate: true; reason: 'replayed-event' }
  | { duplicate: true; reason: 'same-declaration'; firstEventId: string };

/** The verdicts that carry nothing of their own, made once (one is given per record). */
const NEW: Verdict = Object.freeze({ duplicate: false });
const REPLAYED: Verdict = Object.freeze({ duplicate: true, reason: 'replayed-event' });

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

/**
 * The group of a fingerprint key (`fingerprint.bucket`) or of a fingerprint: what comes before the
 * first dot. A fingerprint and each of its keys are in one group, whatever the fingerprint holds.
 */
function groupOf(fingerprintOrKey: string): string {
  const dot = fingerprintOrKey.indexOf('.');
  return dot < 0 ? fingerprintOrKey : fingerprintOrKey.slice(0, dot);
}

/** What a group holds: one declaration, seldom more (the same answers declared hours apart). */
type Filed = Declaration | Declaration[];

/** One declaration, rather than a list of them. */
function isDeclaration(filed: Filed): filed is Declaration {
  return typeof filed[0] === 'string';
}

/** The declaration filed under a key, among what its group holds. */
function findDeclaration(filed: Filed, fingerprintKey: string): Declaration | undefined {
  if (isDeclaration(filed)) return filed[0] === fingerprintKey ? filed : undefined;
  return filed.find((declaration) => declaration[0] === fingerprintKey);
}

/**
 * Declarations by fingerprint key, filed by group. Most declarations are new: one lookup of their
 * group tells so, where looking up the keys of the three buckets took three lookups in a map of the
 * whole window.
 */
class FingerprintIndex {
  private readonly groups = new Map<string, Filed>();

  /** What the group holds; undefined (the commonest answer) when nothing. */
  filedIn(group: string): Filed | undefined {
    return this.groups.get(group);
  }

  /**
   * Files the declaration in its group, which holds `filed` (as `filedIn` told), in place of one
   * filed under the same key; returns that one.
   */
  add(group: string, filed: Filed | undefined, declaration: Declaration): Declaration | undefined {
    if (filed === undefined) {
      this.groups.set(group, declaration);
      return undefined;
    }
    const fingerprintKey = declaration[0];
    if (isDeclaration(filed)) {
      this.groups.set(group, filed[0] === fingerprintKey ? declaration : [filed, declaration]);
      return filed[0] === fingerprintKey ? filed : undefined;
    }
    const at = filed.findIndex((other) => other[0] === fingerprintKey);
    if (at < 0) {
      filed.push(declaration);
      return undefined;
    }
    const replaced = filed[at];
    filed[at] = declaration;
    return replaced;
  }

  /** Files the declaration in its group, looked up here (restores and take-backs, off the hot path). */
  file(declaration: Declaration): void {
    const group = groupOf(declaration[0]);
    this.add(group, this.groups.get(group), declaration);
  }

  /** Removes the declaration, unless a later one has taken its place under its key. */
  delete(declaration: Declaration): void {
    const group = groupOf(declaration[0]);
    const filed = this.groups.get(group);
    if (filed === undefined) return;
    if (isDeclaration(filed)) {
      if (filed === declaration) this.groups.delete(group);
      return;
    }
    const at = filed.indexOf(declaration);
    if (at < 0) return;
    filed.splice(at, 1);
    if (filed.length === 1) this.groups.set(group, filed[0]!);
  }
}

export class DedupState {
  readonly window: DedupWindow;
  /** Event id → the segment that holds it. */
  private readonly events = new Map<string, Segment>();
  private readonly fingerprints = new FingerprintIndex();
  /**
   * Committed segments by changelog key, in expiry order (segments are written with now + window,
   * and now only grows). A segment split into several records is here under each of its keys.
   */
  private readonly segments = new Map<string, Segment>();
  /** The transaction whose entries are filed but not committed yet. */
  private open: DedupTransaction | null = null;

  constructor(window: DedupWindow) {
    this.window = window;
  }

  /** Entries held: events emitted within the window. */
  get size(): number {
    return this.events.size;
  }

  /** Applies one changelog record (restore). */
  apply(key: string, value: Buffer | null): void {
    if (!key.startsWith(SEGMENT_PREFIX)) return;
    this.remove(key);
    if (value === null) return;
    const held = JSON.parse(value.toString('utf8')) as SegmentValue;
    const segment: Segment = { expiresAt: held.expiresAt, plainEvents: held.events, declarations: held.declarations, removed: false };
    for (const eventId of segment.plainEvents) this.events.set(eventId, segment);
    for (const declaration of segment.declarations) {
      this.fingerprints.file(declaration);
      this.events.set(declaration[2], segment);
    }
    this.segments.set(key, segment);
  }

  /**
   * Starts the changes of one Kafka transaction. Its entries are filed at once, so each record is
   * looked up and filed in one place; they are taken back if it aborts, or when the next
   * transaction begins without this one having committed.
   */
  begin(now: number): DedupTransaction {
    this.open?.abort();
    const expiredKeys: string[] = [];
    for (const [key, segment] of this.segments) {
      if (segment.expiresAt > now || expiredKeys.length >= MAX_EXPIRIES_PER_TRANSACTION) break;
      expiredKeys.push(key);
    }
    const segment: Segment = { expiresAt: now + this.window.windowMs, plainEvents: [], declarations: [], removed: false };
    this.open = new DedupTransaction(this, now, segment, expiredKeys);
    return this.open;
  }

  /** @internal Decides on one record of the open transaction and, when it is new, files it in `segment`. */
  admit(segment: Segment, replaced: Declaration[], now: number, eventId: string, fingerprint: string | null, occurredAt: number): Verdict {
    if (this.hasEvent(eventId, now)) return REPLAYED;
    if (fingerprint === null) {
      this.events.set(eventId, segment);
      segment.plainEvents.push(eventId);
      return NEW;
    }
    const { toleranceMs } = this.window;
    const bucket = toleranceMs > 0 ? Math.floor(occurredAt / toleranceMs) : occurredAt;
    const group = groupOf(fingerprint);
    const filed = this.fingerprints.filedIn(group);
    if (filed !== undefined) {
      for (let near = bucket - 1; near <= bucket + 1; near++) {
        const first = findDeclaration(filed, `${fingerprint}.${near}`);
        if (first && Math.abs(first[1] - occurredAt) <= toleranceMs && this.hasEvent(first[2], now)) {
          return { duplicate: true, reason: 'same-declaration', firstEventId: first[2] };
        }
      }
    }
    const declaration: Declaration = [`${fingerprint}.${bucket}`, occurredAt, eventId];
    const previous = this.fingerprints.add(group, filed, declaration);
    if (previous !== undefined) replaced.push(previous);
    this.events.set(eventId, segment);
    segment.declarations.push(declaration);
    return NEW;
  }

  /** @internal The open transaction committed: its tombstones' segments go, its segment records stay. */
  committed(transaction: DedupTransaction, expiredKeys: string[], segment: Segment, segmentKeys: string[]): void {
    for (const key of expiredKeys) this.remove(key);
    for (const key of segmentKeys) this.segments.set(key, segment);
    if (this.open === transaction) this.open = null;
  }

  /** @internal The open transaction aborted: its entries go, and those it took the place of come back. */
  aborted(transaction: DedupTransaction, segment: Segment, replaced: Declaration[]): void {
    this.discard(segment);
    for (const declaration of replaced) this.fingerprints.file(declaration);
    if (this.open === transaction) this.open = null;
  }

  private hasEvent(eventId: string, now: number): boolean {
    const segment = this.events.get(eventId);
    return segment !== undefined && segment.expiresAt > now;
  }

  /** The segment of a tombstone's key: the first of its keys to go takes all its entries. */
  private remove(key: string): void {
    const segment = this.segments.get(key);
    if (!segment) return;
    this.segments.delete(key);
    this.discard(segment);
  }

  private discard(segment: Segment): void {
    if (segment.removed) return;
    segment.removed = true;
    for (const eventId of segment.plainEvents) this.forget(eventId, segment);
    for (const declaration of segment.declarations) {
      this.forget(declaration[2], segment);
      this.fingerprints.delete(declaration);
    }
  }

  /** Removes the event, unless a later segment holds it. */
  private forget(eventId: string, segment: Segment): void {
    if (this.events.get(eventId) === segment) this.events.delete(eventId);
  }
}

/** The state changes of one Kafka transaction: filed in the state at once, kept only if it commits. */
export class DedupTransaction {
  private readonly state: DedupState;
  private readonly now: number;
  private readonly segment: Segment;
  private readonly expiredKeys: string[];
  /** Expired declarations this transaction's took the place of, put back if it aborts. */
  private readonly replaced: Declaration[] = [];
  /** Changelog key and record value (null: a tombstone). */
  private changes: [string, Buffer | null][] | null = null;
  private ended = false;

  constructor(state: DedupState, now: number, segment: Segment, expiredKeys: string[]) {
    this.state = state;
    this.now = now;
    this.segment = segment;
    this.expiredKeys = expiredKeys;
  }

  /** Decides on one record and, when it is new, records it in this transaction. */
  check(eventId: string, fingerprint: string | null, occurredAt: number): Verdict {
    if (this.ended) throw new Error('this duplicate detection transaction has ended');
    return this.state.admit(this.segment, this.replaced, this.now, eventId, fingerprint, occurredAt);
  }

  /** Tombstones of expired segments first, then this transaction's segments (the order a restore replays). */
  private changelog(): [string, Buffer | null][] {
    if (this.changes) return this.changes;
    const changes: [string, Buffer | null][] = this.expiredKeys.map((key) => [key, null]);
    const { expiresAt, plainEvents, declarations } = this.segment;
    for (let events = 0, declared = 0; events < plainEvents.length || declared < declarations.length; ) {
      const plain = plainEvents.slice(events, events + MAX_ENTRIES_PER_SEGMENT);
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
    if (this.ended) throw new Error('this duplicate detection transaction has ended');
    this.ended = true;
    const segmentKeys = this.changelog().slice(this.expiredKeys.length).map(([key]) => key);
    this.state.committed(this, this.expiredKeys, this.segment, segmentKeys);
  }

  /** Call when the transaction did not commit: its entries are taken back. Does nothing once it ended. */
  abort(): void {
    if (this.ended) return;
    this.ended = true;
    this.state.aborted(this, this.segment, this.replaced);
  }
}
