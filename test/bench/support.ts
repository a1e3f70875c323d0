/**
 * Shared by the benchmark scripts: the stack they run on (started if needed, stopped afterwards
 * if they started it) and the way they print figures.
 */
import { loadConfig, type Config } from '../../services/platform/config.ts';
import { localAdminEnv } from '../../infra/stack/kafka-broker.ts';
import { down, up } from '../../infra/stack/stack.ts';
import { registryClientCredentials } from '../../services/platform/registry-credentials.ts';
import { loadPersonKeySecret } from '../../services/platform/person-key.ts';

/**
 * Runs a benchmark on the local stack. Like the tests, benchmarks make topics and groups of their
 * own names, so they (and the processes they start) log in to Kafka as the stack's administrator.
 * As on `npm start`, the stack's first start issues the registry credential Truc's clients read from
 * the data folder, and the person_key secret is made there on first use: a fresh checkout runs them.
 */
export async function withStack<T>(run: (config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const { started } = await up(config);
  loadPersonKeySecret(config.normalizer, true);
  Object.assign(process.env, localAdminEnv(config));
  // Benchmarks that start a private broker keep their data folder elsewhere, where the stack's
  // registry credential is not: it goes along explicitly, as the tests' set-up does.
  const credentials = registryClientCredentials(config.schemaRegistry);
  if (credentials) process.env.SCHEMA_REGISTRY_USER_INFO ??= `${credentials.username}:${credentials.password}`;
  try {
    return await run(loadConfig());
  } finally {
    await down(config, started);
  }
}

export function printFigure(name: string, value: number, unit: string, note = ''): void {
  const formatted = value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(2);
  console.log(`${name.padEnd(48)} ${formatted.padStart(12)} ${unit}${note ? `  (${note})` : ''}`);
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}
