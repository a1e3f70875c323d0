/**
 * Fan-out figures for npm start's live view (services/live-status.ts `Stage`s): events delivered
 * to all subscriptions with failing subscriptions and dead letters. (What the demo agency's
 * receiver got is services/demo/demo-agency.ts's `demoAgencyStage`.)
 */
import type { Stage } from '../live-status.ts';
import type { RunningFanout } from './fanout.ts';

export function fanoutStage(fanout: RunningFanout): Stage {
  const statuses = () => fanout.status().subscriptions;
  return {
    name: 'fan-out',
    total: () => statuses().reduce((sum, status) => sum + status.delivered, 0),
    detail: () => {
      const list = statuses();
      const failing = list.filter((status) => status.state === 'failing').length;
      const dead = list.reduce((sum, status) => sum + status.deadLetters, 0);
      const lag = list.reduce((sum, status) => sum + status.lag, 0);
      return `${list.length} subscriptions, ${failing} failing, ${dead} dead letters, lag ${lag}`;
    },
  };
}
