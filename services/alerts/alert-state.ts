/**
 * When a condition becomes an alert. Per key: a condition that holds is pending; once it has held
 * `forMs` the alert fires (one message); it resolves (one message) only after the condition has
 * been clear for `resolveAfterMs` — a condition that comes back meanwhile keeps the alert firing,
 * so a flapping condition sends neither a storm of messages nor a fire/resolve pair per flap. A
 * pending condition that clears before `forMs` sends nothing.
 */
import type { Condition, Severity } from './alert-rules.ts';

export type AlertPhase = 'firing' | 'resolved';

export interface AlertTransition {
  key: string;
  what: string;
  where: string;
  severity: Severity;
  state: AlertPhase;
  /** When the condition started to hold (ms since the epoch). */
  since: number;
  /** When this transition happened. */
  at: number;
  /** The latest figures (for a resolved alert, those it resolved with). */
  values: Condition['values'];
}

interface Tracked {
  condition: Condition;
  firing: boolean;
  since: number;
  /** Since when the condition has been clear; null while it holds. */
  clearSince: number | null;
}

export interface AlertTiming {
  forMs: number;
  resolveAfterMs: number;
}

export class AlertStates {
  private readonly timing: AlertTiming;
  private readonly tracked = new Map<string, Tracked>();

  constructor(timing: AlertTiming) {
    this.timing = timing;
  }

  /** The alerts firing now. */
  firing(): Condition[] {
    return [...this.tracked.values()].filter((entry) => entry.firing).map((entry) => entry.condition);
  }

  /** Takes one evaluation's conditions (a key left out counts as clear) and returns the alerts to send. */
  update(conditions: readonly Condition[], now: number): AlertTransition[] {
    const transitions: AlertTransition[] = [];
    const seen = new Set<string>();
    const emit = (entry: Tracked, state: AlertPhase) => {
      const { key, what, where, severity, values } = entry.condition;
      transitions.push({ key, what, where, severity, state, since: entry.since, at: now, values });
    };
    for (const condition of conditions) {
      seen.add(condition.key);
      const entry = this.tracked.get(condition.key);
      if (condition.active) {
        if (!entry) {
          const fresh: Tracked = { condition, firing: false, since: now, clearSince: null };
          this.tracked.set(condition.key, fresh);
          if (this.timing.forMs === 0) {
            fresh.firing = true;
            emit(fresh, 'firing');
          }
          continue;
        }
        entry.condition = condition;
        entry.clearSince = null;
        if (!entry.firing && now - entry.since >= this.timing.forMs) {
          entry.firing = true;
          emit(entry, 'firing');
        }
      } else if (entry) {
        entry.condition = condition;
        this.clear(entry, now, emit);
      }
    }
    for (const entry of [...this.tracked.values()]) {
      if (!seen.has(entry.condition.key)) this.clear(entry, now, emit);
    }
    return transitions;
  }

  private clear(entry: Tracked, now: number, emit: (entry: Tracked, state: AlertPhase) => void): void {
    if (!entry.firing) {
      this.tracked.delete(entry.condition.key);
      return;
    }
    entry.clearSince ??= now;
    if (now - entry.clearSince >= this.timing.resolveAfterMs) {
      this.tracked.delete(entry.condition.key);
      emit(entry, 'resolved');
    }
  }
}
