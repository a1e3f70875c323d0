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
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { ROW_LEVEL_TABLES } from '../../connectors/clickhouse-sink/projection.ts';
import { judgeStatement, readAst, deniedFunctionNames, type FunctionRow, type PolicyContext, type Verdict } from './analyst-query-policy.ts';
import { ClickHouseHttpError, endpointError, parseEngineError } from './clickhouse-errors.ts';
import { escapeParameter, queryWithEscapedParameters } from './escaped-parameters.ts';

export interface ReadOnlyLimits {
  maxExecutionSeconds: number;
  maxMemoryBytes: number;
  maxResultBytes: number;
  /** Sessions open at once; each runs one query at a time. */
  sessions: number;
}

export interface ReadOnlyQuery {
  sql: string;
  /** The analysts' database: the session's current one and the only one its tables may come from. */
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
  /** The analyst is granted the row-level tables (README, "Small cells"). */
  rowLevel: boolean;
}

export interface ReadOnlyResult {
  body: Buffer;
  /** The format the body is in: the query's own FORMAT clause, else the requested default. */
  format: string;
  /** The statement word (SELECT, SHOW, …), for logs. */
  statement: string;
  rowsRead: number;
  bytesRead: number;
  elapsedSeconds: number;
  /** Time spent deciding whether the query may run. */
  checkMs: number;
}

/** A statement the analysts' policy refuses; `statement` names its kind for the query log. */
export class AnalystQueryRefusal extends ClickHouseHttpError {
  readonly statement: string;
  constructor(type: 'READONLY' | 'ACCESS_DENIED', statement: string, message: string) {
    const refusal = endpointError(type, type === 'READONLY' ? `Cannot execute query in readonly mode: ${message}` : message);
    super(refusal.code, refusal.type, refusal.message);
    this.statement = statement;
  }
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
  /**
   * Reads the analyst's statement (formatQuery, EXPLAIN AST) on readonly=1 alone: the caller's
   * settings (`max_result_rows=1`, say) must not apply to the check's own queries.
   */
  checker: Session | null;
  busy: boolean;
}

interface Judged {
  formatted: string;
  verdict: Verdict;
}

/** Statements whose verdicts are remembered. */
const JUDGED_MAX = 1_000;

