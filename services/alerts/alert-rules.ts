/**
 * The alert conditions, judged on one set of pipeline readings: a subscription failing or
 * dead-lettering, a stage's dead letters above a count within a window, lag above a threshold, a
 * stage down, ClickHouse refusing inserts. A condition only says whether it holds now; how long it
 * must hold before an alert fires, and stay clear before it resolves, is alert-state.ts's job.
 */
import type { PipelineReadings } from './pipeline-readings.ts';

export type Severity = 'warning' | 'critical';

export interface Condition {
  /** Stable across evaluations: one alert per key at a time. */
  key: string;
  what: string;
  where: string;
  severity: Severity;
  active: boolean;
  /** Figures that explain it (counts, states, error classes); never record contents. */
  values: Record<string, number | string | boolean | null>;
}

export interface AlertThresholds {
  lagRecords: number;
  deadLetters: number;
  deadLetterWindowMs: number;
}

interface Sample {
  at: number;
  total: number;
}

export class AlertRules {
  private readonly thresholds: AlertThresholds;
  /** Dead-letter totals per place over the window, oldest first (the first is the window's baseline). */
  private readonly deadLetterSamples = new Map<string, Sample[]>();
  /** Each subscription's dead letters at the previous evaluation: any growth means it is dead-lettering. */
  private readonly subscriptionDeadLetters = new Map<string, number>();

  constructor(thresholds: AlertThresholds) {
    this.thresholds = thresholds;
  }

  /** Dead letters added at `where` within the window ending `now`, from cumulative totals. */
  private deadLettersInWindow(where: string, total: number, now: number): number {
    const samples = this.deadLetterSamples.get(where) ?? [];
    // A smaller total means the counter started over (a restart): the history no longer applies.
    if (samples.length > 0 && total < samples[samples.length - 1]!.total) samples.length = 0;
    samples.push({ at: now, total });
    const windowStart = now - this.thresholds.deadLetterWindowMs;
    // Keep the newest sample from before the window as its baseline.
    while (samples.length > 1 && samples[1]!.at <= windowStart) samples.shift();
    this.deadLetterSamples.set(where, samples);
    return total - samples[0]!.total;
  }

  evaluate(readings: PipelineReadings, now: number): Condition[] {
    const { lagRecords, deadLetters, deadLetterWindowMs } = this.thresholds;
    const conditions: Condition[] = [];
    const lag = (where: string, records: number) =>
      conditions.push({ key: `lag:${where}`, what: 'lag above threshold', where, severity: 'warning', active: records > lagRecords, values: { lag: records, threshold: lagRecords } });

    for (const subscription of readings.subscriptions) {
      const where = `subscription ${subscription.id}`;
      const before = this.subscriptionDeadLetters.get(subscription.id) ?? subscription.deadLetters;
      this.subscriptionDeadLetters.set(subscription.id, subscription.deadLetters);
      const deadLettering = subscription.deadLetters > before;
      conditions.push({
        key: `subscription-failing:${subscription.id}`,
        what: 'subscription failing',
        where,
        severity: 'critical',
        active: subscription.state === 'retrying' || subscription.state === 'failing' || deadLettering,
        values: { state: subscription.state, deadLetters: subscription.deadLetters, lastError: subscription.lastError },
      });
      lag(where, subscription.lag);
    }
    for (const { where, records } of readings.lags) lag(where, records);
    for (const { where, total } of readings.deadLetters) {
      const recent = this.deadLettersInWindow(where, total, now);
      conditions.push({
        key: `dead-letters:${where}`,
        what: 'dead letters above threshold',
        where,
        severity: 'warning',
        active: recent > deadLetters,
        values: { deadLetters: recent, windowMs: deadLetterWindowMs, threshold: deadLetters },
      });
    }
    for (const stage of readings.stages) {
      conditions.push({ key: `stage-down:${stage.where}`, what: 'stage down', where: stage.where, severity: 'critical', active: !stage.up, values: { state: stage.state } });
    }
    if (readings.clickhouse) {
      const { failing, error, lag: sinkLag } = readings.clickhouse;
      conditions.push({
        key: 'clickhouse-refusing:clickhouse sink',
        what: 'ClickHouse refusing inserts',
        where: 'clickhouse sink',
        severity: 'critical',
        active: failing,
        values: { error, lag: sinkLag },
      });
    }
    return conditions;
  }
}
