/**
 * Exponential back-off with a cap: the wait before the next attempt after `failures` failures in a
 * row (1, 2, 4, ... times `initialMs`, at most `maxMs`).
 */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 250, maxMs: 30_000 };

export function backoffDelay(failures: number, policy: BackoffPolicy): number {
  // The exponent is capped too, so a long outage cannot overflow to Infinity.
  const exponent = Math.min(Math.max(failures - 1, 0), 30);
  return Math.min(policy.maxMs, policy.initialMs * 2 ** exponent);
}
