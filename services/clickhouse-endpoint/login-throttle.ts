/**
 * Slows password guessing: after `freeFailures` failed logins for one user name, or from one client
 * address, further attempts for it are refused (429, with Retry-After) for a delay that doubles
 * with each further failure, up to `maxDelayMs`. A success clears its user's record only (a valid
 * login must not reset the guessing of another name from the same address); records older than the
 * longest delay are forgotten.
 */
export interface ThrottleOptions {
  freeFailures: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

interface FailureRecord {
  failures: number;
  /** No attempt is checked before this time. */
  blockedUntil: number;
  lastFailure: number;
}

export class LoginThrottle {
  private readonly options: ThrottleOptions;
  private readonly records = new Map<string, FailureRecord>();

  constructor(options: ThrottleOptions) {
    this.options = options;
  }

  /** Milliseconds the caller must still wait before a login for `user` from `address` is checked; 0 when it may try. */
  waitMs(user: string, address: string, now = Date.now()): number {
    this.forgetOld(now);
    return Math.max(0, ...this.keys(user, address).map((key) => (this.records.get(key)?.blockedUntil ?? 0) - now));
  }

  failed(user: string, address: string, now = Date.now()): void {
    for (const key of this.keys(user, address)) {
      const record = this.records.get(key) ?? { failures: 0, blockedUntil: 0, lastFailure: now };
      record.failures += 1;
      record.lastFailure = now;
      const over = record.failures - this.options.freeFailures;
      if (over > 0) record.blockedUntil = now + Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** (over - 1));
      this.records.set(key, record);
    }
  }

  succeeded(user: string): void {
    this.records.delete(`user\u0000${user}`);
  }

  private keys(user: string, address: string): string[] {
    return [`user\u0000${user}`, `address\u0000${address}`];
  }

  private forgetOld(now: number): void {
    if (this.records.size < 1_000) return;
    for (const [key, record] of this.records) {
      if (now - record.lastFailure > this.options.maxDelayMs) this.records.delete(key);
    }
  }
}
