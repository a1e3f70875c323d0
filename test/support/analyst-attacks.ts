/**
 * The escapes an analyst might try (issue 12), shared by the endpoint's and `truc sql`'s tests:
 * each with the refusal expected (ClickHouse's error name and message). `search` adds URL parameters (HTTP only).
 */
import path from 'node:path';

export interface Attack {
  sql: string;
  search?: string;
  /** ClickHouse's error name and what the message must say. */
  name: 'ACCESS_DENIED' | 'READONLY' | 'SYNTAX_ERROR';
  message: RegExp;
  /**
   * One of each class, tried on every path (`truc sql` through the endpoint and on the folder);
   * each `truc sql` run starts a process, so the slower paths try these only.
   */
  everyClass?: true;
}

/** Where INTO OUTFILE attacks try to write; it must never exist afterwards. */
export const outfileTarget = (dir: string): string => path.join(dir, 'written-by-analyst.txt');

type Refusal = Pick<Attack, 'name' | 'message'>;
const denied = (name: string): Refusal => ({ name: 'ACCESS_DENIED', message: new RegExp(`function ${name} is not allowed for analysts`) });
const readonly: Refusal = { name: 'READONLY', message: /Cannot (execute query|modify '\w+' setting) in readonly mode/ };
const table = (name: string): Refusal => ({ name: 'ACCESS_DENIED', message: new RegExp(`table ${name.replace('.', '\\.')} is not allowed for analysts`) });
const database: Refusal = { name: 'ACCESS_DENIED', message: /database system is not allowed for analysts/ };
const outfile: Refusal = { name: 'ACCESS_DENIED', message: /INTO OUTFILE is not allowed for analysts/ };
const multi: Refusal = { name: 'SYNTAX_ERROR', message: /Multi-statements are not allowed/ };

export function ATTACKS(context: { secretFile: string; outfile: string; table: string }): Attack[] {
  const { secretFile, table: own } = context;
  return [
    { sql: "SELECT file('/etc/passwd')", ...denied('file') },
    { sql: "SELECT lower(FILE('/etc/passwd'))", ...denied('FILE') },
    { sql: "SELECT file('/proc/self/environ')", ...denied('file') },
    { sql: `SELECT file('${secretFile}')`, ...denied('file'), everyClass: true },
    { sql: "SELECT * FROM file('/etc/passwd', 'LineAsString')", ...denied('file') },
    { sql: "SELECT * FROM url('http://127.0.0.1:9/', 'LineAsString')", ...denied('url'), everyClass: true },
    { sql: "SELECT * FROM s3('http://127.0.0.1:9/bucket/key', 'LineAsString')", ...denied('s3') },
    { sql: "SELECT * FROM remote('127.0.0.1:9000', system.one)", ...denied('remote') },
    { sql: "SELECT * FROM executable('id', 'LineAsString', 'line String')", ...denied('executable'), everyClass: true },
    { sql: "SELECT * FROM input('line String')", ...denied('input') },
    { sql: "SELECT * FROM merge('system', '^processes$')", ...denied('merge') },
    { sql: "SELECT dictGet('d', 'a', toUInt64(1))", ...denied('dictGet') },
    { sql: "SELECT getSetting(concat('read', 'only'))", ...denied('getSetting'), everyClass: true },
    { sql: "SELECT getSetting('log_comment')", ...denied('getSetting') },
    { sql: "SELECT getSettingOrDefault('readonly', 0)", ...denied('getSettingOrDefault') },
    { sql: "SELECT getServerSetting('path')", ...denied('getServerSetting') },
    { sql: `SELECT * FROM ${own} INTO OUTFILE '${context.outfile}'`, ...outfile },
    { sql: `SELECT 'x' AS $a$ INTO OUTFILE '${context.outfile}' FORMAT RawBLOB`, ...outfile, everyClass: true },
    { sql: "SELECT 1 AS $a$; SELECT 'second'", ...multi, everyClass: true },
    { sql: `SELECT 1; DROP TABLE ${own}`, ...multi },
    { sql: 'SELECT 1 SETTINGS readonly = 0', ...readonly },
    { sql: 'SELECT 1 SETTINGS max_result_bytes = 0, max_execution_time = 100000', ...readonly, everyClass: true },
    { sql: `INSERT INTO ${own} SELECT * FROM ${own}`, ...readonly, everyClass: true },
    { sql: 'CREATE TABLE stolen (x String) ENGINE = Memory', ...readonly },
    { sql: `ALTER TABLE ${own} DELETE WHERE 1`, ...readonly },
    { sql: 'SYSTEM DROP DNS CACHE', ...readonly },
    { sql: 'KILL QUERY WHERE 1', ...readonly, everyClass: true },
    { sql: 'USE system', ...readonly },
    { sql: 'SET readonly = 0', ...readonly },
    { sql: 'SELECT * FROM system.processes', ...table('system.processes'), everyClass: true },
    { sql: 'SELECT query FROM system.query_log', ...table('system.query_log') },
    { sql: 'SELECT name FROM default.secrets', ...table('default.secrets') },
    { sql: 'SELECT 1 WHERE 1 IN system.processes', ...table('system.processes') },
    { sql: 'SELECT * FROM {t:Identifier}', search: '?param_t=system.processes', ...table('system.processes') },
    { sql: 'SHOW TABLES FROM system', ...database },
    { sql: 'SHOW CREATE TABLE system.processes', ...database },
    { sql: 'SHOW PROCESSLIST', ...readonly },
  ];
}
