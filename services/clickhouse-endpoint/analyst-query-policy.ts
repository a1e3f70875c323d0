/**
 * What an analyst's query may do, decided on ClickHouse's own parse of it: the engine's
 * `EXPLAIN AST` text of the statement (see ReadOnlyEngine.check, which produces it from the engine's
 * `formatQuery` rendering, the very text that then runs). Nothing here reads SQL text.
 *
 * Allowed: one SELECT-like statement (SELECT/WITH/UNION, EXPLAIN of one, DESCRIBE, SHOW TABLES and
 * the like, SHOW CREATE TABLE, EXISTS TABLE); tables of the analysts' database (those of one row
 * per record about a person only to analysts granted them) and the harmless
 * `system` tables of ALLOWED_SYSTEM_TABLES; the table functions of ALLOWED_TABLE_FUNCTIONS; every
 * scalar or aggregate function except those that reach files, the network, processes, dictionaries,
 * settings or other databases (`deniedFunctionNames`). Refused: `INTO OUTFILE`, `SETTINGS`
 * clauses, everything else.
 *
 * The AST text prints names raw, so a name holding a line break can add lines of its own. Every
 * rule but the choice of root therefore looks at each line on its own, wherever it sits: a forged
 * line can only add a refusal, never hide a real node (and the root is always the first line).
 */

export interface AstLine {
  depth: number;
  /** The node type: `SelectWithUnionQuery`, `Function`, `TableIdentifier`, … */
  type: string;
  /** The rest of the line, without `(children n)`. */
  detail: string;
}

export function readAst(text: string): AstLine[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const body = line.trimStart();
      const space = body.indexOf(' ');
      return {
        depth: line.length - body.length,
        type: space === -1 ? body : body.slice(0, space),
        detail: space === -1 ? '' : body.slice(space + 1).replace(/ ?\(children \d+\)$/, ''),
      };
    });
}

/** What the analyst may touch beyond the analysts' database. */
export const ALLOWED_SYSTEM_TABLES: ReadonlySet<string> = new Set([
  'system.one', 'system.numbers', 'system.numbers_mt', 'system.zeros', 'system.zeros_mt',
  'system.databases', 'system.tables', 'system.columns', 'system.data_skipping_indices',
  'system.functions', 'system.table_functions', 'system.aggregate_function_combinators',
  'system.data_type_families', 'system.formats', 'system.time_zones', 'system.collations', 'system.table_engines',
  'system.build_options', 'system.contributors', 'system.licenses', 'system.keywords',
]);

/** Table functions that only generate data (or wrap a subquery the rules check like any other). */
export const ALLOWED_TABLE_FUNCTIONS: ReadonlySet<string> = new Set([
  'numbers', 'numbers_mt', 'zeros', 'zeros_mt', 'values', 'generaterandom', 'generateseries', 'generate_series', 'null',
  'view', 'format', 'primes',
]);

/** Whole categories of system.functions that reach outside the query's data. */
const DENIED_CATEGORIES = new Set(['Introspection', 'Dictionary', 'Embedded Dictionary', 'AI', 'Machine Learning']);

/**
 * Functions (lower case) that read files or the network, run processes, use dictionaries, Keeper or
 * model files, or reveal settings and the host: `file('/etc/passwd')`, `getSetting(…)`, `joinGet`, ….
 */
const DENIED_NAMES = /^(file|url|urlcluster|s3.*|hdfs.*|remote.*|cluster.*|executable.*|input|mysql.*|postgresql.*|sqlite.*|jdbc|odbc|dict.*|joinget.*|getsetting|getsettingordefault|getserversetting|getmergetreesetting|getmacro|getclienthttpheader|getserverport|filesystem.*|catboost.*|naivebayes.*|hascolumnintable|globalvariable|showcertificate|generateserialid|zookeeper.*|fuzz.*|ai[a-z].*|fqdn|hostname|fullhostname|serveruuid|getoskernelversion|tcpport|buildid|logtrace|addressto.*|demangle|region.*)$/;

/**
 * `getSetting('readonly')` is how many clients (JDBC drivers, BI tools) learn whether they may set
 * settings, so getSetting is allowed with one literal naming one of these limits, and nothing else.
 */
