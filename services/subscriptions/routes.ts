/**
 * The subscriptions API: agencies manage their own subscriptions (and read their delivery status);
 * operators manage everyone's. Changes are written to the compacted subscriptions topic, which
 * every fan-out instance follows. Another agency's subscription is answered exactly like one that
 * does not exist, so ids cannot be probed; bodies, filters and each agency's number of
 * subscriptions are capped (FanoutConfig). A subscription's events can be read again by sequence
 * number (sequence-events.ts), by the same callers.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kafka } from 'kafkajs';
import type { AccessSource, Principal } from '../platform/access.ts';
import { createAvroSerde, type AvroSerde } from '../platform/avro-serde.ts';
import type { Config } from '../platform/config.ts';
import { sendError, sendKeyRequired } from '../platform/http-errors.ts';
import type { Logger } from '../platform/logger.ts';
import { publicView, type Subscription } from './model.ts';
import { checkRange, readEventsPage } from './sequence-events.ts';
import { SubscriptionStore } from './store.ts';
import { checkSubscription } from './validation.ts';

export interface SubscriptionRoutesOptions {
  config: Config;
  kafka: Kafka;
  logger: Logger;
  access: AccessSource;
}

type Caller = Exclude<Principal, { type: 'source' }>;

export class SubscriptionRoutes {
  readonly store: SubscriptionStore;
  private readonly options: SubscriptionRoutesOptions;
  private readonly serde: AvroSerde;

  private constructor(store: SubscriptionStore, options: SubscriptionRoutesOptions) {
    this.store = store;
    this.options = options;
    this.serde = createAvroSerde(options.config.schemaRegistry);
  }

  static async start(options: SubscriptionRoutesOptions): Promise<SubscriptionRoutes> {
    return new SubscriptionRoutes(await SubscriptionStore.start(options.kafka, options.config, options.logger), options);
  }

  close(): Promise<void> {
    return this.store.close();
  }

  /** Runs before the body is read: a caller without an agency or operator key is answered at once. */
  private readonly admitSubscriber = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    if (!request.principal) return sendKeyRequired(reply);
    if (request.principal.type === 'source') return sendError(reply, 403, 'forbidden', 'subscriptions need an agency or operator key');
    return undefined;
  };

  /** The caller of a request admitSubscriber let through. */
  private caller(request: FastifyRequest): Caller {
    return request.principal as Caller;
  }

  /** The subscription `id` if the caller may see it; otherwise answers 404 (the same whether it exists or not) and returns null. */
  private owned(caller: Caller, id: string, reply: FastifyReply): Subscription | null {
    const subscription = this.store.get(id);
    if (!subscription || (caller.type === 'agency' && caller.agency !== subscription.agency)) {
      sendError(reply, 404, 'unknown_subscription', `no subscription ${JSON.stringify(id)}`);
      return null;
    }
    return subscription;
  }

  /** Creations under way per agency, counted against its cap with the stored ones (concurrent requests cannot pass it together). */
  private readonly creating = new Map<string, number>();

  /** Creates a subscription unless its agency is at its cap. */
  private async create(caller: Caller, body: unknown, reply: FastifyReply): Promise<FastifyReply> {
    const agency = caller.type === 'agency' ? caller.agency : (body as { agency?: unknown } | null)?.agency;
    // Without a usable agency the checks of save() answer.
    if (typeof agency !== 'string') return this.save(caller, body, reply);
    const limit = this.options.config.fanout.maxSubscriptionsPerAgency;
    const pending = this.creating.get(agency) ?? 0;
    if (this.store.list().filter((s) => s.agency === agency).length + pending >= limit) {
      const message = `the agency already has ${limit} subscriptions, the most one agency may have (FANOUT_MAX_SUBSCRIPTIONS_PER_AGENCY): delete one first`;
      return sendError(reply, 422, 'invalid_subscription', `agency: ${message}`, { details: { problems: [{ path: 'agency', message }] } });
    }
    this.creating.set(agency, pending + 1);
    try {
      return await this.save(caller, body, reply);
    } finally {
      const left = (this.creating.get(agency) ?? 1) - 1;
      if (left > 0) this.creating.set(agency, left);
      else this.creating.delete(agency);
    }
  }

  private view(subscription: Subscription): Record<string, unknown> {
    return { ...publicView(subscription), status: this.store.status(subscription.id) ?? null };
  }

  private async save(caller: Caller, body: unknown, reply: FastifyReply, previous?: Subscription): Promise<FastifyReply> {
    const { access, config, logger } = this.options;
    const checked = await checkSubscription(body, {
      principal: caller,
      access: access.current(),
      config: config.fanout,
      others: this.store.list(),
      now: Date.now(),
      newId: randomUUID,
    }, previous);
    if (!checked.ok) {
      const [first] = checked.problems;
      const message = `${first!.path}: ${first!.message}${checked.problems.length > 1 ? ` (and ${checked.problems.length - 1} more)` : ''}`;
      return sendError(reply, checked.status, checked.status === 403 ? 'forbidden' : 'invalid_subscription', message, { details: { problems: checked.problems } });
    }
    await this.store.put(checked.subscription);
    logger.info({ subscription: checked.subscription.id, agency: checked.subscription.agency, by: caller.type, action: previous ? 'update' : 'create' }, 'subscription saved');
    const view = this.view(checked.subscription);
    // A secret Truc made is shown this once, like an API key.
    if (checked.generatedSecret) (view.delivery as Record<string, unknown>).secret = checked.generatedSecret;
    return reply.code(previous ? 200 : 201).send(view);
  }

  register(app: FastifyInstance): void {
    const admitted = { onRequest: this.admitSubscriber };
    // Subscriptions are small: their own body limit, far below ingest's.
    const withBody = { ...admitted, bodyLimit: this.options.config.fanout.maxSubscriptionBodyBytes };
    app.post('/v1/subscriptions', withBody, async (request, reply) => this.create(this.caller(request), request.body, reply));
    app.get('/v1/subscriptions', admitted, async (request) => {
      const caller = this.caller(request);
      const visible = this.store.list().filter((s) => caller.type === 'operator' || s.agency === caller.agency);
      return { subscriptions: visible.map((s) => this.view(s)) };
    });
    app.get<{ Params: { id: string } }>('/v1/subscriptions/:id', admitted, async (request, reply) => {
      const subscription = this.owned(this.caller(request), request.params.id, reply);
      return subscription ? this.view(subscription) : reply;
    });
    app.get<{ Params: { id: string } }>('/v1/subscriptions/:id/status', admitted, async (request, reply) => {
      const subscription = this.owned(this.caller(request), request.params.id, reply);
      return subscription ? { subscription: subscription.id, status: this.store.status(subscription.id) ?? null } : reply;
    });
    app.get<{ Params: { id: string }; Querystring: Record<string, unknown> }>('/v1/subscriptions/:id/events', admitted, async (request, reply) => {
      const subscription = this.owned(this.caller(request), request.params.id, reply);
      if (!subscription) return reply;
      const { config, kafka, access } = this.options;
      const checked = checkRange(request.query, config.fanout.eventsMaxRange);
      if (!checked.ok) {
        return sendError(reply, 400, 'invalid_range', `${checked.path}: ${checked.message}`, { details: { problems: [{ path: checked.path, message: checked.message }] } });
      }
      const entitlement = access.current().agency(subscription.agency);
      const page = await readEventsPage({ kafka, serde: this.serde, config: config.fanout }, subscription, entitlement, checked.range);
      const { nextSince, ...rest } = page;
      const untilAsked = request.query.until === undefined ? '' : `&until=${checked.range.until}`;
      return { ...rest, next: nextSince === null ? null : `/v1/subscriptions/${encodeURIComponent(subscription.id)}/events?since=${nextSince}${untilAsked}` };
    });
    app.patch<{ Params: { id: string } }>('/v1/subscriptions/:id', withBody, async (request, reply) => {
      const caller = this.caller(request);
      const subscription = this.owned(caller, request.params.id, reply);
      return subscription ? this.save(caller, request.body, reply, subscription) : reply;
    });
    app.delete<{ Params: { id: string } }>('/v1/subscriptions/:id', admitted, async (request, reply) => {
      const caller = this.caller(request);
      const subscription = this.owned(caller, request.params.id, reply);
      if (!subscription) return reply;
      await this.store.delete(subscription.id);
      this.options.logger.info({ subscription: subscription.id, by: caller.type }, 'subscription deleted');
      return reply.code(204).send();
    });
    app.post<{ Params: { id: string; action: string } }>('/v1/subscriptions/:id/:action', withBody, async (request, reply) => {
      const caller = this.caller(request);
      const subscription = this.owned(caller, request.params.id, reply);
      if (!subscription) return reply;
      const { action } = request.params;
      const now = Date.now();
      let next: Subscription;
      if (action === 'pause' || action === 'resume') {
        next = { ...subscription, state: action === 'pause' ? 'paused' : 'active', updatedAt: now };
      } else if (action === 'reset') {
        const from = (request.body as { from?: unknown } | undefined)?.from;
        const at = typeof from === 'number' ? from : typeof from === 'string' ? Date.parse(from) : Number.NaN;
        if (!Number.isFinite(at) || at < 0 || at > now) {
          return sendError(reply, 422, 'invalid_reset', 'from: must be an instant not in the future, as ISO-8601 or epoch milliseconds', {
            details: { problems: [{ path: 'from', message: 'must be an ISO-8601 instant or epoch milliseconds, not in the future' }] },
          });
        }
        next = { ...subscription, startFrom: at, generation: subscription.generation + 1, updatedAt: now };
      } else {
        return sendError(reply, 404, 'unknown_action', `subscriptions can be paused, resumed or reset, not ${JSON.stringify(action)}`);
      }
      await this.store.put(next);
      this.options.logger.info({ subscription: next.id, action, by: caller.type }, 'subscription changed');
      return this.view(next);
    });
  }
}
