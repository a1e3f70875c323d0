/**
 * Read-only access to an embedded ClickHouse data folder, for analysts. It runs on chdb sessions of
 * its own — in the process that owns the folder, beside the sink's session, or in `truc sql` when no
 * pipeline runs — never on the pipeline's client, because settings are per session: each analyst
 * session is set up once with its database, the caller's harmless output settings, the resource
 * limits, and last `readonly = 1`, after which the engine itself refuses writes, DDL, table
 * functions that reach files or the network, and any further change of settings.
 *
 * A session whose query failed is thrown away: after a query fails midway (a result limit, say)
 * the engine can leave that query's partial output in the session, to be prepended to the next
 * result.
 */
import { Session } from 'chdb';
import { existsSync } from 'node:fs';
import { ClickHouseHttpError, endpointError, parseEngineError } from './clickhouse-errors.ts';
import { escapeParameter, queryWithEscapedParameters } from './escaped-parameters.ts';
import { analyseStatement, readOnlyRefusal, type StatementInfo } from './sql-statement.ts';

export interface ReadOnlyLimits {
  maxExecutionSeconds: number;
  maxMemoryBytes: number;
  maxResultBytes: number;
  /** Sessions open at once; each runs one query at a time. */
  sessions: number;
}

export interface ReadOnlyQuery {
  sql: string;
  database: string;
  /** Output format when the SQL has no FORMAT clause of its own. */
  format: string;
  /** Allowed settings only (see `ALLOWED_SETTINGS`), values already checked. */
  settings: Record<string, string>;
  /**
   * `{name:Type}` placeholders, bound by the engine (values never enter the SQL text). Values are in
   * ClickHouse's escaped text form, as `param_<name>` carries them over HTTP (see escaped-parameters.ts).
   */
  params: Record<string, string>;
}

export interface ReadOnlyResult {
  body: Buffer;
  rowsRead: number;
  bytesRead: number;
  elapsedSeconds: number;
}

/**
 * Settings a caller may choose per request: they shape output or narrow limits, nothing else. The
 * limits taken as a minimum with the configured ones are in `CAPPED_SETTINGS`.
 */
export const ALLOWED_SETTINGS: ReadonlySet<string> = new Set([
  'output_format_json_quote_64bit_integers',
  'output_format_json_quote_64bit_floats',
  'output_format_json_quote_decimals',
  'output_format_json_quote_denormals',
  'output_format_json_named_tuples_as_objects',
  'output_format_json_array_of_rows',
  'output_format_decimal_trailing_zeros',
  'output_format_csv_crlf_end_of_line',
  'output_format_tsv_crlf_end_of_line',
  'output_format_write_statistics',
  'output_format_pretty_max_rows',
  'output_format_pretty_color',
  'format_csv_delimiter',
  'date_time_output_format',
  'session_timezone',
  'extremes',
  'join_use_nulls',
  'final',
  'max_result_rows',
  'max_execution_time',
  'max_result_bytes',
]);
const CAPPED_SETTINGS = new Set(['max_execution_time', 'max_result_bytes']);

