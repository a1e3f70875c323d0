/**
 * When an idle webhook subscription is owed a heartbeat: `intervalMs` after anything was last sent
 * to its receiver (a batch or a heartbeat), and while a batch is in flight not at all (that batch is
 * what the receiver hears next). Times are passed in, so the rule is tested without clocks.
 */
export class HeartbeatSchedule {
  private readonly intervalMs: number;
  private lastSentAt: number;
  private inFlight = 0;

  constructor(intervalMs: number, now: number) {
    this.intervalMs = intervalMs;
    this.lastSentAt = now;
  }

  /** A batch is being sent (until `finished`). */
  started(): void {
    this.inFlight++;
  }

  finished(now: number): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    this.lastSentAt = now;
  }

  /** A heartbeat went out (or was attempted: a receiver that is down hears again one interval later). */
  sent(now: number): void {
    this.lastSentAt = now;
  }

  /** Milliseconds until a heartbeat is due (0: due now); an interval while a batch is in flight. */
  dueIn(now: number): number {
    if (this.inFlight > 0) return this.intervalMs;
    return Math.max(0, this.lastSentAt + this.intervalMs - now);
  }
}
