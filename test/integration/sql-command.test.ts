/**
 * `truc sql` as an analyst runs it: through the running process's endpoint while that process owns
 * the embedded folder, on the folder itself once it has stopped, and never writing.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../services/platform/config.ts';
import { ATTACKS, outfileTarget } from '../support/analyst-attacks.ts';
import { ANALYST_ROWS, ANALYST_TABLE } from '../support/analyst-table.ts';
import { killAll, startConnectorProcess, type ConnectorProcess } from '../support/connector-process.ts';
import { freePort } from '../support/ports.ts';

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function truc(args: string[], env: Record<string, string>): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'services/cli/truc.ts'), ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const QUERY = `SELECT province_code, province, declarations FROM ${ANALYST_TABLE} ORDER BY province_code`;

/** Every escape class fails (exit 1, ClickHouse's refusal on stderr, nothing on stdout) and writes no file. */
async function expectAttacksRefused(env: Record<string, string>, root: string): Promise<void> {
  const secretFile = path.join(root, 'person-key.secret');
  writeFileSync(secretFile, 'the-person-key-secret-never-to-be-read\n', { mode: 0o600 });
  const outfile = outfileTarget(root);
  // The full list runs over HTTP in clickhouse-endpoint-confinement.test.ts; here one of each class.
  for (const attack of ATTACKS({ secretFile, outfile, table: ANALYST_TABLE }).filter((each) => each.everyClass)) {
    const run = await truc(['sql', attack.sql], env);
    expect(run.code, attack.sql).toBe(1);
    expect(run.stderr, attack.sql).toMatch(new RegExp(`^truc sql: ClickHouse error \\d+ \\(${attack.name}\\)`));
    expect(run.stderr, attack.sql).toMatch(attack.message);
    expect(run.stdout, attack.sql).toBe('');
  }
  expect(existsSync(outfile)).toBe(false);
}

describe('truc sql', () => {
  // Outside the workers' shared test folder, which a concurrent run's teardown removes as a whole.
  const dataDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'truc-sql-')), 'clickhouse');
  let env: Record<string, string>;
  let owner: ConnectorProcess;

  beforeAll(async () => {
    env = {
      CLICKHOUSE_DATA_DIR: dataDir,
      CLICKHOUSE_DATABASE: 'truc',
      CLICKHOUSE_ENDPOINT_HOST: '127.0.0.1',
      CLICKHOUSE_ENDPOINT_PORT: String(await freePort()),
      CLICKHOUSE_ANALYST_PASSWORD: `pw-${randomUUID()}`,
      LOG_LEVEL: 'debug',
    };
    owner = startConnectorProcess(env, 'test/support/clickhouse-endpoint-process.ts');
    await owner.waitForLog((line) => line.msg === 'clickhouse endpoint: serving the embedded engine read-only', 60_000);
  });
  afterAll(async () => {
    await killAll();
    rmSync(path.dirname(dataDir), { recursive: true, force: true });
  });

  it('answers through the running process\'s endpoint with an aligned table, query time and rows read', async () => {
    const run = await truc(['sql', QUERY], env);
    expect(run.stderr).toMatch(/^3 rows in set\. Elapsed: \d+\.\d{3} sec\. Rows read: 3\.\n$/);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^province_code\s+province\s+declarations$/);
    expect(lines.slice(2).map((line) => line.split(/\s{2,}/))).toEqual(ANALYST_ROWS.map((row) => [row.province_code, row.province, String(row.declarations)]));
    // Numbers are right-aligned in their column.
    expect(lines[2]!.endsWith(' 1200')).toBe(true);
    await owner.waitForLog((line) => line.msg === 'clickhouse endpoint: query answered' && line.statement === 'SELECT', 10_000);
  });

  it('refuses INSERT and DROP with a clear message and a non-zero exit code', async () => {
    // The endpoint's check refuses them (truc sql no longer reads the text itself): same check on both paths.
    for (const sql of [`INSERT INTO ${ANALYST_TABLE} SELECT * FROM ${ANALYST_TABLE}`, `DROP TABLE ${ANALYST_TABLE}`]) {
      const run = await truc(['sql', sql], env);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^truc sql: ClickHouse error 164 \(READONLY\): .*(INSERT|DROP) statements are not allowed: the analysts' access is read-only/);
      expect(run.stdout).toBe('');
    }
    const file = await truc(['sql', "SELECT * FROM file('/etc/hostname', 'LineAsString')"], env);
    expect(file.code).toBe(1);
    expect(file.stderr).toMatch(/^truc sql: ClickHouse error 497 \(ACCESS_DENIED\): .*function file is not allowed for analysts/);
    const count = await truc(['sql', '--format', 'csv', `SELECT count() AS n FROM ${ANALYST_TABLE}`], env);
    expect(count.stdout).toBe(`"n"\n${ANALYST_ROWS.length}\n`);
  });

  it('refuses every escape class through the endpoint', async () => {
    await expectAttacksRefused(env, path.dirname(dataDir));
    await owner.waitForLog((line) => line.msg === 'clickhouse endpoint: query refused or failed' && line.error === 'ACCESS_DENIED', 10_000);
  }, 120_000);

  it('explains, rather than crashes, when another process holds the folder and no endpoint answers', async () => {
    const run = await truc(['sql', QUERY], { ...env, CLICKHOUSE_ENDPOINT_PORT: String(await freePort()) });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/is held by another process, and no analysts' endpoint answers at http:\/\/127\.0\.0\.1:\d+/);
  });

  it('opens the folder itself once the pipeline has stopped (csv and json output too)', async () => {
    owner.child.kill('SIGTERM');
    expect(await owner.exited).toBe(0);

    const table = await truc(['sql', QUERY], env);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('Hồ Chí Minh');
    expect(table.stderr).toMatch(/3 rows in set\..*Rows read: 3\./);

    const csv = await truc(['sql', '--format', 'csv', QUERY], env);
    expect(csv.stdout).toBe(`"province_code","province","declarations"\n${ANALYST_ROWS.map((row) => `"${row.province_code}","${row.province}",${row.declarations}`).join('\n')}\n`);

    const json = await truc(['sql', '-f', 'json', `SELECT province, symptomatic FROM ${ANALYST_TABLE} WHERE province_code = '48'`], env);
    expect(json.stdout.trim().split('\n').map((line) => JSON.parse(line) as unknown)).toEqual([{ province: 'Đà Nẵng', symptomatic: 7 }]);

    // The engine opened here runs the same check as the endpoint.
    const file = await truc(['sql', "SELECT * FROM file('/etc/hostname', 'LineAsString')"], env);
    expect(file.code).toBe(1);
    expect(file.stderr).toMatch(/^truc sql: ClickHouse error 497 \(ACCESS_DENIED\): function file is not allowed for analysts/);
    await expectAttacksRefused(env, path.dirname(dataDir));
    const own = await truc(['sql', `SELECT province FROM ${ANALYST_TABLE} WHERE province_code = '48' FORMAT JSONEachRow`], env);
    expect(own.stdout).toBe('{"province":"Đà Nẵng"}\n');
  }, 180_000);
});
