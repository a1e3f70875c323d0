import { describe, expect, it } from 'vitest';
import { formatErrorText, httpStatusFor, parseEngineError } from '../../services/clickhouse-endpoint/clickhouse-errors.ts';
import { contentTypeFor, readCredentials, readRequestOptions } from '../../services/clickhouse-endpoint/request-options.ts';
import { analyseStatement, clientRefusal, readOnlyRefusal } from '../../services/clickhouse-endpoint/sql-statement.ts';
import { renderFooter, renderTable } from '../../services/cli/sql-output.ts';

describe('reading an analyst\'s statement', () => {
  it('finds the first keyword past comments, and parenthesised queries read', () => {
    expect(analyseStatement('  -- why\n/* multi\nline */ select 1').keyword).toBe('SELECT');
    expect(analyseStatement('# note\nINSERT INTO t VALUES (1)').keyword).toBe('INSERT');
    expect(analyseStatement('(SELECT 1) UNION ALL (SELECT 2)').keyword).toBe('SELECT');
    expect(analyseStatement('  -- only a comment').empty).toBe(true);
  });

  it('sees several statements only outside literals, identifiers, heredocs and comments; one trailing ; is fine', () => {
    expect(analyseStatement('SELECT 1;').multiStatement).toBe(false);
    expect(analyseStatement('SELECT 1; -- done\n').multiStatement).toBe(false);
    expect(analyseStatement("SELECT 'a;b', \"c;d\", `e;f`, $$g;h$$ -- i;j").multiStatement).toBe(false);
    expect(analyseStatement("SELECT 'it''s; \\' ;' ; DROP TABLE t").multiStatement).toBe(true);
    expect(analyseStatement('SELECT 1; DROP TABLE t').multiStatement).toBe(true);
  });

  it('reads a FORMAT clause only at the end of the statement', () => {
    expect(analyseStatement('SELECT 1 FORMAT JSONEachRow').format).toBe('JSONEachRow');
    expect(analyseStatement('SELECT 1 FORMAT CSV SETTINGS max_threads = 1;').format).toBe('CSV');
    expect(analyseStatement('SELECT format FROM t').format).toBeNull();
    expect(analyseStatement("SELECT format('{}', x) FROM t").format).toBeNull();
    expect(analyseStatement("SELECT 'FORMAT JSON'").format).toBeNull();
    expect(analyseStatement('SELECT (SELECT 1 FORMAT TSV)').format).toBeNull();
  });

  it('refuses writes, INTO OUTFILE and several statements; reads pass', () => {
    for (const sql of ['SELECT 1', 'WITH 1 AS x SELECT x', 'SHOW TABLES', 'DESCRIBE t', 'DESC t', 'EXISTS t', 'EXPLAIN SELECT 1']) {
      expect(readOnlyRefusal(analyseStatement(sql)), sql).toBeNull();
    }
    expect(readOnlyRefusal(analyseStatement('drop table t'))).toMatch(/^DROP statements are not allowed/);
    expect(readOnlyRefusal(analyseStatement("SELECT 1 INTO OUTFILE '/tmp/x'"))).toMatch(/INTO OUTFILE/);
    expect(readOnlyRefusal(analyseStatement("SELECT 'INTO OUTFILE'"))).toBeNull();
    expect(readOnlyRefusal(analyseStatement('USE other'))).toMatch(/^USE statements/);
  });

  it('leaves an unknown first word to the engine on the client side (it may be an implicit SELECT)', () => {
    expect(clientRefusal(analyseStatement('province FROM t'))).toBeNull();
    expect(clientRefusal(analyseStatement('INSERT INTO t VALUES (1)'))).toMatch(/INSERT/);
    expect(clientRefusal(analyseStatement('SELECT 1; SELECT 2'))).toMatch(/one statement/);
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
