/**
 * A subscription: what an agency receives (kinds, a row filter, a field tier) and how (a signed
 * webhook, or its own Kafka topics `out.<agency>.<kind>`). Stored as JSON on the compacted
 * subscriptions topic, keyed by id.
 *
 * The row filter is JSON: `provinces` (2-digit codes) and `where`, a list of predicates that must
 * all hold, each `{ "field": "<dotted path>", "op": "=" | "!=" | "in" | "empty" | "not empty", "value": ... }`
 * on fields of the canonical schema — for example `{ "field": "outcome", "op": "!=", "value": "ALLOWED" }`,
 * `{ "field": "symptoms", "op": "not empty" }`, `{ "field": "transport_mode", "op": "=", "value": "AIR" }`.
 */
import type { Tier } from '../platform/access.ts';
import type { Kind } from '../platform/catalog.ts';

export const PREDICATE_OPS = ['=', '!=', 'in', 'empty', 'not empty'] as const;
export type PredicateOp = (typeof PREDICATE_OPS)[number];

export type Scalar = string | number | boolean | null;

export interface Predicate {
  field: string;
  op: PredicateOp;
  /** A scalar for = and !=, a non-empty list of scalars for in, absent for empty / not empty. */
  value?: Scalar | Scalar[];
}

export interface SubscriptionFilter {
  /** null: every province the agency may see. */
  provinces: string[] | null;
  where: Predicate[];
}

export interface WebhookDelivery {
  type: 'webhook';
  url: string;
  /** Standard Webhooks secret: `whsec_` + base64 of the key bytes. Never shown by the API after creation. */
  secret: string;
  maxBatchSize: number;
  /** An idle receiver gets a `truc.heartbeat` with the last sequence number this often. */
  heartbeatSeconds: number;
}

/** Heartbeat interval of a webhook subscription that does not set one (and of those stored before the setting). */
export const DEFAULT_HEARTBEAT_SECONDS = 60;
export const MAX_HEARTBEAT_SECONDS = 86_400;

export interface TopicDelivery {
  type: 'topic';
}

export type Delivery = WebhookDelivery | TopicDelivery;

export type SubscriptionState = 'active' | 'paused';

export interface Subscription {
  id: string;
  agency: string;
  kinds: Kind[];
  filter: SubscriptionFilter;
  tier: Tier;
  delivery: Delivery;
  state: SubscriptionState;
  /** Delivery starts with records written at or after this instant (epoch ms): creation, or a reset. */
  startFrom: number;
  /** Bumped by every reset: a new generation reads with a new consumer group from `startFrom`. */
  generation: number;
  createdAt: number;
  updatedAt: number;
}

/** The agency topic a topic subscription writes `kind` to. */
/** Consumer group of a subscription generation; the transactional ids of topic delivery use the prefix too. */
export function subscriptionGroupId(prefix: string, subscription: Subscription): string {
  return `${prefix}-${subscription.id}-g${subscription.generation}`;
}

export function agencyTopic(agency: string, kind: Kind): string {
  return `out.${agency}.${kind}`;
}

/** The subscription as the API shows it: the webhook secret is never echoed. */
export function publicView(subscription: Subscription): Record<string, unknown> {
  const { delivery } = subscription;
  return {
    ...subscription,
    startFrom: new Date(subscription.startFrom).toISOString(),
    createdAt: new Date(subscription.createdAt).toISOString(),
    updatedAt: new Date(subscription.updatedAt).toISOString(),
    delivery:
      delivery.type === 'webhook'
        ? { type: 'webhook', url: delivery.url, maxBatchSize: delivery.maxBatchSize, heartbeatSeconds: delivery.heartbeatSeconds, secret: '(set)' }
        : { type: 'topic', topics: subscription.kinds.map((kind) => agencyTopic(subscription.agency, kind)) },
  };
}
