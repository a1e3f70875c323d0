/**
 * Query parameters (`{name:Type}`) bound from values in ClickHouse's escaped text form — the form a
 * server receives in `param_<name>` and unescapes for the placeholder's type (`O\'Brien`, `\N` for
 * NULL, `['a\'b']` for an array). chdb's own `queryBindAsync` takes JS values and escapes strings
 * itself, so an HTTP value would be escaped twice; here the values reach the engine's binding
 * (`chdb_query_with_params`) exactly as they came, and the engine unescapes them as a server does.
 * Values never enter the SQL text.
 *
 * The engine's parameter state is not isolated between connections under concurrency (chdb
 * serialises its own bound queries for that reason), so bound queries run one at a time here; the
 * endpoint binds only through this module.
 */
import { createRequire } from 'node:module';
import type { Session } from 'chdb';

interface RawResult {
  bytes: Uint8Array;
  elapsed: number;
  rowsRead: number;
  bytesRead: number;
}

interface ChdbNative {
  QueryAsyncConnection(connection: unknown, sql: string, format: string, params: Record<string, string>): Promise<RawResult>;
}

// The addon chdb itself loaded (its loader caches it), reached through chdb's own files.
const chdbRequire = createRequire(import.meta.resolve('chdb'));
const native = (chdbRequire('./dist/loader.js') as { loadNative(): ChdbNative }).loadNative();

let queue: Promise<unknown> = Promise.resolve();

/** Runs `sql` on `session` with `params` already in escaped form; one bound query at a time. */
export function queryWithEscapedParameters(session: Session, sql: string, format: string, params: Record<string, string>): Promise<RawResult> {
  const run = queue.then(() => {
    if (session.connection == null) throw new Error('the session is closed');
    return native.QueryAsyncConnection(session.connection, sql, format, params);
  });
  queue = run.catch(() => undefined);
  return run;
}

const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\\0', '\b': '\\b', '\f': '\\f' };

/** A text in the escaped form, for the endpoint's own parameters (the engine unescapes it back). */
export function escapeParameter(text: string): string {
  return text.replace(/[\\\t\n\r\0\b\f]/g, (char) => ESCAPES[char]!);
}
