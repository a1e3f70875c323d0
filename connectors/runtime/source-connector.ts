/**
 * The contract of a pull source connector (files, polled feeds). A connector only reads its source;
 * the runner (connector-runner.ts) converts what it reads, writes records, dead letters and the
 * source offsets to Kafka in one transaction, and tells the connector what was committed.
 *
 * Offsets are kept per *source partition*: a part of the source that advances on its own (one
 * file of a drop folder, the one cursor of a feed). An offset is any JSON value the connector
 * chooses; the runner stores it and hands it back unchanged after a restart.
 */
import type { Problem } from '../../services/platform/raw-records.ts';

/** JSON the connector chooses, e.g. `{ "cursor": "abc" }` or `{ "records": 120, "byte": 8812 }`. */
export type SourceOffset = Record<string, unknown>;

/** What a source record became before conversion: a JSON value, or why the source could not parse it. */
export type ParsedRecord =
  | { ok: true; value: unknown }
  | { ok: false; problems: Problem[]; errorClass: string };

export interface SourceRecord {
  /** The raw topic (`raw.<source>.<kind>`) whose codec converts the record. */
  topic: string;
  parsed: ParsedRecord;
  /** Where the record is in its source, for dead letters: `checkpoints.csv:12`, `since=abc#3`. */
  position: string;
  /** The record as the source sent it; a dead letter carries these bytes. */
  raw: Buffer;
}

/** How the runner disposed of a batch's records. */
export interface BatchOutcome {
  published: number;
  rejected: number;
}

/** A null offset deletes the partition's offset (a tombstone on the compacted offsets topic). */
export type OffsetChanges = Map<string, SourceOffset | null>;

export interface SourceBatch {
  records: SourceRecord[];
  /**
   * The offsets to commit in the same transaction as the records. Asked once the records are
   * converted, so an offset may count what was published and rejected: such counts then survive a
   * crash exactly as the position does.
   */
  offsets(outcome: BatchOutcome): OffsetChanges;
}

export interface SourceConnector {
  /** Shown in the connector's status, e.g. `file` or `http-poll`. */
  readonly type: string;
  /** How long the runner waits before polling again when `poll` found nothing to read. */
  readonly idleMs: number;
  /**
   * Sets the read position from the committed offsets (every partition this connector has). Called
   * at start and again after any failed transaction: whatever was read since the last commit is
   * then forgotten and read again.
   */
  start(offsets: ReadonlyMap<string, SourceOffset>): Promise<void>;
  /**
   * The next batch, or null when there is nothing to read now. A poll that throws must leave the
   * read position where it was, so that the runner may simply poll again after a back-off.
   */
  poll(signal: AbortSignal): Promise<SourceBatch | null>;
  /** The batch's offsets are committed (the file connector may then move a finished file aside). */
  committed(offsets: OffsetChanges): void;
  /** Releases what the connector holds open (file handles, ...). */
  stop(): Promise<void>;
  /** Figures for the status (current file, cursor, ...); never record contents. */
  details(): Record<string, unknown>;
}
