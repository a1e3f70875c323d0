import { describe, expect, it } from 'vitest';
import { formatErrorText, httpStatusFor, parseEngineError } from '../../services/clickhouse-endpoint/clickhouse-errors.ts';
import { contentTypeFor, readCredentials, readRequestOptions } from '../../services/clickhouse-endpoint/request-options.ts';
import { deniedFunctionNames, judgeStatement, readAst, type PolicyContext } from '../../services/clickhouse-endpoint/analyst-query-policy.ts';
import { FairSlots } from '../../services/clickhouse-endpoint/fair-slots.ts';
import { LoginThrottle } from '../../services/clickhouse-endpoint/login-throttle.ts';
import { AccessPolicy } from '../../services/platform/access.ts';
import { hashPassword, verifyPassword } from '../../services/platform/password-hash.ts';
import { renderFooter, renderTable } from '../../services/cli/sql-output.ts';

// EXPLAIN AST texts as the engine (26.7) prints them; the integration tests run the same rules on the engine's own output.
const AST = {
  select: ['SelectWithUnionQuery (children 1)', ' ExpressionList (children 1)', '  SelectQuery (children 2)', '   ExpressionList (children 1)', '    Identifier a.x',
    '   TablesInSelectQuery (children 1)', '    TablesInSelectQueryElement (children 1)', '     TableExpression (children 1)', '      TableIdentifier truc.t (alias a)'],
  outfile: ['SelectWithUnionQuery (children 3)', ' ExpressionList (children 1)', '  SelectQuery (children 1)', '   ExpressionList (children 1)',
    "    Literal 'x' (alias $a$)", " Literal '/tmp/f'", ' Identifier RawBLOB'],
};
const context: PolicyContext = {
  database: 'truc',
  databases: new Set(['truc', 'system', 'default', 'information_schema']),
  deniedFunctions: deniedFunctionNames([
    { name: 'file', alias_to: '', categories: 'Other' },
    { name: 'dictGet', alias_to: '', categories: 'Dictionary' },
    { name: 'aiGenerate', alias_to: '', categories: 'AI' },
    { name: 'AIGenerate', alias_to: 'aiGenerate', categories: '' },
    { name: 'plus', alias_to: '', categories: 'Arithmetic' },
    { name: 'sleep', alias_to: '', categories: 'Other' },
  ]),
  tableFunctions: new Set(['file', 'numbers', 'url', 'merge', 'values']),
  rowLevelTables: new Set(['health_declarations']),
  rowLevel: true,
};
const judge = (lines: string[], keyword = 'SELECT') => judgeStatement(readAst(lines.join('\n')), keyword, context);
const withLine = (line: string) => [...AST.select.slice(0, 4), line, ...AST.select.slice(5)];