const READABLE_SETTINGS = new Set([
  'readonly', 'max_result_rows', 'max_result_bytes', 'max_execution_time', 'max_memory_usage', 'max_threads',
  'max_block_size', 'session_timezone', 'result_overflow_mode', 'output_format_json_quote_64bit_integers',
]);

/** True for `getSetting('<readable setting>')`: the function line, its one-item list, one string literal. */
function isReadableSetting(lines: readonly AstLine[], i: number): boolean {
  const [call, list, literal, after] = [lines[i]!, lines[i + 1], lines[i + 2], lines[i + 3]];
  const name = /^'([a-z0-9_]+)'$/.exec(literal?.detail ?? '')?.[1];
  return (
    /^getSetting( \(alias [^)]*\))?$/i.test(call.detail) &&
    list?.type === 'ExpressionList' && list.depth === call.depth + 1 &&
    literal?.type === 'Literal' && literal.depth === call.depth + 2 &&
    (after === undefined || after.depth <= call.depth + 1) &&
    name !== undefined && READABLE_SETTINGS.has(name)
  );
}

export interface FunctionRow {
  name: string;
  alias_to: string;
  categories: string;
}

/** The lower-cased names of system.functions an analyst may not call (aliases of them included). */
export function deniedFunctionNames(rows: readonly FunctionRow[]): Set<string> {
  const denied = new Set<string>();
  const deny = (row: FunctionRow): boolean =>
    DENIED_CATEGORIES.has(row.categories) || DENIED_NAMES.test(row.name.toLowerCase());
  for (const row of rows) if (deny(row)) denied.add(row.name.toLowerCase());
  for (const row of rows) if (row.alias_to !== '' && denied.has(row.alias_to.toLowerCase())) denied.add(row.name.toLowerCase());
  return denied;
}

export interface PolicyContext {
  /** The analysts' database: the only one whose tables they read. */
  database: string;
  /** Every database of the engine, to tell `db.table` from `alias.column` in a plain identifier. */
  databases: ReadonlySet<string>;
  /** From deniedFunctionNames. */
  deniedFunctions: ReadonlySet<string>;
  /** Lower-cased names of system.table_functions. */
  tableFunctions: ReadonlySet<string>;
  /** Tables of the analysts' database holding one row per record about a person. */
  rowLevelTables: ReadonlySet<string>;
  /** Whether this analyst is granted them; without, only aggregates and the small-cell protected views. */
  rowLevel: boolean;
}

export type Verdict =
  | { allowed: true; statement: string; format: string | null }
  | { allowed: false; statement: string; reason: 'readonly' | 'access'; message: string };

/** Root node types that only read, by the statement word they are logged under. */
const READ_ROOTS = new Map([
  ['SelectWithUnionQuery', 'SELECT'],
  ['SelectIntersectExceptQuery', 'SELECT'],
  ['SelectQuery', 'SELECT'],
  ['Explain', 'EXPLAIN'],
  ['DescribeQuery', 'DESCRIBE'],
  ['ShowTables', 'SHOW'],
  ['ShowCreateTableQuery', 'SHOW'],
  ['ExistsTableQuery', 'EXISTS'],
]);
const EXPLAINABLE = new Set(['SelectWithUnionQuery', 'SelectIntersectExceptQuery', 'SelectQuery', 'DescribeQuery']);

/**
 * The verdict on one statement. `statement` is the statement word (for the query log); for a
 * refused write it is the first word of the engine's own rendering, `keyword`.
 */
