/**
 * `truc status`: what an operator checks first — is the stack serving, how are the connectors, and
 * how far has the normalizer got (records in and out, duplicates, dead letters, lag), and how long each store keeps data.
 * The API is asked with an operator key: TRUC_OPERATOR_KEY, or on a local stack the key `npm start`
 * issued (`.truc/local-keys.json`).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin } from 'kafkajs';
import { status as stackStatus } from '../../infra/stack/stack.ts';
import type { ConnectorStatus } from '../../connectors/runtime/managed-connector.ts';
import { formatCrash } from '../platform/stage-crash.ts';
import { rawTopic, sourceKinds } from '../platform/catalog.ts';
import { loadConfig, type Config } from '../platform/config.ts';
import { consumerGroupLag } from '../platform/consumer-lag.ts';
import { createKafka } from '../platform/kafka.ts';
import { createLogger } from '../platform/logger.ts';
import { topicRetention } from '../platform/topics.ts';
import { parseCommandArgs, type Command } from './command.ts';
import { operatorKey } from './operator-key.ts';
import { retentionLines, retentionRows } from './retention-lines.ts';

const HELP = `usage: truc status [--api URL]

Prints the local stack's components, the connectors (state, records, rejected, errors, last error)
and the normalizer's figures per source and kind (lag read from Kafka, so it shows even when the
normalizer is down), and each subscription's delivery (state, delivered, retries, dead letters,
lag, last sequence number and events numbered since its fan-out started, last success, last error),
and each store's retention per kind: configured, and in force on Kafka's topics. --api defaults to http://API_HOST:API_PORT.
`;

/** Sums of the normalizer's counters by `source/kind` from Prometheus text. */
export function normalizerFigures(text: string): Map<string, Record<string, number>> {
  const figures = new Map<string, Record<string, number>>();
  const line = /^truc_normalizer_(records_in|records_out|duplicates|dead_letters)_total\{([^}]*)\} (\d+(?:\.\d+)?)$/;
  for (const row of text.split('\n')) {
    const match = line.exec(row);
    if (!match) continue;
    const [, name, labels, value] = match as unknown as [string, string, string, string];
    const source = /source="([^"]*)"/.exec(labels)?.[1] ?? '?';
    const kind = /kind="([^"]*)"/.exec(labels)?.[1] ?? '?';
    const entry = figures.get(`${source}/${kind}`) ?? {};
    entry[name] = (entry[name] ?? 0) + Number(value);
    figures.set(`${source}/${kind}`, entry);
  }
  return figures;
}

const KAFKA_TIMEOUT_MS = 5_000;

