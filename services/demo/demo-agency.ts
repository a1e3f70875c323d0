/**
 * The demo agency of `npm start` on a local stack: an agency `demo` in the access file (all kinds
 * and provinces, pseudonymous tier; its key goes to the local keys file), a local webhook receiver
 * that verifies every signature and counts, and two subscriptions of the demo agency — one by
 * webhook to that receiver, one to its topics `out.demo.<kind>` — so a developer sees fan-out work
 * at once and has an agency key to try the subscriptions API with.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateKey, hashKey, type AccessFile, type AccessPolicy } from '../platform/access.ts';
import { KINDS } from '../platform/catalog.ts';
import type { Config } from '../platform/config.ts';
import type { Logger } from '../platform/logger.ts';
import type { Subscription } from '../subscriptions/model.ts';
import type { SubscriptionStore } from '../subscriptions/store.ts';
import { checkSubscription, generateWebhookSecret } from '../subscriptions/validation.ts';
import type { FanoutStatus, RunningFanout } from '../fanout/fanout.ts';
import type { Stage } from '../live-status.ts';
import { startDemoReceiver, type DemoReceiver } from './demo-receiver.ts';

export const DEMO_AGENCY = 'demo';
const RECEIVER_HOST = '127.0.0.1';

/**
 * Adds the demo agency to a local access file (once) and its key to the local keys file beside it.
 * Returns true when it added it. Only for local stacks: production access files are the operator's.
 */
export function ensureDemoAgency(accessFile: string, agency = DEMO_AGENCY): boolean {
  const file = JSON.parse(readFileSync(accessFile, 'utf8')) as AccessFile;
  if (file.agencies?.[agency]) return false;
  const key = generateKey();
  file.agencies = { ...(file.agencies ?? {}), [agency]: { keys: [hashKey(key)], kinds: 'all', provinces: 'all', tier: 'pseudonymous' } };
  writeFileSync(accessFile, `${JSON.stringify(file, null, 2)}\n`);
  const keysFile = path.join(path.dirname(accessFile), 'local-keys.json');
  const keys = existsSync(keysFile) ? (JSON.parse(readFileSync(keysFile, 'utf8')) as Record<string, unknown>) : {};
  keys.agencies = { ...((keys.agencies as Record<string, string> | undefined) ?? {}), [agency]: key };
  writeFileSync(keysFile, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  return true;
}

/**
 * The demo agency's Kafka password, kept in the local keys file beside its API key (made once); the
 * local stack gives it to the agency's SCRAM user on every start (infra/stack, grantAgency).
 */
export function demoAgencyKafkaPassword(accessFile: string, agency = DEMO_AGENCY): string {
  const keysFile = path.join(path.dirname(accessFile), 'local-keys.json');
  const keys = existsSync(keysFile) ? (JSON.parse(readFileSync(keysFile, 'utf8')) as Record<string, unknown>) : {};
  const passwords = (keys.agencyKafkaPasswords as Record<string, string> | undefined) ?? {};
  const existing = passwords[agency];
  if (existing) return existing;
  const password = randomBytes(24).toString('base64url');
  keys.agencyKafkaPasswords = { ...passwords, [agency]: password };
  writeFileSync(keysFile, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  return password;
}

/** The configuration with the demo receiver's host allowed as a webhook target (it is on loopback, over http). */
export function withDemoReceiverAllowed(config: Config): Config {
  if (config.fanout.allowHosts.includes(RECEIVER_HOST)) return config;
  return { ...config, fanout: { ...config.fanout, allowHosts: [...config.fanout.allowHosts, RECEIVER_HOST] } };
}

export interface DemoAgency {
  receiver: DemoReceiver;
  /** One line for the status output of npm start. */
  statusLine(fanout: FanoutStatus): string;
  close(): Promise<void>;
}

/**
 * Starts the receiver (port 0: any free one) and stores the demo subscriptions (a fresh webhook
 * secret each start, shared with the receiver). `config` must allow the receiver's host
 * (withDemoReceiverAllowed); `access` must hold the demo agency (ensureDemoAgency).
 */
export async function startDemoAgency(options: {
  config: Config;
  logger: Logger;
  access: AccessPolicy;
  store: SubscriptionStore;
  port?: number;
  agency?: string;
}): Promise<DemoAgency> {
  const { config, access, store, logger } = options;
  const agency = options.agency ?? DEMO_AGENCY;
  const webhookId = `${agency}-webhook`;
  const topicId = `${agency}-topic`;
  const secret = generateWebhookSecret();
  const receiver = await startDemoReceiver(secret, options.port ?? 0, { keepRequests: false, keepBatches: false });
  const wanted: [string, Record<string, unknown>][] = [
    [webhookId, { agency, kinds: [...KINDS], tier: 'pseudonymous', delivery: { type: 'webhook', url: receiver.url, secret, maxBatchSize: 100 } }],
    [topicId, { agency, kinds: [...KINDS], tier: 'pseudonymous', delivery: { type: 'topic' } }],
  ];
  for (const [id, body] of wanted) {
    const previous: Subscription | undefined = store.get(id);
    const checked = await checkSubscription(
      body,
      { principal: { type: 'operator' }, access, config: config.fanout, others: store.list(), now: Date.now(), newId: () => id },
      previous,
    );
    if (!checked.ok) throw new Error(`demo subscription ${id}: ${checked.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
    await store.put(checked.subscription);
  }
  logger.info({ url: receiver.url }, 'demo agency receiver listening');
  return {
    receiver,
    statusLine(fanout) {
      const counts = receiver.counts();
      const delivered = (id: string) => fanout.subscriptions.find((status) => status.subscription === id)?.delivered;
      return (
        `demo agency: webhook ${counts.uniqueEvents} events received (${counts.batches} batches, ${counts.badSignatures} bad signatures), ` +
        `topics out.${agency}.* ${delivered(topicId) ?? 0} records`
      );
    },
    close: () => receiver.close(),
  };
}

/** The demo agency's line in npm start's live view: the events its webhook receiver got. */
export function demoAgencyStage(demo: DemoAgency, fanout: RunningFanout): Stage {
  return {
    name: 'demo agency',
    total: () => demo.receiver.counts().uniqueEvents,
    detail: () => demo.statusLine(fanout.status()).replace(/^demo agency: /, ''),
  };
}
