/**
 * Query slots shared fairly between analysts: at most `total` queries run at once, and at most
 * `perAnalyst` of them for one analyst. A freed slot goes to the waiting analyst with the fewest
 * running queries (the longest-waiting first among equals), so one analyst's queue never holds back
 * another analyst's first query for longer than a running query takes.
 */
interface Waiter {
  analyst: string;
  since: number;
  wake: () => void;
}

export class FairSlots {
  private readonly total: number;
  private readonly perAnalyst: number;
  private readonly running = new Map<string, number>();
  private readonly waiting: Waiter[] = [];
  private busy = 0;
  private sequence = 0;

  constructor(total: number, perAnalyst: number) {
    this.total = total;
    this.perAnalyst = Math.min(perAnalyst, total);
  }

  /** Waits for a slot; call the returned function once the query is done. */
  async acquire(analyst: string): Promise<() => void> {
    if (!this.canRun(analyst) || this.waiting.length > 0) {
      await new Promise<void>((wake) => {
        this.waiting.push({ analyst, since: this.sequence++, wake });
        this.dispatch();
      });
    } else {
      this.start(analyst);
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.busy -= 1;
      const left = (this.running.get(analyst) ?? 1) - 1;
      if (left === 0) this.running.delete(analyst);
      else this.running.set(analyst, left);
      this.dispatch();
    };
  }

  private canRun(analyst: string): boolean {
    return this.busy < this.total && (this.running.get(analyst) ?? 0) < this.perAnalyst;
  }

  private start(analyst: string): void {
    this.busy += 1;
    this.running.set(analyst, (this.running.get(analyst) ?? 0) + 1);
  }

  private dispatch(): void {
    while (this.busy < this.total) {
      let next: Waiter | undefined;
      for (const waiter of this.waiting) {
        if (!this.canRun(waiter.analyst)) continue;
        const load = this.running.get(waiter.analyst) ?? 0;
        const best = next === undefined ? Infinity : (this.running.get(next.analyst) ?? 0);
        if (load < best || (load === best && waiter.since < next!.since)) next = waiter;
      }
      if (next === undefined) return;
      this.waiting.splice(this.waiting.indexOf(next), 1);
      this.start(next.analyst);
      next.wake();
    }
  }
}
