/**
 * `npm run stack:up | stack:down | stack:status` (and `install`, which only fetches Kafka's jars).
 */
import { ConfigError, loadConfig } from '../../services/platform/config.ts';
import { ensureKafkaJars } from './kafka-broker.ts';
import { down, status, up, type ComponentStatus } from './stack.ts';

function printStatus(components: ComponentStatus[]): void {
  for (const component of components) {
    const owner = component.pid !== null ? `pid ${component.pid}` : component.serving ? 'not started by this stack' : '';
    const state = component.serving ? 'serving' : 'down';
    console.log(`${component.name.padEnd(16)} ${state.padEnd(8)} ${component.address.padEnd(24)} ${owner.padEnd(26)} log ${component.logFile}`);
  }
}

async function main(command: string | undefined): Promise<number> {
  const config = loadConfig();
  switch (command) {
    case 'install':
      ensureKafkaJars();
      console.log('Kafka jars are in infra/kafka/target/libs');
      return 0;
    case 'up': {
      const result = await up(config);
      console.log(result.started.length > 0 ? `started: ${result.started.join(', ')}` : 'already running');
      printStatus(result.status);
      return 0;
    }
    case 'down': {
      const stopped = await down(config);
      console.log(stopped.length > 0 ? `stopped: ${stopped.join(', ')}` : 'nothing of ours was running');
      return 0;
    }
    case 'status': {
      const components = await status(config);
      printStatus(components);
      return components.every((component) => component.serving) ? 0 : 1;
    }
    default:
      console.error('usage: node infra/stack/cli.ts install|up|down|status');
      return 2;
  }
}

try {
  process.exitCode = await main(process.argv[2]);
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : `stack: ${(error as Error).message}`);
  process.exitCode = 1;
}
