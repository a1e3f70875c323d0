/**
 * Webhook delivery of one subscription: a partition's selected records are cut into batches of at
 * most maxBatchSize, and each batch is POSTed until the receiver answers 2xx — retried after the
 * waits of the retry schedule (with jitter), the same batch under the same webhook-id each time.
 * The group's offset moves past a batch only once it was delivered or dead-lettered (the sink
 * runner commits what `deliveredOffsets` gives, asked after each batch), and the next
 * batch of the partition waits for it, so records of one key arrive in order. After the schedule's
 * last wait fails too, the batch's records go to `dlq.sink.<subscription>` (canonical value, with
 * the reason in headers), the subscription is marked failing, and delivery carries on. While it is
 * failing, a batch gets one attempt only before it is dead-lettered (a receiver gone for good must
 * not hold every later batch for the whole schedule); the first success clears the mark.
 *
 * A partition's selected records are numbered (sequence journal) before the first batch of them is
 * sent, and keep their numbers through retries. While this member owns the subscription's
 * partitions, an idle receiver gets a heartbeat with the last number every `heartbeatSeconds`.
 *
 * An acknowledged batch is written to the disclosure audit before its offset may be committed
 * (retried until it is, or until the partition moves: then the next holder sends and audits it
 * again under the same audit ids); the write runs while the next batch is sent. Attempts the
 * receiver did not acknowledge are not disclosures.
 */
import { randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import type { Tier } from '../platform/access.ts';
import { deliveryRecord, type AuditLog } from '../platform/audit-log.ts';
import type { Kind } from '../platform/catalog.ts';
import type { Logger } from '../platform/logger.ts';
import { deadLetterRecord } from '../platform/dead-letter-record.ts';
import { PutInterrupted, type PartitionOffset, type SinkBatch, type SinkContext } from '../platform/sink-runner.ts';
import { HEADER } from '../platform/record-headers.ts';
import { subscriptionDlqTopic } from '../platform/topics.ts';
import type { WebhookDelivery as WebhookTarget } from '../subscriptions/model.ts';
import { HeartbeatSchedule } from './heartbeat-schedule.ts';
import type { SequenceJournal } from './sequence-journal.ts';
import type { BatchDelivery, SelectedRecord } from './subscription-runner.ts';
import type { FanoutMetrics } from './metrics.ts';
import type { StatusTracker } from './status-tracker.ts';
import type { WebhookClient } from './webhook-client.ts';
import { batchWebhookId, heartbeatBody, webhookBody, webhookEvent, type WebhookEvent } from '../subscriptions/webhook-message.ts';

export interface WebhookDeliveryOptions {
  subscriptionId: string;
  agency: string;
  /** The tier the records were projected to. */
  tier: Tier;
  audit: AuditLog;
  target: WebhookTarget;
  client: WebhookClient;
  /** Waits before each retry; the batch is dead-lettered after the last. */
  retryScheduleMs: readonly number[];
  /** A producer for dead letters (shared by the instance's subscriptions). */
  dlqProducer: () => Promise<Producer>;
  tracker: StatusTracker;
  metrics: FanoutMetrics;
  logger: Logger;
  /** The subscription's sequence numbers. */
  sequence: SequenceJournal;
}

/** ±20 % around the scheduled wait, so many subscriptions failing together do not retry in step. */
export function withJitter(ms: number, random: () => number = Math.random): number {
  return Math.round(ms * (0.8 + 0.4 * random()));
}

export class WebhookBatchDelivery implements BatchDelivery {
  private readonly options: WebhookDeliveryOptions;
  /** Set when a batch ran out of retries, cleared by the next success (on any partition). */
  private failing = false;
  /** Per partition, the offset after what was delivered or dead-lettered: what the group may commit. */
  private readonly delivered = new Map<string, PartitionOffset>();
  private readonly heartbeats: HeartbeatSchedule;
  private readonly labels: { subscription: string; channel: 'webhook' };
  private heartbeatTimer: NodeJS.Timeout | null = null;

  constructor(options: WebhookDeliveryOptions) {
    this.options = options;
    this.labels = { subscription: options.subscriptionId, channel: 'webhook' };
    this.heartbeats = new HeartbeatSchedule(options.target.heartbeatSeconds * 1000, Date.now());
  }

  /** Heartbeats run while this member owns the partitions (and so the numbering). */
  assigned(owner: boolean): void {
    // After a join the consumer reads from the committed offsets; what was delivered before is theirs.
    this.delivered.clear();
    if (!owner) return this.stopHeartbeats();
    // Opening early fences a former owner and learns the last number before the first heartbeat.
    this.options.sequence.open().catch((error) => this.options.logger.warn({ subscription: this.options.subscriptionId, err: (error as Error).message }, 'could not open the sequence journal yet'));
    if (!this.heartbeatTimer) this.scheduleHeartbeat();
  }

  private stopHeartbeats(): void {
    if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  private scheduleHeartbeat(): void {
    this.heartbeatTimer = setTimeout(() => void this.heartbeat(), this.heartbeats.dueIn(Date.now()));
    this.heartbeatTimer.unref();
  }

  private async heartbeat(): Promise<void> {
    const { target, client, subscriptionId, sequence, logger } = this.options;
    const now = Date.now();
    if (this.heartbeats.dueIn(now) === 0) {
      this.heartbeats.sent(now);
      try {
        await sequence.open();
        const status = await client.post(target.url, target.secret, `heartbeat_${randomUUID()}`, heartbeatBody(subscriptionId, sequence.last, new Date(now)));
        if (status < 200 || status >= 300) throw new Error(`receiver answered ${status}`);
      } catch (error) {
        // Not retried: the next heartbeat comes one interval later; batches report the receiver's state.
        logger.debug({ subscription: subscriptionId, err: (error as Error).message }, 'heartbeat not delivered');
      }
    }
    if (this.heartbeatTimer) this.scheduleHeartbeat();
  }

  /** Sleeps `ms`, heartbeating; gives up when the consumer stops or loses the partition. */
  private async wait(ms: number, context: SinkContext): Promise<void> {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      if (!context.isCurrent()) throw new PutInterrupted();
      await new Promise((resolve) => setTimeout(resolve, Math.min(500, until - Date.now())));
      try {
        await context.heartbeat();
      } catch {
        // A rebalance: the partition may go to another member, which resumes from the committed offset.
        throw new PutInterrupted();
      }
    }
  }

  private async send(events: WebhookEvent[], webhookId: string): Promise<void> {
    const { target, client, subscriptionId } = this.options;
    this.heartbeats.started();
    try {
      const status = await client.post(target.url, target.secret, webhookId, webhookBody(subscriptionId, events));
      if (status < 200 || status >= 300) throw new Error(`receiver answered ${status}`);
    } finally {
      this.heartbeats.finished(Date.now());
    }
  }

  private async deadLetter(records: SelectedRecord[], kind: Kind, topic: string, partition: number, webhookId: string, attempts: number, error: Error): Promise<void> {
    const { subscriptionId } = this.options;
    const producer = await this.options.dlqProducer();
    await producer.send({
      topic: subscriptionDlqTopic(subscriptionId),
      acks: -1,
      messages: records.map((record) =>
        deadLetterRecord({
          stage: `sink.${subscriptionId}`,
          reason: `webhook delivery failed after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${error.message}`,
          errorClass: 'WebhookDeliveryFailed',
          kind,
          source: record.source,
          readAt: { topic, partition, offset: record.offset },
          webhookId,
          key: record.key,
          value: record.value,
          // The decoded record's event id, whoever wrote the canonical message's headers.
          headers: { ...record.headers, [HEADER.eventId]: record.eventId },
        }),
      ),
    });
  }

  /** Writes the acknowledged records to the audit, retrying (with the schedule's first wait) while this member holds the partition. */
  private async audit(records: SelectedRecord[], kind: Kind, webhookId: string, context: SinkContext): Promise<void> {
    const { audit, agency, subscriptionId, tier, logger, retryScheduleMs } = this.options;
    const entries = [deliveryRecord({
      agency, subscription: subscriptionId, channel: 'webhook', tier, kind, batchId: webhookId,
      events: records.map((record) => ({ eventId: record.eventId, personKey: record.personKey })),
    }, Date.now())];
    for (;;) {
      try {
        return await audit.write(entries);
      } catch (error) {
        logger.warn({ subscription: subscriptionId, events: records.length, err: (error as Error).message }, 'could not write acknowledged deliveries to the audit; retrying');
        await this.wait(retryScheduleMs[0] ?? 1_000, context);
      }
    }
  }

  async deliver(batch: SinkBatch, kind: Kind, selected: SelectedRecord[], context: SinkContext): Promise<void> {
    const { target, tracker, metrics, retryScheduleMs, logger, subscriptionId, sequence } = this.options;
    const { topic, partition } = batch;
    const commit = async (next: number) => {
      // Offsets of a partition this member may no longer hold are not the group's to take.
      if (!context.isCurrent()) throw new PutInterrupted();
      this.delivered.set(`${topic}:${partition}`, { topic, partition, offset: next });
      await context.requestCommit();
    };
    // Numbered (and journaled) before anything is sent: a resend after a crash carries the same numbers.
    const numbers = selected.length > 0 ? await sequence.number(kind, topic, partition, selected) : [];
    if (selected.length > 0) tracker.sequenced(sequence.last, sequence.sinceStart);
    // A batch's audit entries are written while the next batch is sent; its offset is committed once they are in.
    let audited: { written: Promise<void>; next: number } | null = null;
    const commitAudited = async () => {
      if (audited === null) return;
      await audited.written;
      await commit(audited.next);
      audited = null;
    };
    for (let start = 0; start < selected.length; start += target.maxBatchSize) {
      const records = selected.slice(start, start + target.maxBatchSize);
      let written: Promise<void> = Promise.resolve();
      const events: WebhookEvent[] = records.map((record, i) => webhookEvent(kind, record.eventId, numbers[start + i]!, record.key, record.record));
      const webhookId = batchWebhookId(subscriptionId, events.map((event) => event.id));
      for (let attempt = 0; ; attempt++) {
        if (!context.isCurrent()) throw new PutInterrupted();
        // The group must hear from this member while a receiver takes up to the whole timeout.
        const keepAlive = setInterval(() => void context.heartbeat().catch(() => {}), 3_000);
        try {
          await this.send(events, webhookId);
          clearInterval(keepAlive);
          this.failing = false;
          tracker.delivered(records.length);
          metrics.delivered.inc(this.labels, records.length);
          written = this.audit(records, kind, webhookId, context);
          // Not left unhandled while the next batch is sent: awaited below before the commit.
          written.catch(() => {});
          break;
        } catch (error) {
          clearInterval(keepAlive);
          if (attempt >= retryScheduleMs.length || this.failing) {
            this.failing = true;
            // attempt + 1: the whole schedule, or a single attempt when the subscription was already failing.
            await this.deadLetter(records, kind, topic, partition, webhookId, attempt + 1, error as Error);
            tracker.deadLettered(records.length, error);
            metrics.deadLettered.inc(this.labels, records.length);
            logger.warn({ subscription: subscriptionId, webhookId, events: records.length, err: (error as Error).message }, 'webhook batch dead-lettered after its retry budget');
            break;
          }
          tracker.retried(error);
          metrics.retries.inc(this.labels);
          logger.debug({ subscription: subscriptionId, webhookId, attempt: attempt + 1, err: (error as Error).message }, 'webhook delivery failed; retrying');
          await this.wait(withJitter(retryScheduleMs[attempt]!), context);
        }
      }
      await commitAudited();
      audited = { written, next: records[records.length - 1]!.offset + 1 };
    }
    await commitAudited();
    // Records after the last selected one (filtered out) are done too.
    await commit(batch.nextOffset);
    await context.heartbeat().catch(() => {});
  }

  deliveredOffsets(): PartitionOffset[] {
    return [...this.delivered.values()];
  }

  committed(offsets: PartitionOffset[]): void {
    for (const { topic, partition, offset } of offsets) this.options.sequence.committed(topic, partition, offset);
  }

  async close(): Promise<void> {
    this.stopHeartbeats();
    await this.options.sequence.close();
  }
}
