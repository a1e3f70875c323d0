/**
 * Reads an ingest request body into records while it arrives: one JSON object, a JSON array of
 * objects, or NDJSON (one object per line). The body is cut into records by a small scanner that
 * only follows strings and brackets, and each record is parsed on its own, so records are counted
 * as they come: the reader stops at the first record over the limit, at the first byte over the
 * body limit and at the first bracket nested deeper than any record may be, without holding the
 * rest of the body. A JSON body that is not JSON at all is refused whole; in NDJSON a line that is
 * not JSON (or nests too deep) is one rejected record, so the good lines around it still go through.
 */
import type { Readable } from 'node:stream';

export const JSON_TYPES = ['application/json'] as const;
export const NDJSON_TYPES = ['application/x-ndjson', 'application/ndjson', 'application/jsonl', 'application/json-seq'] as const;

/**
 * Raw records are flat objects with a few nested lists; nothing legitimate comes near this depth,
 * and refusing deeper input early keeps every later step (schema checks, Avro) out of deep recursion.
 */
export const MAX_RECORD_NESTING = 32;

export type BodyFormat = 'json' | 'ndjson';

/** A record as read from the body; `error` is set when its line could not be parsed. */
export type BodyRecord = { value: unknown; error?: undefined } | { value?: undefined; error: string };

export interface BodyLimits {
  maxRecords: number;
  maxBytes: number;
}

export type BodyRefusalCode = 'malformed_body' | 'too_deeply_nested' | 'too_many_records' | 'payload_too_large';

/** Why a body was refused whole, with the HTTP status that says so. */
export class BodyRefusal extends Error {
  readonly status: 400 | 413;
  readonly code: BodyRefusalCode;
  constructor(status: 400 | 413, code: BodyRefusalCode, message: string) {
    super(message);
    this.name = 'BodyRefusal';
    this.status = status;
    this.code = code;
  }
}

export function bodyFormat(contentType: string | undefined): BodyFormat | null {
  const mediaType = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if ((JSON_TYPES as readonly string[]).includes(mediaType)) return 'json';
  if ((NDJSON_TYPES as readonly string[]).includes(mediaType)) return 'ndjson';
  return null;
}

function parseError(error: unknown): string {
  return (error as Error).message.replace(/^Unexpected/, 'unexpected');
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;
const COMMA = 0x2c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

function isWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;
}

/**
 * Takes the body chunk by chunk. Structural characters are ASCII and never occur inside a UTF-8
 * multi-byte sequence, so the scanner works on bytes and a record's bytes are decoded once, whole.
 */
export class BodyReader {
  private readonly format: BodyFormat;
  private readonly limits: BodyLimits;
  readonly records: BodyRecord[] = [];
  /** Bytes seen so far: where the scanner is, for messages. */
  private offset = 0;
  /** JSON: not started, inside the top-level array, a single top-level value, or after the array. */
  private mode: 'start' | 'array' | 'single' | 'done' = 'start';
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** The current record's bytes from earlier chunks; `started` once its first byte was seen. */
  private pieces: Buffer[] = [];
  private started = false;
  private recordStartOffset = 0;
  /** NDJSON: the current line nests too deep; its bytes are dropped until the newline. */
  private lineTooDeep = false;

  constructor(format: BodyFormat, limits: BodyLimits) {
    this.format = format;
    this.limits = limits;
  }

  push(chunk: Buffer): void {
    if (this.offset + chunk.length > this.limits.maxBytes) {
      throw new BodyRefusal(413, 'payload_too_large', `the body is larger than the limit of ${this.limits.maxBytes} bytes`);
    }
    if (this.format === 'ndjson') this.scanLines(chunk);
    else this.scanJson(chunk);
    this.offset += chunk.length;
  }

  /** The records of the whole body, once it has all arrived. */
  end(): BodyRecord[] {
    if (this.format === 'ndjson') {
      if (this.started || this.pieces.length > 0) this.endLine(Buffer.alloc(0));
      return this.records;
    }
    if (this.mode === 'single') {
      this.addJsonRecord(Buffer.concat(this.pieces));
      this.pieces = [];
    } else if (this.mode === 'array') {
      throw new BodyRefusal(400, 'malformed_body', `body is not valid JSON: the array opened at byte 0 is not closed (record ${this.records.length} unfinished)`);
    } else if (this.mode === 'start') {
      throw new BodyRefusal(400, 'malformed_body', 'body is not valid JSON: it is empty');
    }
    return this.records;
  }

  private tooDeep(where: string): BodyRefusal {
    return new BodyRefusal(400, 'too_deeply_nested', `${where} nests deeper than ${MAX_RECORD_NESTING} levels (at byte ${this.offset})`);
  }

  private countRecord(): void {
    if (this.records.length >= this.limits.maxRecords) {
      throw new BodyRefusal(413, 'too_many_records', `more than ${this.limits.maxRecords} records in one request; at most ${this.limits.maxRecords} are accepted`);
    }
  }

