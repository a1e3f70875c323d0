/**
 * Throughput over the last hour for the operator console's charts: per stage, the mean records/s
 * of each step (10 s by default), kept in a fixed-size ring so memory stays flat however long
 * Truc runs.
 */
export interface ThroughputSample {
  /** End of the step (ISO time). */
  at: string;
  /** Records/s per stage over the step. */
  rates: Record<string, number>;
}

export interface ThroughputHistoryOptions {
  stepMs?: number;
  spanMs?: number;
}

export class ThroughputHistory {
  readonly stepMs: number;
  private readonly capacity: number;
  private readonly ring: ThroughputSample[] = [];
  private start = 0;
  private stepStart: { atMs: number; totals: Record<string, number> } | null = null;

  constructor(options: ThroughputHistoryOptions = {}) {
    this.stepMs = options.stepMs ?? 10_000;
    this.capacity = Math.max(1, Math.ceil((options.spanMs ?? 3_600_000) / this.stepMs));
  }

  /** Notes the stages' running totals at `atMs` (epoch ms); closes a step once it is `stepMs` long. */
  observe(atMs: number, totals: Record<string, number>): void {
    if (!this.stepStart) {
      this.stepStart = { atMs, totals: { ...totals } };
      return;
    }
    const elapsed = atMs - this.stepStart.atMs;
    if (elapsed < this.stepMs) return;
    const rates: Record<string, number> = {};
    for (const [stage, total] of Object.entries(totals)) {
      // A total that went down (a restarted counter) counts from zero rather than as a negative rate.
      const before = this.stepStart.totals[stage] ?? 0;
      rates[stage] = ((total >= before ? total - before : total) * 1000) / elapsed;
    }
    this.push({ at: new Date(atMs).toISOString(), rates });
    this.stepStart = { atMs, totals: { ...totals } };
  }

  private push(sample: ThroughputSample): void {
    if (this.ring.length < this.capacity) {
      this.ring.push(sample);
      return;
    }
    this.ring[this.start] = sample;
    this.start = (this.start + 1) % this.capacity;
  }

  /** The steps kept, oldest first. */
  samples(): ThroughputSample[] {
    return [...this.ring.slice(this.start), ...this.ring.slice(0, this.start)];
  }
}