describe('the analysts\' policy, on the engine\'s EXPLAIN AST', () => {
  it('admits the row-level tables only to analysts granted them, however the table is named', () => {
    const table = (name: string) => [...AST.select.slice(0, 8), `      TableIdentifier ${name}`];
    const ungranted = (lines: string[]) => judgeStatement(readAst(lines.join('\n')), 'SELECT', { ...context, rowLevel: false });
    for (const name of ['health_declarations', 'truc.health_declarations', 'health_declarations (alias h)']) {
      expect(judge(table(name)).allowed, name).toBe(true);
      const verdict = ungranted(table(name));
      expect(verdict.allowed, name).toBe(false);
      expect(verdict.allowed ? '' : verdict.message).toMatch(/only when granted.*declarations_by_ward/);
    }
    // Other tables of the database (aggregates, protected views, the registry) stay open.
    expect(ungranted(table('declarations_by_ward')).allowed).toBe(true);
    expect(ungranted(table('truc.checkpoints')).allowed).toBe(true);
  });

  it('reads the tree: depth, node type and detail without the children count', () => {
    expect(readAst('Explain EXPLAIN (children 1)\n SelectWithUnionQuery (children 1)\n')).toEqual([
      { depth: 0, type: 'Explain', detail: 'EXPLAIN' },
      { depth: 1, type: 'SelectWithUnionQuery', detail: '' },
    ]);
  });

  it('allows a SELECT of the analysts\' tables, with its FORMAT', () => {
    expect(judge(AST.select)).toEqual({ allowed: true, statement: 'SELECT', format: null });
    expect(judge([...AST.select, ' Identifier JSON'])).toEqual({ allowed: true, statement: 'SELECT', format: 'JSON' });
    expect(judge(withLine('    Function plus (children 1)')).allowed).toBe(true);
    expect(judge(withLine('    Function sleep (children 1)')).allowed).toBe(true);
  });

  it('refuses INTO OUTFILE (a literal under the root), whatever the alias around it', () => {
    expect(judge(AST.outfile)).toMatchObject({ allowed: false, reason: 'access', message: expect.stringMatching(/^INTO OUTFILE is not allowed/) });
  });

  it('refuses denied functions in any case and through aliases, and table functions outside the allow-list', () => {
    for (const name of ['file', 'FILE', 'dictGet', 'AIGenerate', 'aigenerate', 'getSetting', 's3Cluster', 'remoteSecure', 'url', 'merge', 'executable']) {
      expect(judge(withLine(`    Function ${name} (children 1)`)), name).toMatchObject({ allowed: false, message: `function ${name} is not allowed for analysts: it reaches files, the network, processes, settings or other databases` });
    }
    expect(judge(withLine('    Function numbers (alias n) (children 1)')).allowed).toBe(true);
    // getSetting of a literal naming a harmless limit, and nothing else.
    const getSetting = (...args: string[]) => judge([...AST.select.slice(0, 4), '    Function getSetting (children 1)', `     ExpressionList (children ${args.length})`, ...args.map((arg) => `      ${arg}`), ...AST.select.slice(5)]);
    expect(getSetting("Literal 'readonly'").allowed).toBe(true);
    expect(getSetting("Literal 'log_comment'").allowed).toBe(false);
    expect(getSetting('Identifier readonly').allowed).toBe(false);
    expect(getSetting("Literal 'readonly'", "Literal 'x'").allowed).toBe(false);
    expect(getSetting('Function concat (children 1)', " ExpressionList (children 2)", "  Literal 'read'", "  Literal 'only'").allowed).toBe(false);
    expect(judge(withLine('    Function values (children 1)')).allowed).toBe(true);
  });

  it('refuses tables of other databases, also named in IN, and allows the chosen system tables', () => {
    const table = (name: string) => [...AST.select.slice(0, 8), `      TableIdentifier ${name}`];
    expect(judge(table('system.processes'))).toMatchObject({ allowed: false, message: expect.stringMatching(/^table system\.processes is not allowed for analysts/) });
    expect(judge(table('default.secrets (alias s)'))).toMatchObject({ allowed: false });
    expect(judge(table('system.numbers (alias n)')).allowed).toBe(true);
    expect(judge(table('cte_name')).allowed).toBe(true);
    expect(judge(withLine('    Identifier system.processes'))).toMatchObject({ allowed: false });
    expect(judge(withLine('    Identifier alias.column')).allowed).toBe(true);
  });

  it('allows SHOW and EXISTS of the analysts\' database only; refuses writes and SETTINGS by the root and Set nodes', () => {
    expect(judge(['ShowTables (children 2)', ' Identifier truc', ' Identifier JSON'], 'SHOW')).toEqual({ allowed: true, statement: 'SHOW', format: 'JSON' });
    expect(judge(['ShowTables (children 1)', ' Identifier system'], 'SHOW')).toMatchObject({ allowed: false, message: 'database system is not allowed for analysts (only truc)' });
    expect(judge(['ShowCreateTableQuery system one (children 2)', ' Identifier system', ' Identifier one'], 'SHOW')).toMatchObject({ allowed: false });
    expect(judge(['ExistsTableQuery  t (children 1)', ' Identifier t'], 'EXISTS')).toMatchObject({ allowed: true });
    expect(judge(['InsertQuery   (children 1)', ' Identifier t'], 'INSERT')).toMatchObject({ allowed: false, reason: 'readonly', statement: 'INSERT', message: expect.stringMatching(/^INSERT statements are not allowed/) });
    expect(judge(['ShowProcesslistQuery'], 'SHOW')).toMatchObject({ allowed: false });
    expect(judge([...AST.select.slice(0, 4), '   Set'])).toMatchObject({ allowed: false, reason: 'readonly', message: expect.stringMatching(/^SETTINGS clauses are not allowed/) });
    // EXPLAIN's own options are its first child, not settings of the query.
    expect(judge(['Explain EXPLAIN (children 2)', ' Set', ...AST.select.map((line) => ` ${line}`)], 'EXPLAIN')).toMatchObject({ allowed: true, statement: 'EXPLAIN' });
    expect(judge(['Explain EXPLAIN AST (children 1)', ' InsertQuery   (children 1)', '  Identifier t'], 'EXPLAIN')).toMatchObject({ allowed: false });
  });

  it('fails closed when a name forges lines of its own', () => {
    // `SELECT \`a\n Literal 'x'\` FROM t` prints a line that looks like INTO OUTFILE.
    expect(judge([...AST.select.slice(0, 4), '    Identifier a', " Literal 'x'", ...AST.select.slice(5)])).toMatchObject({ allowed: false });
  });
});

