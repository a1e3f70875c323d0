/**
 * The analysts' query log, for operators: one JSON line per query — analyst, client address, time,
 * the statement text, whether it was refused and why, rows and bytes read, result size — in a file
 * only the process's own user may read (mode 0600, under the data folder's logs/). It is outside
 * ClickHouse, so no analyst query reaches it (`file` and its kin are refused). The general log never
 * carries query text; this file does, which is why it is kept apart.
 */
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';
import path from 'node:path';

export interface QueryLogEntry {
  time: string;
  analyst: string;
  address: string;
  queryId: string;
  statement: string;
  /** The SQL as received (with the query parameter and body joined). */
  query: string;
  refused: boolean;
  /** ClickHouse's error name and message, when refused or failed. */
  error?: { code: number; name: string; message: string };
  rowsRead?: number;
  bytesRead?: number;
  resultBytes?: number;
  ms: number;
}

export class QueryLog {
  private readonly stream: WriteStream;

  private constructor(stream: WriteStream) {
    this.stream = stream;
  }

  /** `onError` hears of a failed write (the log is for operators; a query is not failed for it). */
  static async open(file: string, onError: (error: Error) => void): Promise<QueryLog> {
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    const stream = createWriteStream(file, { flags: 'a', mode: 0o600 });
    await once(stream, 'open');
    // An existing file keeps its mode on open; make sure it is the operators' only.
    await chmod(file, 0o600);
    stream.on('error', onError);
    return new QueryLog(stream);
  }

  write(entry: QueryLogEntry): void {
    this.stream.write(`${JSON.stringify(entry)}\n`);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.stream.end(resolve));
  }
}
