/**
 * A token bucket per source: `ratePerSecond` records a second sustained, bursts up to `burst`.
 */
export class RateLimiter {
  private readonly ratePerSecond: number;
  private readonly burst: number;
  private readonly buckets = new Map<string, { tokens: number; updatedAt: number }>();
  private readonly now: () => number;

  constructor(ratePerSecond: number, burst: number, now: () => number = () => performance.now()) {
    this.ratePerSecond = ratePerSecond;
    this.burst = burst;
    this.now = now;
  }

  /** Takes `count` tokens and returns 0, or takes none and returns the seconds to wait. */
  take(key: string, count: number): number {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, updatedAt: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.updatedAt) / 1000) * this.ratePerSecond);
    bucket.updatedAt = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= count) {
      bucket.tokens -= count;
      return 0;
    }
    return Math.max(1, Math.ceil((count - bucket.tokens) / this.ratePerSecond));
  }
}
