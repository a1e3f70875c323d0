/**
 * Background processes of the local stack: started detached with their output in a log file, and
 * remembered in a pid file so `down` stops only what `up` started.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, closeSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ManagedProcess {
  name: string;
  pidFile: string;
  logFile: string;
  /** A string that the process's command line must contain, so a recycled pid is never killed. */
  marker: string;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** The pid of our running process, or null (a stale pid file is removed). */
export function runningPid(proc: ManagedProcess): number | null {
  if (!existsSync(proc.pidFile)) return null;
  const pid = Number(readFileSync(proc.pidFile, 'utf8').trim());
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid) && commandLine(pid).includes(proc.marker)) return pid;
  rmSync(proc.pidFile, { force: true });
  return null;
}

export function startDetached(
  proc: ManagedProcess,
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): number {
  mkdirSync(path.dirname(proc.logFile), { recursive: true });
  mkdirSync(path.dirname(proc.pidFile), { recursive: true });
  const log = openSync(proc.logFile, 'a');
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  if (child.pid === undefined) throw new Error(`could not start ${proc.name} (${command})`);
  child.unref();
  writeFileSync(proc.pidFile, `${child.pid}\n`);
  return child.pid;
}

/** SIGTERM, then SIGKILL after the grace period; resolves once the process is gone. */
export async function stopProcess(proc: ManagedProcess, graceMs: number): Promise<boolean> {
  const pid = runningPid(proc);
  if (pid === null) return false;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(pid)) {
    process.kill(pid, 'SIGKILL');
    while (isAlive(pid)) await sleep(50);
  }
  rmSync(proc.pidFile, { force: true });
  return true;
}

/** Polls `check` until it resolves true; on timeout the error names the log to read. */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  options: { timeoutMs: number; logFile?: string; alive?: () => boolean },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  // The last refusal says why (a login refused is not a broker still starting).
  let lastError: string | null = null;
  while (Date.now() < deadline) {
    const ready = await check().catch((error: unknown) => {
      lastError = error instanceof Error ? error.message : String(error);
      return false;
    });
    if (ready) return;
    if (options.alive && !options.alive()) {
      throw new Error(`${what} exited during start-up${options.logFile ? `; see ${options.logFile}` : ''}`);
    }
    await sleep(250);
  }
  const why = lastError === null ? '' : ` (last answer: ${lastError})`;
  throw new Error(`${what} did not become ready within ${options.timeoutMs} ms${why}${options.logFile ? `; see ${options.logFile}` : ''}`);
}
