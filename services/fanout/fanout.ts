/**
 * The subscriber fan-out service: follows the subscriptions topic and runs, for every active
 * subscription whose agency is in the access file and which passes the API's checks again, a
 * consumer of its own (so one slow or dead receiver never holds back another) delivering by
 * webhook or to the agency's topics. A change to a subscription restarts its consumer with the new
 * settings, from where the old one committed; a reset (new generation) starts a new consumer group
 * at the reset instant. The access file is followed too: a subscription whose agency was removed
 * stops delivering, and one whose agency's entitlement changed restarts with the new entitlement
 * (from where it committed).
 */
import os from 'node:os';
import type { Kafka, Producer } from 'kafkajs';
import type { Registry } from 'prom-client';
import { watchAccessPolicy, type Entitlement, type LiveAccessPolicy } from '../platform/access.ts';
import { AuditLog } from '../platform/audit-log.ts';
import { createAvroSerde, type AvroSerde } from '../platform/avro-serde.ts';
import type { Kind } from '../platform/catalog.ts';
import { retentionOf, type Config } from '../platform/config.ts';
import { createKafka } from '../platform/kafka.ts';
import type { Logger } from '../platform/logger.ts';
import { CrashRecorder, type StageCrash } from '../platform/stage-crash.ts';
import { deleteConsumerGroup } from '../platform/topic-ends.ts';
import { ensureTopics, logEnsuredTopics, subscriptionDlqTopic, type TopicSpec } from '../platform/topics.ts';
import type { DeliveryStatus } from '../subscriptions/delivery-status.ts';
import { agencyTopic, subscriptionGroupId, type Subscription } from '../subscriptions/model.ts';
import { deliveredKinds, effectiveTier } from '../subscriptions/row-filter.ts';
import { SubscriptionStore } from '../subscriptions/store.ts';
import { storedSubscriptionProblems } from '../subscriptions/validation.ts';
import { FanoutMetrics } from './metrics.ts';
import { SequenceJournal } from './sequence-journal.ts';
import { journalTopic } from '../subscriptions/sequence-numbers.ts';
import { StatusReporter } from './status-tracker.ts';
import { SubscriptionRunner, type BatchDelivery } from './subscription-runner.ts';
import { TopicBatchDelivery, agencyTopicWriters } from './topic-delivery.ts';
import { WebhookClient } from './webhook-client.ts';
import { WebhookBatchDelivery } from './webhook-delivery.ts';

export interface StartFanoutOptions {
  config: Config;
  logger: Logger;
  /** Entitlements as the process follows them; by default the fan-out follows config.api.accessFile itself. */
  access?: LiveAccessPolicy;
  /** Where the fan-out's figures are registered (the process's registry); a registry of its own by default. */
  metrics?: Registry;
}

export interface FanoutStatus {
  subscriptions: DeliveryStatus[];
  /** The last crash of a subscription's consumer since start, with its cause. */
  lastCrash: StageCrash | null;
}

export interface RunningFanout {
  store: SubscriptionStore;
  metrics: FanoutMetrics;
  status(): FanoutStatus;
  close(): Promise<void>;
}

interface Running {
  /** The stored subscription the runner was started for (a different one means restart). */
  subscription: Subscription;
  /** The agency's entitlement it was started with (a different one means restart too). */
  entitlement: Entitlement;
  runner: Promise<SubscriptionRunner | null>;
}

function fingerprint(subscription: Subscription): string {
  const { updatedAt: _updatedAt, ...rest } = subscription;
  return JSON.stringify(rest);
}

let instances = 0;

/** `fanout-<host>-<pid>-<n>`: constant for the instance's life, different for every instance. */
function fanoutInstanceId(): string {
  instances += 1;
  return `fanout-${os.hostname().replace(/[^A-Za-z0-9.-]/g, '_')}-${process.pid}-${instances}`;
}