  private addJsonRecord(bytes: Buffer): void {
    this.countRecord();
    try {
      this.records.push({ value: JSON.parse(bytes.toString('utf8')) });
    } catch (error) {
      const where = this.mode === 'single' ? '' : `record ${this.records.length} (from byte ${this.recordStartOffset}): `;
      throw new BodyRefusal(400, 'malformed_body', `body is not valid JSON: ${where}${parseError(error)}`);
    }
  }

  /** Follows strings; returns true when the byte was inside a string (or closed one). */
  private followString(byte: number): boolean {
    if (this.inString) {
      if (this.escaped) this.escaped = false;
      else if (byte === BACKSLASH) this.escaped = true;
      else if (byte === QUOTE) this.inString = false;
      return true;
    }
    if (byte === QUOTE) {
      this.inString = true;
      return true;
    }
    return false;
  }

  private scanJson(chunk: Buffer): void {
    // Where the current record starts in this chunk (-1: before this chunk, or none).
    let start = -1;
    const recordDepth = () => this.depth - (this.mode === 'array' ? 1 : 0);
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      if (this.mode === 'start') {
        if (isWhitespace(byte)) continue;
        if (byte === OPEN_BRACKET) {
          this.mode = 'array';
          this.depth = 1;
          continue;
        }
        this.mode = 'single';
        start = i;
        this.started = true;
      }
      if (this.mode === 'done') {
        if (isWhitespace(byte)) continue;
        throw new BodyRefusal(400, 'malformed_body', `body is not valid JSON: unexpected text after the closing ] at byte ${this.offset + i}`);
      }
      if (this.followString(byte)) {
        if (!this.started) {
          start = i;
          this.started = true;
          this.recordStartOffset = this.offset + i;
        }
        continue;
      }
      if (this.mode === 'array' && this.depth === 1) {
        if (byte === COMMA || byte === CLOSE_BRACKET) {
          if (this.started) {
            this.addJsonRecord(Buffer.concat([...this.pieces, chunk.subarray(start < 0 ? 0 : start, i)]));
            this.pieces = [];
            this.started = false;
            start = -1;
          } else if (byte === COMMA || this.records.length > 0) {
            throw new BodyRefusal(400, 'malformed_body', `body is not valid JSON: record ${this.records.length} is missing (at byte ${this.offset + i})`);
          }
          if (byte === CLOSE_BRACKET) {
            this.depth = 0;
            this.mode = 'done';
          }
          continue;
        }
        if (isWhitespace(byte)) continue;
        if (!this.started) {
          start = i;
          this.started = true;
          this.recordStartOffset = this.offset + i;
        }
      }
      if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
        this.depth += 1;
        if (recordDepth() > MAX_RECORD_NESTING) throw this.tooDeep(this.mode === 'array' ? `record ${this.records.length}` : 'the body');
      } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
        // A record's own brackets are checked by JSON.parse; one too many would close the array.
        if (recordDepth() > 0) this.depth -= 1;
      }
    }
    if (this.started) this.pieces.push(chunk.subarray(start < 0 ? 0 : start));
  }

  private scanLines(chunk: Buffer): void {
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      if (byte === NEWLINE) {
        this.endLine(chunk.subarray(start, i));
        start = i + 1;
        continue;
      }
      if (this.lineTooDeep || this.followString(byte)) continue;
      if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
        this.depth += 1;
        if (this.depth > MAX_RECORD_NESTING) {
          this.lineTooDeep = true;
          this.pieces = [];
        }
      } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) this.depth = Math.max(0, this.depth - 1);
    }
    if (start < chunk.length && !this.lineTooDeep) {
      this.pieces.push(chunk.subarray(start));
      this.started = true;
    } else if (this.lineTooDeep) this.started = true;
  }

  private endLine(tail: Buffer): void {
    const tooDeep = this.lineTooDeep;
    const line = tooDeep ? '' : Buffer.concat([...this.pieces, tail]).toString('utf8');
    this.pieces = [];
    this.started = false;
    this.lineTooDeep = false;
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
    if (!tooDeep && line.trim() === '') return;
    this.countRecord();
    if (tooDeep) {
      this.records.push({ error: `line nests deeper than ${MAX_RECORD_NESTING} levels` });
      return;
    }
    try {
      this.records.push({ value: JSON.parse(line) });
    } catch (error) {
      this.records.push({ error: `line is not valid JSON: ${parseError(error)}` });
    }
  }
}

/**
 * Reads `stream` until its end or the first refusal. After a refusal the rest of the body is
 * drained unread, so the connection stays usable for the answer.
 */
export function readRecords(stream: Readable, format: BodyFormat, limits: BodyLimits): Promise<BodyRecord[]> {
  const reader = new BodyReader(format, limits);
  return new Promise((resolve, reject) => {
    const stop = (error: Error) => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.resume();
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      try {
        reader.push(chunk);
      } catch (error) {
        stop(error as Error);
      }
    };
    const onEnd = () => {
      try {
        resolve(reader.end());
      } catch (error) {
        reject(error as Error);
      }
    };
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', reject);
  });
}
