/**
 * What a webhook receives, signed per Standard Webhooks:
 *
 *   POST <url>
 *   webhook-id: <id>            the event id for a batch of one event; for a larger batch
 *                               "batch_" + base64url(SHA-256(subscription id, event ids))[0..32)
 *   webhook-timestamp: <unix seconds of this attempt>
 *   webhook-signature: v1,<base64 HMAC-SHA-256(key, "<id>.<timestamp>.<body>")>
 *   {"type": "truc.events", "subscription": "<id>", "events": [{"id", "seq", "kind", "time", "key", "data"}]}
 *
 * `seq` is the subscription's sequence number of the event (1, 2, 3, …; the same on every resend),
 * so a receiver sees a hole. A subscription with nothing to send for `heartbeatSeconds` gets
 *
 *   {"type": "truc.heartbeat", "subscription": "<id>", "seq": <last number given>, "time": <ISO-8601>}
 *
 * signed the same way (webhook-id "heartbeat_" + a random id), so a quiet feed is told from a broken one.
 *
 * Signing and checking (the key is the secret's bytes after `whsec_`) are in
 * services/platform/webhook-signing.ts. A batch is cut once and resent
 * unchanged on every retry, so a retry carries the same webhook-id and the same events; receivers
 * drop repeats by webhook-id, and — since a restart of Truc may cut the batches anew — by each
 * event's `id` in the body, which never changes.
 */
import { createHash } from 'node:crypto';
import type { Kind } from '../platform/catalog.ts';

export interface WebhookEvent {
  id: string;
  /** The subscription's sequence number of the event. */
  seq: number;
  kind: Kind;
  /** When it happened (the record's occurred_at), ISO-8601 UTC. */
  time: string;
  /** The canonical topic's key (person_key, report_id, checkpoint_id). */
  key: string | null;
  /** The record as the subscription's tier may see it. */
  data: Record<string, unknown>;
}

export function batchWebhookId(subscriptionId: string, eventIds: readonly string[]): string {
  if (eventIds.length === 1) return eventIds[0]!;
  const digest = createHash('sha256').update(subscriptionId).update('\n').update(eventIds.join('\n')).digest('base64url');
  return `batch_${digest.slice(0, 32)}`;
}

export function webhookBody(subscriptionId: string, events: readonly WebhookEvent[]): string {
  return JSON.stringify({ type: 'truc.events', subscription: subscriptionId, events });
}

/** The event of a canonical record as webhooks (and the events endpoint) show it; `record` is already projected. */
export function webhookEvent(kind: Kind, eventId: string, seq: number, key: string | null, record: Record<string, unknown>): WebhookEvent {
  return { id: eventId, seq, kind, time: new Date(Number(record.occurred_at)).toISOString(), key, data: record };
}

export function heartbeatBody(subscriptionId: string, lastSeq: number, now: Date): string {
  return JSON.stringify({ type: 'truc.heartbeat', subscription: subscriptionId, seq: lastSeq, time: now.toISOString() });
}
