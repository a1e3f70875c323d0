/**
 * A subscription's delivery status as this instance sees it, written to the status topic when it
 * changed (at most every `intervalMs`), so the API and `truc status` can show it from any instance.
 */
import type { Logger } from '../platform/logger.ts';
import type { DeliveryState, DeliveryStatus } from '../subscriptions/delivery-status.ts';
import { emptyStatus } from '../subscriptions/delivery-status.ts';
import type { SubscriptionStore } from '../subscriptions/store.ts';

/** Error texts in the status are the delivery's own (status codes, network errors), never record contents. */
function describe(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 300);
}

export class StatusTracker {
  readonly status: DeliveryStatus;
  private readonly lagByPartition = new Map<string, number>();
  dirty = true;

  constructor(subscription: string, previous: DeliveryStatus | undefined) {
    // Counts carry on from the last status written, by this or an earlier instance.
    this.status = { ...emptyStatus(subscription), ...(previous ? { delivered: previous.delivered, retries: previous.retries, deadLetters: previous.deadLetters, lastSuccessAt: previous.lastSuccessAt, lastError: previous.lastError, lastSequence: previous.lastSequence ?? 0 } : {}) };
  }

  private touch(): void {
    this.status.updatedAt = new Date().toISOString();
    this.dirty = true;
  }

  setState(state: DeliveryState): void {
    if (this.status.state === state) return;
    this.status.state = state;
    this.touch();
  }

  /** The stored subscription may not be delivered (`reason`): failing, with the reason as its last error. */
  invalid(reason: string): boolean {
    if (this.status.state === 'failing' && this.status.lastError?.message === reason) return false;
    this.status.state = 'failing';
    this.status.lastError = { at: new Date().toISOString(), message: reason };
    this.touch();
    return true;
  }

  delivered(count: number): void {
    this.status.delivered += count;
    this.status.lastSuccessAt = new Date().toISOString();
    this.status.state = 'delivering';
    this.touch();
  }

  /** Numbering moved on: the last number given, and how many this instance gave since it started. */
  sequenced(last: number, sinceStart: number): void {
    if (this.status.lastSequence === last && this.status.eventsSinceStart === sinceStart) return;
    this.status.lastSequence = last;
    this.status.eventsSinceStart = sinceStart;
    this.touch();
  }

  retried(error: unknown): void {
    this.status.retries += 1;
    this.status.lastError = { at: new Date().toISOString(), message: describe(error) };
    if (this.status.state !== 'failing') this.status.state = 'retrying';
    this.touch();
  }

  deadLettered(count: number, error: unknown): void {
    this.status.deadLetters += count;
    this.status.lastError = { at: new Date().toISOString(), message: describe(error) };
    this.status.state = 'failing';
    this.touch();
  }

  /** Called twice per batch: the total moves by this partition's change rather than being summed again. */
  lag(topic: string, partition: number, lag: number): void {
    const name = `${topic}:${partition}`;
    const change = lag - (this.lagByPartition.get(name) ?? 0);
    this.lagByPartition.set(name, lag);
    if (change !== 0) {
      this.status.lag += change;
      this.touch();
    }
  }
}

export class StatusReporter {
  private readonly trackers = new Map<string, StatusTracker>();
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  private readonly store: SubscriptionStore;
  private readonly logger: Logger;

  constructor(store: SubscriptionStore, logger: Logger, intervalMs = 500) {
    this.store = store;
    this.logger = logger;
    this.timer = setInterval(() => void this.flush(), intervalMs);
  }

  tracker(subscription: string): StatusTracker {
    let tracker = this.trackers.get(subscription);
    if (!tracker) {
      tracker = new StatusTracker(subscription, this.store.status(subscription));
      this.trackers.set(subscription, tracker);
    }
    return tracker;
  }

  forget(subscription: string): void {
    this.trackers.delete(subscription);
  }

  all(): DeliveryStatus[] {
    return [...this.trackers.values()].map((tracker) => tracker.status);
  }

  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      for (const [id, tracker] of this.trackers) {
        if (!tracker.dirty || !this.store.get(id)) continue;
        tracker.dirty = false;
        await this.store.statuses.write(id, { ...tracker.status }).catch((error) => {
          tracker.dirty = true;
          this.logger.warn({ subscription: id, err: (error as Error).message }, 'could not write delivery status');
        });
      }
    });
    return this.flushing;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