export async function startFanout(options: StartFanoutOptions): Promise<RunningFanout> {
  const { config, logger } = options;
  const ownAccess = options.access ? null : watchAccessPolicy(config.api.accessFile, logger, config.api.accessReloadMs);
  const access = options.access ?? ownAccess!;
  // The instance's own client id: its consumers' member ids start with it (singleOwnerAssigner).
  const kafka: Kafka = createKafka(config.kafka, logger, fanoutInstanceId());
  const metrics = new FanoutMetrics(options.metrics);
  const serde: AvroSerde = createAvroSerde(config.schemaRegistry);
  const store = await SubscriptionStore.start(kafka, config, logger);
  const reporter = new StatusReporter(store, logger);
  const crashes = new CrashRecorder('fanout', logger);
  const client = new WebhookClient({ timeoutMs: config.fanout.webhookTimeoutMs, allowHosts: config.fanout.allowHosts });
  const topicOf = (kind: Kind) => `${config.fanout.canonicalTopicPrefix}${kind}`;
  const audit = await AuditLog.open(kafka, serde, config, logger);

  let dlqProducer: Promise<Producer> | null = null;
  const getDlqProducer = () => {
    dlqProducer ??= (async () => {
      const producer = kafka.producer({ idempotent: true });
      await producer.connect();
      return producer;
    })();
    dlqProducer.catch(() => (dlqProducer = null));
    return dlqProducer;
  };

  const ensure = async (specs: TopicSpec[]) => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      logEnsuredTopics(logger, await ensureTopics(admin, specs, config.topics));
    } finally {
      await admin.disconnect();
    }
  };

  async function launch(subscription: Subscription, entitlement: Entitlement): Promise<SubscriptionRunner | null> {
    const tracker = reporter.tracker(subscription.id);
    const groupId = subscriptionGroupId(config.fanout.groupPrefix, subscription);
    const kinds = deliveredKinds(subscription, entitlement);
    const sequenceTopic = journalTopic(config.fanout.sequenceTopicPrefix, subscription.id);
    // Compacted by source partition once as old as the canonical records (refills need the history
    // until then); the latest entry of each partition stays, so the last number is never forgotten.
    const canonicalRetention = Math.max(retentionOf(config.retention, 'canonical'), ...kinds.map((kind) => retentionOf(config.retention, 'canonical', kind)));
    await ensure([{ name: sequenceTopic, partitions: 1, compacted: true, minCompactionLagMs: canonicalRetention }]);
    const sequence = new SequenceJournal({
      kafka,
      topic: sequenceTopic,
      transactionalId: `${config.fanout.groupPrefix}-${subscription.id}-journal`,
      groupId,
      generation: subscription.generation,
      sourceTopics: kinds.map(topicOf),
    });
    let delivery: BatchDelivery;
    const tier = effectiveTier(subscription, entitlement);
    if (subscription.delivery.type === 'webhook') {
      await ensure([{ name: subscriptionDlqTopic(subscription.id), retentionMs: retentionOf(config.retention, 'dead-letters') }]);
      delivery = new WebhookBatchDelivery({
        subscriptionId: subscription.id,
        agency: subscription.agency,
        tier,
        audit,
        target: subscription.delivery,
        client,
        retryScheduleMs: config.fanout.retryScheduleMs,
        dlqProducer: getDlqProducer,
        tracker,
        metrics,
        logger,
        sequence,
      });
    } else {
      await ensure(kinds.map((kind) => ({ name: agencyTopic(subscription.agency, kind), retentionMs: retentionOf(config.retention, 'agency-topics', kind) })));
      delivery = new TopicBatchDelivery({ agency: subscription.agency, subscriptionId: subscription.id, tier, audit, tracker, metrics, sequence }, await agencyTopicWriters(serde, subscription.agency, kinds, tier));
    }
    const place = () => store.list().map(({ id }) => id).sort().indexOf(subscription.id);
    const runner = new SubscriptionRunner({ kafka, serde, logger, subscription, entitlement, tracker, groupId, topicOf, place, crashes }, delivery);
    await runner.start();
    tracker.setState('delivering');
    logger.info({ subscription: subscription.id, agency: subscription.agency, delivery: subscription.delivery.type, groupId }, 'subscription delivery started');
    return runner;
  }

  const running = new Map<string, Running>();
  const stop = async (id: string, entry: Running, dropGroup: boolean) => {
    running.delete(id);
    const runner = await entry.runner.catch(() => null);
    await runner?.stop().catch((error) => logger.warn({ subscription: id, err: (error as Error).message }, 'could not stop delivery cleanly'));
    if (dropGroup) await deleteConsumerGroup(kafka, subscriptionGroupId(config.fanout.groupPrefix, entry.subscription));
  };

  /** Brings the runners in line with the stored subscriptions; one pass at a time. */
  let syncing: Promise<void> = Promise.resolve();
  let closed = false;
  const sync = () => {
    syncing = syncing.then(async () => {
      if (closed) return;
      const wanted = new Map<string, { subscription: Subscription; entitlement: Entitlement }>();
      /** Subscriptions that must not deliver, with the state they show once their runner stopped. */
      const idle: [Subscription, 'failing' | 'paused'][] = [];
      const refused: [Subscription, ReturnType<typeof storedSubscriptionProblems>][] = [];
      const policy = access.current();
      for (const subscription of store.list()) {
        const entitlement = policy.agency(subscription.agency);
        if (!entitlement) {
          idle.push([subscription, 'failing']);
          continue;
        }
        if (subscription.state === 'paused') {
          idle.push([subscription, 'paused']);
          continue;
        }
        // The topic can be written without the API: nothing is delivered that the API would refuse.
        // Checked at the tier it is delivered at, so no predicate tests a field the agency may not see.
        const problems = storedSubscriptionProblems({ ...subscription, tier: effectiveTier(subscription, entitlement) }, config.fanout);
        if (problems.length > 0) {
          refused.push([subscription, problems]);
          continue;
        }
        wanted.set(subscription.id, { subscription, entitlement });
      }
      for (const [id, entry] of [...running]) {
        const next = wanted.get(id);
        const unchanged = next && fingerprint(next.subscription) === fingerprint(entry.subscription) &&
          JSON.stringify(next.entitlement) === JSON.stringify(entry.entitlement);
        if (unchanged) continue;
        // A deleted subscription's group goes; so does the group of a generation a reset replaced.
        const dropGroup = !store.get(id) || (next !== undefined && next.subscription.generation !== entry.subscription.generation);
        await stop(id, entry, dropGroup);
        if (!store.get(id)) reporter.forget(id);
        else if (!policy.agency(entry.subscription.agency)) {
          logger.warn({ subscription: id, agency: entry.subscription.agency }, 'agency no longer in the access file: delivery stopped');
        }
      }
      for (const [subscription, state] of idle) reporter.tracker(subscription.id).setState(state);
      for (const [subscription, problems] of refused) {
        const reason = `not delivered: the stored subscription is invalid (${problems.map((p) => `${p.path}: ${p.message}`).join('; ')})`;
        if (reporter.tracker(subscription.id).invalid(reason.slice(0, 1_000))) {
          logger.warn({ subscription: subscription.id, fields: problems.map((p) => p.path) }, 'stored subscription refused');
        }
      }
      for (const [id, { subscription, entitlement }] of wanted) {
        if (running.has(id)) continue;
        const runner = launch(subscription, entitlement).catch((error) => {
          logger.error({ subscription: id, err: (error as Error).message }, 'could not start subscription delivery');
          reporter.tracker(id).retried(error);
          // Try again at the next sync.
          running.delete(id);
          return null;
        });
        running.set(id, { subscription, entitlement, runner });
      }
    });
    return syncing;
  };
  store.subscriptions.onChange(() => void sync());
  const stopFollowingAccess = access.onChange(() => void sync());
  // A launch that failed (Kafka away, registry away) is tried again.
  const retryTimer = setInterval(() => void sync(), 5_000);
  await sync();
  await Promise.all([...running.values()].map((entry) => entry.runner));

  let closing: Promise<void> | null = null;
  return {
    store,
    metrics,
    status: () => ({ subscriptions: reporter.all(), lastCrash: crashes.lastCrash }),
    close() {
      closing ??= (async () => {
        closed = true;
        clearInterval(retryTimer);
        stopFollowingAccess();
        ownAccess?.close();
        await syncing;
        await Promise.all([...running].map(([id, entry]) => stop(id, entry, false)));
        await reporter.close();
        client.close();
        await (await dlqProducer?.catch(() => null))?.disconnect();
        await audit.close();
        await store.close();
      })();
      return closing;
    },
  };
}
