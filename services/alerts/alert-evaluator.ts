/**
 * Every `intervalMs`: read the pipeline, judge the conditions, and hand each alert that fired or
 * resolved to `onAlert`. One evaluation at a time; a reading that fails is logged and tried again
 * at the next tick (no alert changes on a missing reading).
 */
import type { Logger } from '../platform/logger.ts';
import type { AlertRules } from './alert-rules.ts';
import type { AlertStates, AlertTransition } from './alert-state.ts';
import type { PipelineReadings } from './pipeline-readings.ts';

export interface AlertEvaluatorOptions {
  read: () => Promise<PipelineReadings>;
  rules: AlertRules;
  states: AlertStates;
  intervalMs: number;
  onAlert: (transition: AlertTransition) => void;
  logger: Logger;
  now?: () => number;
}

export class AlertEvaluator {
  private readonly options: AlertEvaluatorOptions;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();

  constructor(options: AlertEvaluatorOptions) {
    this.options = options;
  }

  start(): void {
    this.timer = setInterval(() => void this.evaluate(), this.options.intervalMs);
  }

  /** One evaluation, after the one in progress if any. */
  evaluate(): Promise<void> {
    this.running = this.running.then(async () => {
      const { read, rules, states, onAlert, logger } = this.options;
      let readings: PipelineReadings;
      try {
        readings = await read();
      } catch (error) {
        logger.warn({ err: (error as Error).message }, 'alerts: could not read the pipeline; trying again at the next evaluation');
        return;
      }
      const now = (this.options.now ?? Date.now)();
      for (const transition of states.update(rules.evaluate(readings, now), now)) onAlert(transition);
    });
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
