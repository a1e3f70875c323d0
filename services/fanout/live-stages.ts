/**
 * Fan-out figures for npm start's live view (services/live-status.ts `Stage`s): events delivered
 * to all subscriptions with failing subscriptions and dead letters, and what the demo agency's
 * receiver got.
 */
import type { Stage } from '../live-status.ts';
import type { DemoAgency } from './demo-agency.ts';
import type { RunningFanout } from './fanout.ts';

export function fanoutStages(fanout: RunningFanout, demo?: DemoAgency): Stage[] {
  const statuses = () => fanout.status().subscriptions;
  const stages: Stage[] = [
    {
      name: 'fan-out',
      total: () => statuses().reduce((sum, status) => sum + status.delivered, 0),
      detail: () => {
        const list = statuses();
        const failing = list.filter((status) => status.state === 'failing').length;
        const dead = list.reduce((sum, status) => sum + status.deadLetters, 0);
        const lag = list.reduce((sum, status) => sum + status.lag, 0);
        return `${list.length} subscriptions, ${failing} failing, ${dead} dead letters, lag ${lag}`;
      },
    },
  ];
  if (demo) {
    stages.push({
      name: 'demo agency',
      total: () => demo.receiver.counts().uniqueEvents,
      detail: () => `${demo.statusLine(fanout.status()).replace(/^demo agency: /, '')}`,
    });
  }
  return stages;
}
