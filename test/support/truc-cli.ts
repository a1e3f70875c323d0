/** Runs the `truc` command line in a process of its own, as an operator would. */
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from '../../services/platform/config.ts';

export interface TrucResult {
  stdout: string;
  stderr: string;
  status: number | null;
}

const TRUC_ARGS = ['--disable-warning=TimeoutNegativeWarning', path.join(REPO_ROOT, 'services/cli/truc.ts')];

/** `input` is what truc reads on stdin (nothing when left out). */
export function runTruc(args: readonly string[], env: NodeJS.ProcessEnv = process.env, input = ''): TrucResult {
  const result = spawnSync(process.execPath, [...TRUC_ARGS, ...args], {
    encoding: 'utf8',
    input,
    timeout: 60_000,
    env,
  });
  return { stdout: result.stdout, stderr: result.stderr, status: result.status };
}

/** Like runTruc, for commands expected to succeed: a failure throws with what truc printed. */
export function truc(args: readonly string[]): TrucResult {
  const result = runTruc(args);
  if (result.status !== 0) throw new Error(`truc ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return result;
}

/** Like runTruc without blocking this process: for commands that ask a server running in it (the API of a test). */
export function runTrucAsync(args: readonly string[], env: NodeJS.ProcessEnv = process.env, input = ''): Promise<TrucResult> {
  const child = spawn(process.execPath, [...TRUC_ARGS, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'], timeout: 60_000 });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin.end(input);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => resolve({ stdout, stderr, status }));
  });
}