function closePooled(pooled: PooledSession): void {
  pooled.session.close();
  pooled.checker?.close();
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

  /** Recent statements' renderings and verdicts, oldest first. */
  private readonly judged = new Map<string, Judged>();

  /** What the policy needs to know of the engine, read once at open. */
  private readonly catalog: Omit<PolicyContext, 'database' | 'rowLevel'>;

  private constructor(anchor: Session, dataDir: string, limits: ReadOnlyLimits, version: string, timezone: string, catalog: Omit<PolicyContext, 'database' | 'rowLevel'>) {
    this.anchor = anchor;
    this.catalog = catalog;
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
      const rows = async <T>(sql: string): Promise<T[]> =>
        (await anchor.queryAsync(sql, { format: 'JSONEachRow' })).text().split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as T);
      const functions = await rows<FunctionRow>('SELECT name, alias_to, categories FROM system.functions');
      const tableFunctions = await rows<{ name: string }>('SELECT name FROM system.table_functions');
      const databases = await rows<{ name: string }>('SELECT name FROM system.databases');
      return new ReadOnlyEngine(anchor, dataDir, limits, version, timezone, {
        deniedFunctions: deniedFunctionNames(functions),
        tableFunctions: new Set(tableFunctions.map((row) => row.name.toLowerCase())),
        databases: new Set(databases.map((row) => row.name)),
        rowLevelTables: ROW_LEVEL_TABLES,
      });
    } catch (error) {
      anchor.close();
      throw error;
    }
  }

  /**
   * Runs one statement if the analysts' policy allows it (analyst-query-policy.ts), deciding on the
   * engine's own parse: `formatQuery` renders the text (and refuses several statements), `EXPLAIN
   * AST` of that rendering — with the query's parameters bound, as `{name:Identifier}` can name a
   * table — gives the tree the policy reads, and the rendering is what then runs, so what runs is
   * what was checked. A result over the byte limit is refused even when the engine let it through
   * (it checks the limit per block, and one block can be huge).
   */
  async query(query: ReadOnlyQuery): Promise<ReadOnlyResult> {
    if (!IDENTIFIER.test(query.database)) throw endpointError('BAD_ARGUMENTS', `Invalid database name ${JSON.stringify(query.database)}`);
    if (!IDENTIFIER.test(query.format)) throw endpointError('BAD_ARGUMENTS', `Invalid format name ${JSON.stringify(query.format)}`);
    if (query.sql.trim() === '') throw endpointError('SYNTAX_ERROR', 'Empty query');
    const pooled = await this.acquire(this.sessionKey(query));
    let failed = false;
    try {
      const checkStarted = performance.now();
      const { formatted, verdict } = await this.judge(pooled, query);
      const checkMs = performance.now() - checkStarted;
      if (!verdict.allowed) {
        throw new AnalystQueryRefusal(verdict.reason === 'readonly' ? 'READONLY' : 'ACCESS_DENIED', verdict.statement, verdict.message);
      }
      const format = verdict.format ?? query.format;
      if (!IDENTIFIER.test(format)) throw endpointError('BAD_ARGUMENTS', `Invalid format name ${JSON.stringify(format.slice(0, 100))}`);
      const result = await runBound(pooled.session, formatted, format, query.params);
      const body = Buffer.from(result.bytes);
      const limit = this.resultLimit(query.settings);
      if (body.length > limit) {
        throw endpointError('TOO_MANY_ROWS_OR_BYTES', `Limit for result exceeded, max bytes: ${limit}, current bytes: ${body.length} (the analysts' result limit)`);
      }
      return { body, format, statement: verdict.statement, rowsRead: result.rowsRead, bytesRead: result.bytesRead, elapsedSeconds: result.elapsed, checkMs };
    } catch (error) {
      // A refusal of the policy ran nothing more on the session; an engine failure may have left output in it.
      failed = !(error instanceof ClickHouseHttpError) || error.type === 'TOO_MANY_ROWS_OR_BYTES';
      throw toClickHouseError(error);
    } finally {
      this.release(pooled, failed);
    }
  }

  /**
   * The engine's rendering of the statement and the policy's verdict on it. Both depend only on the
   * text, the parameters and the database (the catalogue is read once), so they are remembered for
   * the most recent statements: dashboards repeat theirs, and each check costs two engine calls.
   */
  private async judge(pooled: PooledSession, query: ReadOnlyQuery): Promise<Judged> {
    const key = createHash('sha256').update(JSON.stringify([query.sql, query.database, Object.entries(query.params).sort(), query.rowLevel])).digest('base64');
    const known = this.judged.get(key);
    if (known !== undefined) {
      this.judged.delete(key);
      this.judged.set(key, known);
      return known;
    }
    const checker = await this.checkerOf(pooled);
    const rendering = await runBound(checker, 'SELECT formatQuery({sql:String})', 'TSVRaw', { sql: escapeParameter(query.sql) });
    const formatted = Buffer.from(rendering.bytes).toString('utf8').trimEnd();
    const ast = await runBound(checker, `EXPLAIN AST ${formatted}`, 'TSVRaw', query.params);
    const verdict = judgeStatement(readAst(Buffer.from(ast.bytes).toString('utf8')), /^\w+/.exec(formatted)?.[0]?.toUpperCase() ?? '', { ...this.catalog, database: query.database, rowLevel: query.rowLevel });
    const judged = { formatted, verdict };
    if (this.judged.size >= JUDGED_MAX) this.judged.delete(this.judged.keys().next().value!);
    this.judged.set(key, judged);
    return judged;
  }

  private async checkerOf(pooled: PooledSession): Promise<Session> {
    if (pooled.checker === null) {
      pooled.checker = new Session(this.dataDir);
      await pooled.checker.queryAsync('SET readonly = 1');
    }
    return pooled.checker;
  }

  /** The configured result limit, or the caller's smaller `max_result_bytes`. */
  private resultLimit(settings: Record<string, string>): number {
    const wanted = Number(settings.max_result_bytes);
    return Number.isFinite(wanted) && wanted > 0 ? Math.min(wanted, this.limits.maxResultBytes) : this.limits.maxResultBytes;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const pooled of this.pool.splice(0)) closePooled(pooled);
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
        closePooled(this.pool.splice(spare, 1)[0]!);
      }
      const pooled: PooledSession = { key, session: new Session(this.dataDir), checker: null, busy: true };
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
      closePooled(pooled);
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

/** Runs `sql`, binding `params` (escaped form) through the one binder the endpoint uses, when there are any. */
async function runBound(session: Session, sql: string, format: string, params: Record<string, string>): Promise<{ bytes: Uint8Array; rowsRead: number; bytesRead: number; elapsed: number }> {
  if (Object.keys(params).length > 0) return queryWithEscapedParameters(session, sql, format, params);
  const answer = await session.queryAsync(sql, { format });
  return { bytes: answer.bytes(), rowsRead: answer.rowsRead, bytesRead: answer.bytesRead, elapsed: answer.elapsed };
}

function toClickHouseError(error: unknown): ClickHouseHttpError {
  if (error instanceof ClickHouseHttpError) return error;
  const info = parseEngineError(error);
  return new ClickHouseHttpError(info.code, info.name, info.message);
}
