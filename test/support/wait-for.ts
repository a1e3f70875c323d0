/** Waits until `condition` holds, checking every 25 ms; fails naming `what` after `timeoutMs`. */
import { setTimeout as sleep } from 'node:timers/promises';

export async function waitFor(condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}
