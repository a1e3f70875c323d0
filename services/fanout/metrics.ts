/**
 * The fan-out's figures for Prometheus (`/metrics`), per subscription and channel: events delivered
 * (acknowledged by the webhook receiver, or committed to the agency topic), retries, dead letters.
 * Each fan-out instance counts what it delivered itself, so instances' shares add up to the whole.
 */
import { Counter, Registry } from 'prom-client';

export type FanoutChannel = 'webhook' | 'topic';

export class FanoutMetrics {
  readonly registry: Registry;
  readonly delivered: Counter<'subscription' | 'channel'>;
  readonly retries: Counter<'subscription' | 'channel'>;
  readonly deadLettered: Counter<'subscription' | 'channel'>;

  constructor(registry = new Registry()) {
    this.registry = registry;
    const registers = [registry];
    const labelNames = ['subscription', 'channel'] as const;
    this.delivered = new Counter({ name: 'truc_fanout_events_delivered_total', help: 'Events delivered by this instance.', labelNames, registers });
    this.retries = new Counter({ name: 'truc_fanout_retries_total', help: 'Failed webhook attempts retried.', labelNames, registers });
    this.deadLettered = new Counter({ name: 'truc_fanout_events_dead_lettered_total', help: 'Events dead-lettered after the retry budget.', labelNames, registers });
  }
}
