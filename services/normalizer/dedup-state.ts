/**
 * Duplicate detection state of one partition index, in memory and on the compacted changelog topic
 * `_truc.normalizer-state` (same partition index), written in the same transaction as the output.
 *
 * Two kinds of entry:
 *  - `e:<event id>`: an event already emitted. A raw record seen again (a replay after a crash, a
 *    source re-posting after a 503) is dropped. This is what makes the output exactly-once even when
 *    a consumer resumes from an offset older than the last commit.
 *  - `f:<fingerprint>.<time bucket>`: a declaration's content (person, kind, answers) and its time.
 *    The same content declared within `toleranceMs` of it (the apps stamp one declaration with times
 *    a few minutes apart) and arriving through another source within the window is dropped; the
 *    same answers declared hours later are a new declaration. Buckets are `toleranceMs` wide, so a
 *    match is in the record's bucket or a neighbour, and a later declaration never overwrites an
 *    earlier one of the same content.
 * Entries expire `windowMs` after they were written; expiry writes tombstones, so a restore holds
 * only live entries. Memory: some 150 bytes per entry, entries live for the window.
 */
import type { Message } from 'kafkajs';

export const NORMALIZER_STATE_TOPIC = '_truc.normalizer-state';

interface EventEntry {
  expiresAt: number;
}

interface FingerprintEntry {
  expiresAt: number;
  occurredAt: number;
  eventId: string;
}

type EntryValue = EventEntry | FingerprintEntry;

export type Verdict =
  | { duplicate: false }
  | { duplicate: true; reason: 'replayed-event' }
  | { duplicate: true; reason: 'same-declaration'; firstEventId: string };

/** How many expired entries one transaction removes at most, so expiry never stalls processing. */
const MAX_EXPIRIES_PER_TRANSACTION = 5_000;

export interface DedupWindow {
  /** How long entries are kept: a copy arriving later is no longer recognised. */
  windowMs: number;
  /** How far apart two declaration times may be for the declarations to be the same one. */
  toleranceMs: number;
}

export class DedupState {
  readonly window: DedupWindow;
  private readonly events = new Map<string, EventEntry>();
  private readonly fingerprints = new Map<string, FingerprintEntry>();

  constructor(window: DedupWindow) {
    this.window = window;
  }

  get size(): number {
    return this.events.size + this.fingerprints.size;
  }

  /** Applies one changelog record (restore, or after a commit). */
  apply(key: string, value: Buffer | null): void {
    const map: Map<string, EntryValue> | null = key.startsWith('e:') ? this.events : key.startsWith('f:') ? this.fingerprints : null;
    if (!map) return; // start markers and unknown keys carry no state
    const id = key.slice(2);
    if (value === null) map.delete(id);
    else {
      // Re-inserting keeps Map order equal to expiry order (entries are written with now + window).
      map.delete(id);
      map.set(id, JSON.parse(value.toString('utf8')) as EntryValue);
    }
  }

  begin(now: number): DedupTransaction {
    return new DedupTransaction(this, now);
  }

  /** @internal */ lookupEvent(eventId: string): EventEntry | undefined {
    return this.events.get(eventId);
  }

  /** @internal */ lookupFingerprint(fingerprint: string): FingerprintEntry | undefined {
    return this.fingerprints.get(fingerprint);
  }

  /** @internal Keys of entries expired at `now`, oldest first. */
  expired(now: number, limit: number): string[] {
    const keys: string[] = [];
    for (const [prefix, map] of [['e:', this.events], ['f:', this.fingerprints]] as const) {
      for (const [id, entry] of map) {
        if (entry.expiresAt > now || keys.length >= limit) break;
        keys.push(`${prefix}${id}`);
      }
    }
    return keys;
  }
}

/** The state changes of one Kafka transaction: applied to the state only once it committed. */
export class DedupTransaction {
  private readonly state: DedupState;
  private readonly now: number;
  private readonly changes = new Map<string, Buffer | null>();

  constructor(state: DedupState, now: number) {
    this.state = state;
    this.now = now;
    for (const key of state.expired(now, MAX_EXPIRIES_PER_TRANSACTION)) this.changes.set(key, null);
  }

  private pending<T extends EntryValue>(key: string, committed: T | undefined): T | undefined {
    if (!this.changes.has(key)) return committed && committed.expiresAt > this.now ? committed : undefined;
    const value = this.changes.get(key);
    return value ? (JSON.parse(value.toString('utf8')) as T) : undefined;
  }

  /** Decides on one record and, when it is new, records it in this transaction. */
  check(eventId: string, fingerprint: string | null, occurredAt: number): Verdict {
    if (this.pending(`e:${eventId}`, this.state.lookupEvent(eventId))) return { duplicate: true, reason: 'replayed-event' };
    const { toleranceMs, windowMs } = this.state.window;
    const bucket = toleranceMs > 0 ? Math.floor(occurredAt / toleranceMs) : occurredAt;
    if (fingerprint !== null) {
      for (const near of [bucket - 1, bucket, bucket + 1]) {
        const id = `${fingerprint}.${near}`;
        const first = this.pending(`f:${id}`, this.state.lookupFingerprint(id));
        if (first && Math.abs(first.occurredAt - occurredAt) <= toleranceMs) {
          return { duplicate: true, reason: 'same-declaration', firstEventId: first.eventId };
        }
      }
    }
    const expiresAt = this.now + windowMs;
    this.changes.set(`e:${eventId}`, Buffer.from(JSON.stringify({ expiresAt } satisfies EventEntry)));
    if (fingerprint !== null) {
      this.changes.set(`f:${fingerprint}.${bucket}`, Buffer.from(JSON.stringify({ expiresAt, occurredAt, eventId } satisfies FingerprintEntry)));
    }
    return { duplicate: false };
  }

  /** The changelog records of this transaction, for partition `partition` of the state topic. */
  messages(partition: number): Message[] {
    return [...this.changes].map(([key, value]) => ({ key, value, partition }));
  }

  /** Call after the transaction committed. */
  commit(): void {
    for (const [key, value] of this.changes) this.state.apply(key, value);
  }
}
