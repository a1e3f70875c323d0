/**
 * A newcomer's first minutes: a fresh clone of this repository, the commands of README's first code
 * block run as written with the machine's own node first on PATH (Node 20 here; the project brings
 * Node 24 itself), the pipeline started through `npm start` until it says "running" and records are
 * in ClickHouse, then Ctrl-C. The commands come from README, so README and this test cannot drift.
 *
 * Assumptions: the machine's node is /usr/bin/node (Debian's; v20 on our machines) with its npm
 * beside it, and a JDK and Maven are on PATH (README's first lines). The clone's stack listens on
 * ports of its own, given through the environment as README's "Configuration" allows, so it runs
 * beside the test run's stack; npm installs from its local cache when it can (prefer-offline).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../services/platform/config.ts';
import { freePort } from '../support/ports.ts';
import { metricSum } from '../support/prometheus-text.ts';

const MACHINE_NODE = '/usr/bin/node';
/** Generous: on a loaded 2-core machine npm install took 71 s and `npm start` 207 s to say "running". */
const TIMEOUT_MS = 15 * 60_000;

/** The commands of README's first code block, comments dropped, in order. */
function readmeFirstCommands(readme: string): string[] {
  const block = /```[a-z]*\n([\s\S]*?)```/.exec(readme);
  if (!block) throw new Error('README has no code block');
  return block[1]!
    .split('\n')
    .map((line) => line.replace(/\s#.*$/, '').trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/** A newcomer's shell: nothing of this test run's environment (stack, npm script, Node 24), the machine's node first. */
function newcomerEnv(ports: Record<string, string>): NodeJS.ProcessEnv {
  const keep = ['HOME', 'USER', 'LOGNAME', 'LANG', 'LC_ALL', 'TMPDIR', 'JAVA_HOME', 'MAVEN_HOME', 'M2_HOME', 'http_proxy', 'https_proxy', 'no_proxy', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY'];
  const env: NodeJS.ProcessEnv = {};
  for (const name of keep) if (process.env[name] !== undefined) env[name] = process.env[name];
  const inherited = (process.env.PATH ?? '').split(path.delimiter).filter((dir) => dir !== '' && !dir.includes('node_modules'));
  env.PATH = [path.dirname(MACHINE_NODE), ...inherited].join(path.delimiter);
  // npm reads its settings from npm_config_* variables too: prefer what its cache already holds.
  env.npm_config_prefer_offline = 'true';
  return { ...env, ...ports };
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resolves with the exit code (or signal) of a child. */
function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

async function waitFor<T>(what: string, check: () => Promise<T | null> | T | null, timeoutMs: number, output: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms; output so far:\n${output().slice(-4000)}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

describe('the newcomer path', () => {
  const clone = mkdtempSync(path.join(tmpdir(), 'truc-newcomer-'));
  let env: NodeJS.ProcessEnv = {};
  let start: ChildProcess | null = null;

  afterAll(() => {
    // A failed run must leave nothing behind: npm start's process group, then the clone's stack.
    if (start?.pid && start.exitCode === null && start.signalCode === null) {
      try {
        process.kill(-start.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    const ownNode = path.join(clone, 'node_modules/.bin/node');
    if (existsSync(ownNode) && existsSync(path.join(clone, '.truc/run'))) {
      spawnSync(ownNode, ['infra/stack/cli.ts', 'down'], { cwd: clone, env, stdio: 'ignore', timeout: 120_000 });
    }
    rmSync(clone, { recursive: true, force: true });
  });

  it(
    "runs README's first commands on a fresh clone with the machine's node: running, records in ClickHouse, Ctrl-C stops cleanly",
    async () => {
      const began = performance.now();
      const commands = readmeFirstCommands(readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8'));
      // The last command runs in the foreground until Ctrl-C; the ones before it set up.
      expect(commands.at(-1)).toBe('npm start');
      expect(commands.slice(0, -1)).toContain('npm install');

      // The committed state of this repository, as a newcomer gets it.
      const cloned = spawnSync('git', ['clone', '--quiet', REPO_ROOT, clone], { encoding: 'utf8' });
      expect(cloned.status, cloned.stderr).toBe(0);

      const ports = {
        API_PORT: String(await freePort()),
        KAFKA_BROKERS: `127.0.0.1:${await freePort()}`,
        KAFKA_CONTROLLER_PORT: String(await freePort()),
        KAFKA_AGENCY_PORT: String(await freePort()),
        SCHEMA_REGISTRY_URL: `http://127.0.0.1:${await freePort()}`,
        CLICKHOUSE_ENDPOINT_PORT: String(await freePort()),
        NORMALIZER_METRICS_PORT: String(await freePort()),
      };
      env = newcomerEnv(ports);

      // The newcomer's node is the machine's: where that is Node 20, the shell must say so.
      const machineVersion = spawnSync(MACHINE_NODE, ['--version'], { encoding: 'utf8' }).stdout.trim();
      const shellVersion = spawnSync('node', ['--version'], { cwd: clone, env, encoding: 'utf8' }).stdout.trim();
      expect(shellVersion).toBe(machineVersion);
      console.log(`newcomer path: machine node ${machineVersion}`);

      for (const command of commands.slice(0, -1)) {
        const t0 = performance.now();
        const result = spawnSync(command, { cwd: clone, env, shell: '/bin/bash', encoding: 'utf8', timeout: 5 * 60_000 });
        expect(result.status, `${command}:\n${result.stdout.slice(-2000)}\n${result.stderr.slice(-4000)}`).toBe(0);
        console.log(`newcomer path: ${command} took ${((performance.now() - t0) / 1000).toFixed(0)} s`);
      }

      // `npm start` in its own process group, as a terminal runs a foreground job.
      let output = '';
      start = spawn(commands.at(-1)!, { cwd: clone, env, shell: '/bin/bash', detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      start.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      start.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      const ended = exited(start);
      const startedAt = performance.now();
      const running = () => {
        if (output.includes('running')) return true;
        if (start!.exitCode !== null) throw new Error(`npm start exited ${start!.exitCode}:\n${output.slice(-4000)}`);
        return null;
      };
      await waitFor('"running"', running, 6 * 60_000, () => output);
      console.log(`newcomer path: "running" ${((performance.now() - startedAt) / 1000).toFixed(0)} s after npm start`);

      // Records in ClickHouse, asked as README shows: the analysts' endpoint with the local analyst's password.
      const password = readFileSync(path.join(clone, '.truc/clickhouse-analyst.secret'), 'utf8').trim();
      const authorization = `Basic ${Buffer.from(`analyst:${password}`).toString('base64')}`;
      const query = encodeURIComponent('SELECT sum(declarations) FROM declarations_daily');
      const rows = await waitFor(
        'records in ClickHouse',
        async () => {
          const response = await fetch(`http://127.0.0.1:${ports.CLICKHOUSE_ENDPOINT_PORT}/?query=${query}`, { headers: { authorization } }).catch(() => null);
          const n = response?.ok ? Number((await response.text()).trim()) : 0;
          return n > 0 ? n : null;
        },
        3 * 60_000,
        () => output,
      );
      expect(rows).toBeGreaterThan(0);
      console.log(`newcomer path: ${rows} health declarations in ClickHouse ${((performance.now() - startedAt) / 1000).toFixed(0)} s after npm start`);

      // One /metrics for the whole process: every stage's figures, ingest's and the sink's moving with the demo feed.
      const metrics = await (await fetch(`http://127.0.0.1:${ports.API_PORT}/metrics`)).text();
      expect(metricSum(metrics, 'truc_ingest_records_accepted_total')).toBeGreaterThan(0);
      expect(metricSum(metrics, 'truc_normalizer_records_out_total')).toBeGreaterThan(0);
      expect(metricSum(metrics, 'truc_clickhouse_sink_rows_written_total')).toBeGreaterThan(0);
      expect(metrics).toContain('# TYPE truc_fanout_events_delivered_total counter');

      const kafkaPid = Number(readFileSync(path.join(clone, '.truc/run/kafka.pid'), 'utf8').trim());
      expect(pidAlive(kafkaPid)).toBe(true);

      // Ctrl-C: SIGINT to the foreground process group.
      process.kill(-start.pid!, 'SIGINT');
      const { code, signal } = await ended;
      // npm reports a script that was interrupted the way a shell does, by ending on the same
      // signal (130 in a terminal); clean means Truc finished its own orderly stop first.
      expect(['exit 0', 'signal SIGINT']).toContain(signal ? `signal ${signal}` : `exit ${code}`);
      expect(output.trimEnd().split('\n').at(-1)).toMatch(/^stopped; data kept in /);
      expect(output).not.toMatch(/^truc: /m);
      // What npm start started is stopped: the broker it ran is gone.
      await waitFor('Kafka stopped', () => (pidAlive(kafkaPid) ? null : true), 60_000, () => output);
      console.log(`newcomer path: done in ${((performance.now() - began) / 1000).toFixed(0)} s`);
    },
    TIMEOUT_MS,
  );
});