describe('login throttling and fair slots', () => {
  it('lets five failures pass, then doubles the wait per failure for that name and that address', () => {
    const throttle = new LoginThrottle({ freeFailures: 5, baseDelayMs: 1_000, maxDelayMs: 60_000 });
    for (let i = 0; i < 5; i++) throttle.failed('epi', '10.0.0.1', 0);
    expect(throttle.waitMs('epi', '10.0.0.1', 0)).toBe(0);
    throttle.failed('epi', '10.0.0.1', 0);
    expect(throttle.waitMs('epi', '10.0.0.2', 0)).toBe(1_000);
    expect(throttle.waitMs('other', '10.0.0.1', 500)).toBe(500);
    throttle.failed('epi', '10.0.0.1', 1_000);
    expect(throttle.waitMs('epi', '10.0.0.9', 1_000)).toBe(2_000);
    throttle.succeeded('epi');
    expect(throttle.waitMs('epi', '10.0.0.9', 1_000)).toBe(0);
    // A valid login does not clear the address's record.
    expect(throttle.waitMs('someone', '10.0.0.1', 1_000)).toBe(2_000);
  });

  it('gives a freed slot to the analyst with the fewest running queries', async () => {
    const slots = new FairSlots(2, 2);
    const order: string[] = [];
    const a1 = await slots.acquire('a');
    const a2 = await slots.acquire('a');
    const a3 = slots.acquire('a').then((release) => { order.push('a'); return release; });
    const b1 = slots.acquire('b').then((release) => { order.push('b'); return release; });
    a1();
    await b1;
    expect(order).toEqual(['b']);
    a2();
    await a3;
    expect(order).toEqual(['b', 'a']);
  });

  it('caps one analyst below the total', async () => {
    const slots = new FairSlots(2, 1);
    await slots.acquire('a');
    let second = false;
    void slots.acquire('a').then(() => (second = true));
    await slots.acquire('b');
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(second).toBe(false);
  });
});

describe('analyst passwords', () => {
  it('reads the access file\'s analysts: several hashes each; a password in clear or a bad name stops the load', async () => {
    const hash = await hashPassword('a-long-password-1');
    expect(new AccessPolicy({ analysts: { epi: { passwords: [hash, hash.replace(/.$/, 'A')] }, 'lan.nguyen': { passwords: [hash] } } }).analysts()).toEqual(
      new Map([['epi', [hash, hash.replace(/.$/, 'A')]], ['lan.nguyen', [hash]]]),
    );
    expect(new AccessPolicy({}).analysts()).toBeNull();
    expect(() => new AccessPolicy({ analysts: { epi: { passwords: ['a-long-password-1'] } } }, 'access.json')).toThrow(
      /^access\.json: analysts\.epi\.passwords\[0\] must be "scrypt:N:r:p:<salt>:<hash>" \(made by truc analyst-password\), never a password$/,
    );
    expect(() => new AccessPolicy({ analysts: { epi: { passwords: [] } } })).toThrow(/analysts\.epi\.passwords must be a non-empty list/);
    expect(() => new AccessPolicy({ analysts: { 'bad name': { passwords: [hash] } } })).toThrow(/analysts\.bad name: a name must be/);
  });

  it('hashes with a salt and verifies only the right password', async () => {
    const one = await hashPassword('correct horse battery');
    const two = await hashPassword('correct horse battery');
    expect(one).toMatch(/^scrypt:16384:8:1:/);
    expect(one).not.toBe(two);
    expect(one).not.toContain('correct');
    expect(await verifyPassword('correct horse battery', one)).toBe(true);
    expect(await verifyPassword('correct horse batterx', one)).toBe(false);
    expect(await verifyPassword('correct horse battery', 'sha256:abc')).toBe(false);
  });
});