export function judgeStatement(lines: readonly AstLine[], keyword: string, context: PolicyContext): Verdict {
  const root = lines[0];
  const statement = root ? READ_ROOTS.get(root.type) : undefined;
  const refuse = (reason: 'readonly' | 'access', message: string): Verdict => ({
    allowed: false, statement: statement ?? keyword, reason, message,
  });
  if (!root || statement === undefined) {
    return refuse('readonly', `${keyword || 'this'} statements are not allowed: the analysts' access is read-only (SELECT, WITH, SHOW, DESCRIBE, EXISTS, EXPLAIN)`);
  }
  const top = lines.filter((line) => line.depth === 1);
  let format: string | null = null;

  if (root.type === 'Explain') {
    const explained = top.find((line) => line.type !== 'Set');
    if (!explained || !EXPLAINABLE.has(explained.type)) return refuse('readonly', 'only SELECT and DESCRIBE statements may be explained');
  }
  if (root.type === 'ShowTables' || root.type === 'ShowCreateTableQuery' || root.type === 'ExistsTableQuery') {
    // Their children are plain identifiers: a database (SHOW TABLES FROM db, db.table), a table, a format.
    const names = top.filter((line) => line.type === 'Identifier').map((line) => line.detail);
    const qualified = root.type !== 'ShowTables' && names.length >= 2 && context.databases.has(names[0]!);
    for (const [i, name] of names.entries()) {
      const isDatabase = root.type === 'ShowTables' ? context.databases.has(name) : qualified && i === 0;
      if (isDatabase && name !== context.database) return refuse('access', `database ${name} is not allowed for analysts (only ${context.database})`);
    }
    if (root.type === 'ShowTables') format = names.find((name) => !context.databases.has(name)) ?? null;
  } else {
    const formats = top.filter((line) => line.type === 'Identifier');
    if (formats.length > 1) return refuse('access', 'the statement has more than one FORMAT clause');
    format = formats[0]?.detail ?? null;
  }

  for (const [i, line] of lines.entries()) {
    if (line.depth === 1 && line.type === 'Literal' && root.type !== 'ShowTables') {
      return refuse('access', 'INTO OUTFILE is not allowed for analysts: results are returned to the caller, never written to files');
    }
    if (line.type === 'Set' && !(root.type === 'Explain' && line.depth === 1 && lines[i - 1] === root)) {
      return refuse('readonly', 'SETTINGS clauses are not allowed for analysts; pass harmless settings as URL parameters');
    }
    if (line.type === 'Function') {
      const name = line.detail.split(' ')[0]!;
      const lower = name.toLowerCase();
      const deniedTable = context.tableFunctions.has(lower) && !ALLOWED_TABLE_FUNCTIONS.has(lower);
      if ((context.deniedFunctions.has(lower) || DENIED_NAMES.test(lower) || deniedTable) && !isReadableSetting(lines, i)) {
        return refuse('access', `function ${name} is not allowed for analysts: it reaches files, the network, processes, settings or other databases`);
      }
    }
    if (line.type === 'TableIdentifier') {
      const refusal = tableRefusal(line.detail.replace(/ \(alias [\s\S]*\)$/, ''), context, false);
      if (refusal !== null) return refuse('access', refusal);
    }
    if (line.type === 'Identifier' && line.detail.includes('.')) {
      // `x IN db.table` names a table with a plain identifier; `alias.column` passes.
      const refusal = tableRefusal(line.detail.replace(/ \(alias [\s\S]*\)$/, ''), context, true);
      if (refusal !== null) return refuse('access', refusal);
    }
  }
  return { allowed: true, statement, format };
}

function tableRefusal(name: string, context: PolicyContext, onlyIfDatabase: boolean): string | null {
  if (/\s/.test(name)) return `table name ${JSON.stringify(name.slice(0, 100))} is not allowed for analysts`;
  const dot = name.indexOf('.');
  // No database: the current one, which is always the analysts' one.
  if (dot === -1) return rowLevelRefusal(name, context);
  const database = name.slice(0, dot);
  if (database === context.database) return rowLevelRefusal(name.slice(dot + 1), context);
  if (onlyIfDatabase && !context.databases.has(database)) return null;
  const table = name.slice(dot + 1).split('.')[0]!;
  if (ALLOWED_SYSTEM_TABLES.has(`${database}.${table}`)) return null;
  return `table ${database}.${table} is not allowed for analysts (only tables of ${context.database} and a few system tables such as system.tables and system.numbers)`;
}

function rowLevelRefusal(table: string, context: PolicyContext): string | null {
  if (context.rowLevel || !context.rowLevelTables.has(table)) return null;
  return `table ${table} holds one row per record about a person: analysts read it only when granted ("rowLevel" in the access file); ` +
    'the aggregates and the small-cell protected views (declarations_by_ward, declarations_by_birth_year, declarations_by_nationality) are open to every analyst';
}