/** Asks Kafka's admin API; null when Kafka does not answer within a few seconds. */
async function askKafka<T>(config: Config, ask: (admin: Admin) => Promise<T>): Promise<T | null> {
  const admin = createKafka(config.kafka, createLogger('truc-status', 'silent'), 'status').admin();
  const read = (async () => {
    await admin.connect();
    return ask(admin);
  })();
  // kafkajs retries for minutes when the broker is down; a status check must answer now.
  const timeout = sleep(KAFKA_TIMEOUT_MS, undefined, { ref: false }).then(() => Promise.reject(new Error('timeout')));
  try {
    return await Promise.race([read, timeout]);
  } catch {
    return null;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

export interface SubscriptionSummary {
  id: string;
  agency: string;
  state: string;
  delivery: { type: string };
  status: {
    state: string; delivered: number; retries: number; deadLetters: number; lag: number; lastSuccessAt: string | null; lastError: { at: string; message: string } | null;
    /** Absent in statuses written before sequence numbers. */
    lastSequence?: number; eventsSinceStart?: number;
  } | null;
}

/** One line per subscription: agency, delivery, state, counts, last success and last error. */
export function subscriptionLines(subscriptions: SubscriptionSummary[]): string[] {
  if (subscriptions.length === 0) return ['  none'];
  return subscriptions.map((s) => {
    const st = s.status;
    const state = s.state === 'paused' ? 'paused' : (st?.state ?? 'starting');
    const figures = st
      ? `delivered ${st.delivered}  retries ${st.retries}  dead letters ${st.deadLetters}  lag ${st.lag}  seq ${st.lastSequence ?? 0} (${st.eventsSinceStart ?? 0} since start)  last success ${st.lastSuccessAt ?? '-'}`
      : 'no status yet';
    const last = st?.lastError ? `  last error ${st.lastError.at}: ${st.lastError.message}` : '';
    return `  ${`${s.agency}/${s.id}`.padEnd(48)} ${s.delivery.type.padEnd(7)} ${state} ${figures}${last}`;
  });
}

export const STATUS_COMMAND: Command = {
  name: 'status',
  summary: 'stack, connectors and normalizer at a glance',
  async run(args) {
    const { values } = parseCommandArgs({ args, options: { api: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } } });
    if (values.help) {
      process.stdout.write(HELP);
      return 0;
    }
    const config = loadConfig();
    const api = values.api ?? `http://${config.api.host}:${config.api.port}`;
    let healthy = true;

    process.stdout.write('stack\n');
    for (const component of await stackStatus(config)) {
      healthy &&= component.serving;
      process.stdout.write(`  ${component.name.padEnd(18)} ${component.serving ? 'up' : 'DOWN'.padEnd(4)}  ${component.address}\n`);
    }

    const key = operatorKey(config);
    process.stdout.write(`connectors (${api})\n`);
    const listed = await fetch(`${api}/v1/connectors`, { headers: key ? { authorization: `Bearer ${key}` } : {} }).catch(() => null);
    if (!listed?.ok) {
      healthy = false;
      process.stdout.write(`  API ${listed ? `answered ${listed.status}` : 'not reachable'}${key ? '' : ' (no operator key: set TRUC_OPERATOR_KEY)'}\n`);
    } else {
      for (const c of ((await listed.json()) as { connectors: ConnectorStatus[] }).connectors) {
        healthy &&= c.state !== 'FAILED';
        const last = c.lastError ? `  last error ${c.lastError.at}: ${c.lastError.message}` : '';
        const crash = c.lastCrash ? `  last crash ${formatCrash(c.lastCrash)}` : '';
        process.stdout.write(`  ${c.name.padEnd(22)} ${c.state.padEnd(8)} records ${c.records}  rejected ${c.rejected}  errors ${c.errors}${last}${crash}\n`);
      }
    }

    process.stdout.write('normalizer\n');
    const metrics = await fetch(`${api}/metrics`).catch(() => null);
    const figures = metrics?.ok ? normalizerFigures(await metrics.text()) : new Map<string, Record<string, number>>();
    if (figures.size === 0) process.stdout.write('  no counters (is the normalizer running in this API process?)\n');
    // Raw records the normalizer group has not yet read, per raw topic, straight from Kafka.
    const lag = await askKafka(config, (admin) => consumerGroupLag(admin, config.normalizer.groupId, sourceKinds().map(({ source, kind }) => rawTopic(source, kind))));
    if (!lag) {
      healthy = false;
      process.stdout.write('  lag unknown: Kafka not reachable\n');
    }
    for (const { source, kind } of sourceKinds()) {
      const f = figures.get(`${source}/${kind}`) ?? {};
      const behind = lag?.get(rawTopic(source, kind));
      if (!f.records_in && !behind) continue;
      process.stdout.write(
        `  ${`${source}/${kind}`.padEnd(34)} in ${f.records_in ?? 0}  out ${f.records_out ?? 0}  duplicates ${f.duplicates ?? 0}  dead letters ${f.dead_letters ?? 0}  lag ${behind ?? '?'}\n`,
      );
    }
    process.stdout.write('subscriptions\n');
    const subscriptions = await fetch(`${api}/v1/subscriptions`, { headers: key ? { authorization: `Bearer ${key}` } : {} }).catch(() => null);
    if (!subscriptions?.ok) process.stdout.write(`  API ${subscriptions ? `answered ${subscriptions.status}` : 'not reachable'}\n`);
    else {
      const lines = subscriptionLines(((await subscriptions.json()) as { subscriptions: SubscriptionSummary[] }).subscriptions);
      healthy &&= !lines.some((line) => line.includes(' failing '));
      for (const line of lines) process.stdout.write(`${line}\n`);
    }
    process.stdout.write('retention\n');
    const applied = await askKafka(config, async (admin) => topicRetention(admin, await admin.listTopics()));
    for (const line of retentionLines(retentionRows(config.retention, applied, config.audit.topic))) process.stdout.write(`${line}\n`);
    return healthy ? 0 : 1;
  },
};
