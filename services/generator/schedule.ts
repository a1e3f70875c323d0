/**
 * Which (source, kind) each item is: exact counts per pair, interleaved evenly (smooth weighted
 * round robin), so every prefix of the stream has about the configured mix and the totals are exact.
 */

export class PairSchedule {
  private readonly counts: readonly number[];
  private readonly total: number;
  private readonly current: number[];

  constructor(counts: readonly number[]) {
    this.counts = counts;
    this.total = counts.reduce((sum, count) => sum + count, 0);
    this.current = counts.map(() => 0);
  }

  /** The index of the next item's pair. After `total` calls each index came up exactly its count. */
  next(): number {
    let best = -1;
    for (let i = 0; i < this.counts.length; i++) {
      this.current[i]! += this.counts[i]!;
      if (this.counts[i]! > 0 && (best < 0 || this.current[i]! > this.current[best]!)) best = i;
    }
    this.current[best]! -= this.total;
    return best;
  }
}

/** Splits `total` by `weights` into whole counts summing to it exactly (largest remainders get the rest). */
export function apportion(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((weight) => (total * weight) / sum);
  const counts = exact.map(Math.floor);
  let left = total - counts.reduce((a, b) => a + b, 0);
  const byRemainder = exact.map((value, i) => [value - Math.floor(value), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of byRemainder) {
    if (left === 0) break;
    counts[i]! += 1;
    left -= 1;
  }
  return counts;
}
