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

interface Segment {
  expiresAt: number;
  eventIds: string[];
  fingerprintKeys: string[];
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

/**
 * Declarations by fingerprint key, filed by group. Most declarations are new: one lookup of their
 * group tells so, where looking up the keys of the three buckets took three lookups in a map of the
 * whole window. A group holds one declaration, seldom more (the same answers declared hours apart).
 */
class FingerprintIndex {
  private readonly groups = new Map<string, Declaration | Declaration[]>();

  hasGroup(group: string): boolean {
    return this.groups.has(group);
  }

  get(fingerprintKey: string): Declaration | undefined {
    const filed = this.groups.get(groupOf(fingerprintKey));
    if (filed === undefined) return undefined;
    if (isDeclaration(filed)) return filed[0] === fingerprintKey ? filed : undefined;
    return filed.find((declaration) => declaration[0] === fingerprintKey);
  }

  /** Files the declaration under its key, in place of one filed there before. */
  set(declaration: Declaration): void {
    const fingerprintKey = declaration[0];
    const group = groupOf(fingerprintKey);
    const filed = this.groups.get(group);
    if (filed === undefined || (isDeclaration(filed) && filed[0] === fingerprintKey)) {
      this.groups.set(group, declaration);
    } else if (isDeclaration(filed)) {
      this.groups.set(group, [filed, declaration]);
    } else {
      const at = filed.findIndex((other) => other[0] === fingerprintKey);
      if (at < 0) filed.push(declaration);
      else filed[at] = declaration;
    }
  }

  delete(fingerprintKey: string): void {
    const group = groupOf(fingerprintKey);
    const filed = this.groups.get(group);
    if (filed === undefined) return;
    if (isDeclaration(filed)) {
      if (filed[0] === fingerprintKey) this.groups.delete(group);
      return;
    }
    const at = filed.findIndex((declaration) => declaration[0] === fingerprintKey);
    if (at < 0) return;
    filed.splice(at, 1);
    if (filed.length === 1) this.groups.set(group, filed[0]!);
  }
}

/** One declaration, rather than a list of them. */
function isDeclaration(filed: Declaration | Declaration[]): filed is Declaration {
  return typeof filed[0] === 'string';
}

export class DedupState {
  readonly window: DedupWindow;
  /** Event id → the segment that holds it. */
  private readonly events = new Map<string, Segment>();
  private readonly fingerprints = new FingerprintIndex();
  /** In expiry order: segments are written with now + window, and now only grows. */
  private readonly segments = new Map<string, Segment>();

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
    this.applySegment(key, value === null ? null : (JSON.parse(value.toString('utf8')) as SegmentValue));
  }

  /**
   * @internal Applies one segment (null: its tombstone). A committed transaction hands over the
   * segments it wrote as they were before serialisation: parsing its own JSON back cost as much as
   * writing it.
   */
  applySegment(key: string, segment: SegmentValue | null): void {
    this.remove(key);
    if (segment === null) return;
    const eventIds = [...segment.events];
    const fingerprintKeys: string[] = [];
    for (const declaration of segment.declarations) {
      this.fingerprints.set(declaration);
      fingerprintKeys.push(declaration[0]);
      eventIds.push(declaration[2]);
    }
    const held: Segment = { expiresAt: segment.expiresAt, eventIds, fingerprintKeys };
    for (const eventId of eventIds) this.events.set(eventId, held);
    this.segments.set(key, held);
  }

  private remove(key: string): void {
    const segment = this.segments.get(key);
    if (!segment) return;
    this.segments.delete(key);
    for (const eventId of segment.eventIds) if (this.events.get(eventId) === segment) this.events.delete(eventId);
    for (const fingerprintKey of segment.fingerprintKeys) this.fingerprints.delete(fingerprintKey);
  }

  begin(now: number): DedupTransaction {
    return new DedupTransaction(this, now);
  }

  /** @internal Whether the event was emitted and has not expired at `now`. */
  hasEvent(eventId: string, now: number): boolean {
    const segment = this.events.get(eventId);
    return segment !== undefined && segment.expiresAt > now;
  }

  /** @internal Whether a fingerprint may have keys here: false means none of its keys is held. */
  hasFingerprintGroup(group: string): boolean {
    return this.fingerprints.hasGroup(group);
  }

  /** @internal */ lookupFingerprint(fingerprintKey: string, now: number): Declaration | undefined {
    const declaration = this.fingerprints.get(fingerprintKey);
    return declaration && this.hasEvent(declaration[2], now) ? declaration : undefined;
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
  /** The groups of `newDeclarations`' keys (see groupOf). */
  private readonly newGroups = new Set<string>();
  private readonly plainEvents: string[] = [];
  /** Changelog key, record value, and the segment it holds (null: a tombstone). */
  private changes: [string, Buffer | null, SegmentValue | null][] | null = null;

  constructor(state: DedupState, now: number) {
    this.state = state;
    this.now = now;
    this.expiredSegments = state.expired(now, MAX_EXPIRIES_PER_TRANSACTION);
  }

  /** Decides on one record and, when it is new, records it in this transaction. */
  check(eventId: string, fingerprint: string | null, occurredAt: number): Verdict {
    if (this.newEvents.has(eventId) || this.state.hasEvent(eventId, this.now)) return REPLAYED;
    const { toleranceMs } = this.state.window;
    const bucket = toleranceMs > 0 ? Math.floor(occurredAt / toleranceMs) : occurredAt;
    const group = fingerprint === null ? '' : groupOf(fingerprint);
    if (fingerprint !== null && (this.newGroups.has(group) || this.state.hasFingerprintGroup(group))) {
      for (let near = bucket - 1; near <= bucket + 1; near++) {
        const key = `${fingerprint}.${near}`;
        const first = this.newDeclarations.get(key) ?? this.state.lookupFingerprint(key, this.now);
        if (first && Math.abs(first[1] - occurredAt) <= toleranceMs) {
          return { duplicate: true, reason: 'same-declaration', firstEventId: first[2] };
        }
      }
    }
    this.newEvents.add(eventId);
    if (fingerprint === null) this.plainEvents.push(eventId);
    else {
      const fingerprintKey = `${fingerprint}.${bucket}`;
      this.newDeclarations.set(fingerprintKey, [fingerprintKey, occurredAt, eventId]);
      this.newGroups.add(group);
    }
    return NEW;
  }

  /** Tombstones of expired segments first, then this transaction's segments (the order a restore replays). */
  private changelog(): [string, Buffer | null, SegmentValue | null][] {
    if (this.changes) return this.changes;
    const changes: [string, Buffer | null, SegmentValue | null][] = this.expiredSegments.map((key) => [key, null, null]);
    const expiresAt = this.now + this.state.window.windowMs;
    const declarations = [...this.newDeclarations.values()];
    for (let events = 0, declared = 0; events < this.plainEvents.length || declared < declarations.length; ) {
      const plain = this.plainEvents.slice(events, events + MAX_ENTRIES_PER_SEGMENT);
      const value: SegmentValue = { expiresAt, events: plain, declarations: declarations.slice(declared, declared + MAX_ENTRIES_PER_SEGMENT - plain.length) };
      events += value.events.length;
      declared += value.declarations.length;
      changes.push([`${SEGMENT_PREFIX}${randomUUID()}`, Buffer.from(JSON.stringify(value)), value]);
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
    for (const [key, , segment] of this.changelog()) this.state.applySegment(key, segment);
  }
}