describe('reading an HTTP request the way ClickHouse does', () => {
  const read = (search: string, headers: Record<string, string> = {}) => readRequestOptions(new URLSearchParams(search), headers);

  it('takes database, default_format, parameters and harmless settings; ignores HTTP-layer parameters', () => {
    const options = read('database=truc&default_format=JSONEachRow&param_code=01&query_id=q1&wait_end_of_query=1&enable_http_compression=1&readonly=1&output_format_json_quote_64bit_integers=0');
    expect(options).toEqual({
      database: 'truc',
      defaultFormat: 'JSONEachRow',
      settings: { output_format_json_quote_64bit_integers: '0' },
      params: { code: '01' },
      compressResponse: true,
      nativeBlocks: { compressResponse: false, decompressRequest: false, verifyChecksums: true },
    });
    expect(read('compress=1&decompress=1&http_native_compression_disable_checksumming_on_decompress=1').nativeBlocks).toEqual({
      compressResponse: true,
      decompressRequest: true,
      verifyChecksums: false,
    });
    expect(read('', { 'x-clickhouse-database': 'system', 'x-clickhouse-format': 'CSV' })).toMatchObject({ database: 'system', defaultFormat: 'CSV' });
    expect(read('').defaultFormat).toBe('TabSeparated');
  });

  it('refuses other settings and any readonly but 1 as a server refuses a readonly user', () => {
    expect(() => read('readonly=0')).toThrow(/Cannot modify 'readonly' setting in readonly mode/);
    expect(() => read('readonly=2')).toThrow(/readonly/);
    expect(() => read('max_memory_usage=1')).toThrow(/Cannot modify 'max_memory_usage'/);
    expect(() => read("date_time_output_format=x'y")).toThrow(/Invalid value/);
    expect(() => read('database=a%3Bb')).toThrow(/not a plain identifier/);
    expect(() => read('default_format=JSON%20x')).toThrow(/Invalid format name/);
  });

  it('reads basic auth, X-ClickHouse-User/Key and user/password parameters', () => {
    const basic = `Basic ${Buffer.from('analyst:p:w').toString('base64')}`;
    expect(readCredentials(new URLSearchParams(), { authorization: basic })).toEqual({ user: 'analyst', password: 'p:w' });
    expect(readCredentials(new URLSearchParams(), { 'x-clickhouse-user': 'a', 'x-clickhouse-key': 'k' })).toEqual({ user: 'a', password: 'k' });
    expect(readCredentials(new URLSearchParams('user=a&password=k'), {})).toEqual({ user: 'a', password: 'k' });
    expect(readCredentials(new URLSearchParams(), {})).toBeNull();
  });

  it('gives each format the Content-Type a server gives it', () => {
    expect(contentTypeFor('TabSeparatedWithNames')).toBe('text/tab-separated-values; charset=UTF-8');
    expect(contentTypeFor('CSVWithNames')).toBe('text/csv; charset=UTF-8; header=present');
    expect(contentTypeFor('JSONEachRow')).toBe('application/json; charset=UTF-8');
    expect(contentTypeFor('PrettyCompact')).toBe('text/plain; charset=UTF-8');
    expect(contentTypeFor('Parquet')).toBe('application/octet-stream');
  });
});

describe('ClickHouse errors', () => {
  it('reads the engine\'s text and maps the name to the server\'s HTTP status', () => {
    const info = parseEngineError(new Error('Code: 60. DB::Exception: Unknown table expression identifier \'x\' in scope SELECT * FROM x. (UNKNOWN_TABLE)'));
    expect(info).toEqual({ code: 60, name: 'UNKNOWN_TABLE', message: "Unknown table expression identifier 'x' in scope SELECT * FROM x" });
    expect(formatErrorText(info, '26.7.2.1')).toBe(
      "Code: 60. DB::Exception: Unknown table expression identifier 'x' in scope SELECT * FROM x. (UNKNOWN_TABLE) (version 26.7.2.1)\n",
    );
    expect(httpStatusFor('UNKNOWN_TABLE')).toBe(404);
    expect(httpStatusFor('SYNTAX_ERROR')).toBe(400);
    expect(httpStatusFor('AUTHENTICATION_FAILED')).toBe(403);
    expect(httpStatusFor('REQUIRED_PASSWORD')).toBe(401);
    expect(httpStatusFor('READONLY')).toBe(403);
    expect(httpStatusFor('TIMEOUT_EXCEEDED')).toBe(408);
    expect(httpStatusFor('MEMORY_LIMIT_EXCEEDED')).toBe(500);
    expect(parseEngineError(new Error('something else'))).toMatchObject({ name: 'UNKNOWN_EXCEPTION', message: 'something else' });
  });
});

describe('truc sql output', () => {
  it('aligns columns, numbers to the right, and keeps each row on one line', () => {
    const table = renderTable({
      meta: [{ name: 'province', type: 'String' }, { name: 'n', type: 'UInt64' }, { name: 'note', type: 'Nullable(String)' }],
      data: [['Hà Nội', '1200', 'a\nb'], ['Đà Nẵng', '7', null]],
    });
    expect(table).toBe(['province     n  note', '────────  ────  ────', 'Hà Nội    1200  a\\nb', 'Đà Nẵng      7  NULL', ''].join('\n'));
    expect(renderFooter({ rows: 1, elapsedSeconds: 0.0123, rowsRead: 12345 })).toBe('1 row in set. Elapsed: 0.012 sec. Rows read: 12,345.\n');
  });
});
