/**
 * `node services/fanout/main.ts`: the subscriber fan-out on its own (deployments that scale it
 * separately; crash tests). Logs JSON lines; stops on SIGINT/SIGTERM.
 */
import { runStandalone } from '../platform/standalone.ts';
import { startFanout } from './fanout.ts';

await runStandalone('fanout', async (config, logger) => {
  const fanout = await startFanout({ config, logger });
  logger.info({ subscriptions: fanout.store.list().length }, 'fan-out running');
  return fanout;
});
