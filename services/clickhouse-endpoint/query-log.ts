/**
 * The analysts' query log, for operators: one JSON line per query — analyst, client address, time,
 * the statement text, whether it was refused and why, rows and bytes read, result size — in a file
 * only the process's own user may read (mode 0600, under the data folder's logs/). It is outside
 * ClickHouse, so no analyst query reaches it (`file` and its kin are refused). The general log never
 * carries query text; this file does, which is why it is kept apart.
 */
import { appendFile, chmod, mkdir, open } from 'node:fs/promises';
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
  private readonly file: string;
  /** Appends in order, one at a time. */
  private tail: Promise<void> = Promise.resolve();

  private constructor(file: string) {
    this.file = file;
  }

  static async open(file: string): Promise<QueryLog> {
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    const handle = await open(file, 'a', 0o600);
    await handle.close();
    // An existing file keeps its mode on open; make sure it is the operators' only.
    await chmod(file, 0o600);
    return new QueryLog(file);
  }

  /** Queues the entry; failures to write surface through `flushed`. */
  write(entry: QueryLogEntry): Promise<void> {
    this.tail = this.tail.then(() => appendFile(this.file, `${JSON.stringify(entry)}\n`, { mode: 0o600 }));
    return this.tail;
  }
}