/** Setting values go into `SET name = '<value>'`: no quote, backslash or control character can appear. */
export const SETTING_VALUE = /^[^'\\\u0000-\u001f\u007f]{0,100}$/;
/** Database and format names: plain identifiers only, as they enter SQL text. */
export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

interface PooledSession {
  key: string;
  session: Session;
  busy: boolean;
}

export class ReadOnlyEngine {
  readonly dataDir: string;
  readonly version: string;
  readonly timezone: string;
  private readonly limits: ReadOnlyLimits;
  private readonly pool: PooledSession[] = [];
  private readonly waiting: Array<() => void> = [];
  private closed = false;

  /** Holds the folder open between queries (and, in `truc sql`, the engine's lock). */
  private readonly anchor: Session;

  private constructor(anchor: Session, dataDir: string, limits: ReadOnlyLimits, version: string, timezone: string) {
    this.anchor = anchor;
    this.dataDir = dataDir;
    this.limits = limits;
    this.version = version;
    this.timezone = timezone;
  }

  /**
   * Opens the folder (it must exist). In a process that does not own it yet, this takes the
   * engine's lock, and fails while another process holds it: see `isFolderLockedError` in
   * platform/clickhouse.ts.
   */
  static async open(dataDir: string, limits: ReadOnlyLimits): Promise<ReadOnlyEngine> {
    if (!existsSync(dataDir)) throw new Error(`no ClickHouse data folder at ${dataDir}`);
    const anchor = new Session(dataDir);
    try {
      const text = (await anchor.queryAsync('SELECT version(), timezone()', { format: 'TSV' })).text().trim();
      const [version = 'unknown', timezone = 'UTC'] = text.split('\t');
      return new ReadOnlyEngine(anchor, dataDir, limits, version, timezone);
    } catch (error) {
      anchor.close();
      throw error;
    }
  }

  /**
   * Runs one read-only statement. Beyond readonly=1 it refuses what the engine would allow in
   * readonly mode: several statements, INTO OUTFILE, USE, KILL. A statement whose first word is not
   * a known read is parsed by the engine first: a typo gets the engine's syntax error, as from a
   * server, and the engine's own reading of the statement decides whether it only reads.
   * `info` is the caller's own `analyseStatement(query.sql)`, when it has one, so it is not read twice.
   */
  async query(query: ReadOnlyQuery, info: StatementInfo = analyseStatement(query.sql)): Promise<ReadOnlyResult> {
    if (info.empty) throw endpointError('SYNTAX_ERROR', 'Empty query');
    if (info.multiStatement) throw endpointError('SYNTAX_ERROR', 'Multi-statements are not allowed');
    let refusal = readOnlyRefusal(info);
    if (refusal !== null && !info.intoOutfile) {
      const formatted = await this.run({ sql: 'SELECT formatQuery({sql:String})', database: query.database, format: 'TSV', settings: {}, params: { sql: escapeParameter(query.sql) } });
      refusal = readOnlyRefusal(analyseStatement(formatted.body.toString('utf8')));
    }
    if (refusal !== null) throw endpointError('READONLY', `Cannot execute query in readonly mode: ${refusal}`);
    return this.run(query);
  }

  private async run(query: ReadOnlyQuery): Promise<ReadOnlyResult> {
    if (!IDENTIFIER.test(query.database)) throw endpointError('BAD_ARGUMENTS', `Invalid database name ${JSON.stringify(query.database)}`);
    if (!IDENTIFIER.test(query.format)) throw endpointError('BAD_ARGUMENTS', `Invalid format name ${JSON.stringify(query.format)}`);
    const pooled = await this.acquire(this.sessionKey(query));
    let failed = false;
    try {
      const result =
        Object.keys(query.params).length > 0
          ? await queryWithEscapedParameters(pooled.session, query.sql, query.format, query.params)
          : await pooled.session.queryAsync(query.sql, { format: query.format }).then((answer) => ({
              bytes: answer.bytes(),
              rowsRead: answer.rowsRead,
              bytesRead: answer.bytesRead,
              elapsed: answer.elapsed,
            }));
      return {
        body: Buffer.from(result.bytes),
        rowsRead: result.rowsRead,
        bytesRead: result.bytesRead,
        elapsedSeconds: result.elapsed,
      };
    } catch (error) {
      failed = true;
      throw toClickHouseError(error);
    } finally {
      this.release(pooled, failed);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const pooled of this.pool.splice(0)) pooled.session.close();
    for (const wake of this.waiting.splice(0)) wake();
    this.anchor.close();
  }

  private sessionKey(query: ReadOnlyQuery): string {
    const settings = Object.entries(query.settings).sort(([a], [b]) => a.localeCompare(b));
    return JSON.stringify([query.database, settings]);
  }

  private async acquire(key: string): Promise<PooledSession> {
    for (;;) {
      if (this.closed) throw endpointError('UNKNOWN_EXCEPTION', 'The analysts\' endpoint is shutting down');
      const idle = this.pool.find((pooled) => !pooled.busy && pooled.key === key);
      if (idle) {
        idle.busy = true;
        return idle;
      }
      if (this.pool.length >= this.limits.sessions) {
        // Make room by closing an idle session set up for other settings, or wait for one.
        const spare = this.pool.findIndex((pooled) => !pooled.busy);
        if (spare === -1) {
          await new Promise<void>((resolve) => this.waiting.push(resolve));
          continue;
        }
        this.pool.splice(spare, 1)[0]!.session.close();
      }
      const pooled: PooledSession = { key, session: new Session(this.dataDir), busy: true };
      this.pool.push(pooled);
      try {
        await pooled.session.queryAsync(this.setupSql(key));
      } catch (error) {
        this.release(pooled, true);
        throw toClickHouseError(error);
      }
      return pooled;
    }
  }

  private release(pooled: PooledSession, discard: boolean): void {
    pooled.busy = false;
    if (discard || this.closed) {
      const index = this.pool.indexOf(pooled);
      if (index !== -1) this.pool.splice(index, 1);
      pooled.session.close();
    }
    this.waiting.shift()?.();
  }

  /** USE, the caller's settings, the limits, and readonly last (it forbids every later change). */
  private setupSql(key: string): string {
    const [database, settings] = JSON.parse(key) as [string, Array<[string, string]>];
    const chosen = new Map(settings);
    const limits = new Map<string, string>([
      ['max_execution_time', String(this.limits.maxExecutionSeconds)],
      ['max_memory_usage', String(this.limits.maxMemoryBytes)],
      ['max_result_bytes', String(this.limits.maxResultBytes)],
    ]);
    for (const name of CAPPED_SETTINGS) {
      const wanted = Number(chosen.get(name));
      if (chosen.has(name) && Number.isFinite(wanted) && wanted > 0 && wanted < Number(limits.get(name))) limits.set(name, String(wanted));
      chosen.delete(name);
    }
    // A server quotes 64-bit integers in JSON by default; the embedded engine does not.
    const values = new Map([['output_format_json_quote_64bit_integers', '1'], ['result_overflow_mode', 'throw'], ...chosen, ...limits]);
    const assignments = [...values].map(([name, value]) => `${name} = '${value}'`);
    return `USE ${database}; SET ${assignments.join(', ')}; SET readonly = 1`;
  }
}

function toClickHouseError(error: unknown): ClickHouseHttpError {
  if (error instanceof ClickHouseHttpError) return error;
  const info = parseEngineError(error);
  return new ClickHouseHttpError(info.code, info.name, info.message);
}
