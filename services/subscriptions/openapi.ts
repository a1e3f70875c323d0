/**
 * The subscriptions part of the OpenAPI document (services/api/openapi.ts merges it in).
 */
import { TIERS } from '../platform/access.ts';
import { KINDS } from '../platform/catalog.ts';
import { PREDICATE_OPS } from './model.ts';

const error = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
const subscription = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Subscription' } } } });
const idParameter = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const denied = {
  401: error('No valid API key.'),
  403: error('A source key.'),
  404: error('No such subscription, or one of another agency (answered alike).'),
};
const tooLarge = error('The body is larger than the subscriptions\' limit (FANOUT_SUBSCRIPTION_MAX_BODY_BYTES, 64 KiB by default).');

export const subscriptionSchemas = {
  Predicate: {
    type: 'object',
    required: ['field', 'op'],
    description:
      'A condition on one field of the canonical record (dotted path, e.g. `outcome`, `person.gender`, `transport_mode`). ' +
      '`=`, `!=` and `in` compare with a value of the field\'s type (enum symbols as strings); on a list field they test membership ' +
      '(`symptoms = FEVER`). `empty` / `not empty`: null, "" or []. Identifying fields cannot be used by a pseudonymous subscription.',
    properties: {
      field: { type: 'string', examples: ['outcome'] },
      op: { enum: [...PREDICATE_OPS] },
      value: { description: 'A scalar for = and !=, a non-empty list for in, absent for empty / not empty.' },
    },
  },
  SubscriptionRequest: {
    type: 'object',
    required: ['kinds', 'delivery'],
    properties: {
      agency: { type: 'string', description: 'Operators only (required for them): the agency the subscription belongs to. An agency key subscribes its own agency.' },
      kinds: { type: 'array', minItems: 1, items: { enum: [...KINDS] } },
      tier: { enum: [...TIERS], default: 'pseudonymous', description: 'pseudonymous: no name, identity document, phone, address line (citizen reports: no text or reporter); person_key kept. Never above the agency\'s tier.' },
      filter: {
        type: 'object',
        properties: {
          provinces: { type: 'array', items: { type: 'string', pattern: '^[0-9]{2}$' }, description: 'Province codes (record province_code); within the agency\'s provinces.' },
          where: { type: 'array', items: { $ref: '#/components/schemas/Predicate' }, description: 'All must hold; each field must exist in every kind of the subscription.' },
        },
      },
      delivery: {
        oneOf: [
          {
            type: 'object',
            required: ['type', 'url'],
            properties: {
              type: { const: 'webhook' },
              url: { type: 'string', format: 'uri', description: 'https; its host must resolve only to public addresses, checked again at every connection (plain http and internal addresses only for hosts on FANOUT_WEBHOOK_ALLOW_HOSTS).' },
              secret: { type: 'string', description: 'Standard Webhooks secret, `whsec_` + base64 of 24-64 bytes. Left out: Truc makes one and returns it once.' },
              maxBatchSize: { type: 'integer', minimum: 1, default: 100 },
              heartbeatSeconds: { type: 'integer', minimum: 1, maximum: 86400, default: 60, description: 'An idle receiver gets {"type":"truc.heartbeat","subscription","seq","time"} (signed like batches, seq = the last sequence number given) after this many seconds without a delivery.' },
            },
          },
          { type: 'object', required: ['type'], properties: { type: { const: 'topic', description: 'Avro records on out.<agency>.<kind> (subject out.<agency>.<kind>-value), written in transactions: read them read_committed.' } } },
        ],
      },
    },
  },
  DeliveryStatus: {
    type: ['object', 'null'],
    properties: {
      state: { enum: ['starting', 'delivering', 'retrying', 'failing', 'paused'] },
      delivered: { type: 'integer' },
      retries: { type: 'integer' },
      deadLetters: { type: 'integer', description: 'Events moved to dlq.sink.<subscription> after the retry budget.' },
      lag: { type: 'integer', description: 'Canonical records not yet processed by the subscription.' },
      lastSequence: { type: 'integer', description: 'The last sequence number given to an event of the subscription (0: none yet).' },
      eventsSinceStart: { type: 'integer', description: 'Events numbered since the fan-out instance delivering the subscription started it.' },
      lastSuccessAt: { type: ['string', 'null'], format: 'date-time' },
      lastError: { type: ['object', 'null'], properties: { at: { type: 'string', format: 'date-time' }, message: { type: 'string' } } },
    },
  },
  Subscription: {
    type: 'object',
    properties: {
      id: { type: 'string' },
      agency: { type: 'string' },
      kinds: { type: 'array', items: { enum: [...KINDS] } },
      tier: { enum: [...TIERS] },
      filter: { type: 'object' },
      delivery: { type: 'object', description: 'The webhook secret shows as "(set)", except in the answer that created it when Truc generated it.' },
      state: { enum: ['active', 'paused'] },
      startFrom: { type: 'string', format: 'date-time', description: 'Delivery covers records written from this instant (creation or last reset).' },
      generation: { type: 'integer', description: 'Number of resets.' },
      createdAt: { type: 'string', format: 'date-time' },
      updatedAt: { type: 'string', format: 'date-time' },
      status: { $ref: '#/components/schemas/DeliveryStatus' },
    },
  },
};

const invalid = error(
  'The subscription is malformed or over a limit (predicates, `in` values, subscriptions of the agency); `details.problems` names each field (`path`) and what is wrong.',
);

export const subscriptionPaths = {
  '/v1/subscriptions': {
    get: {
      summary: 'List subscriptions (an agency sees its own, an operator all)',
      responses: { 200: { description: 'Subscriptions with their delivery status.', content: { 'application/json': { schema: { type: 'object', properties: { subscriptions: { type: 'array', items: { $ref: '#/components/schemas/Subscription' } } } } } } }, 401: denied[401], 403: denied[403] },
    },
    post: {
      summary: 'Create a subscription',
      description:
        'Webhook batches are POSTed as {"type":"truc.events","subscription","events":[{"id","seq","kind","time","key","data"}]} with the Standard Webhooks ' +
        'headers webhook-id (the event id for a batch of one; for larger batches "batch_" + a hash of the subscription and event ids, the same on every retry), ' +
        'webhook-timestamp and webhook-signature (v1,base64 HMAC-SHA-256 of "id.timestamp.body"). Receivers drop repeats by webhook-id and by event id. ' +
        '`seq` numbers the subscription\'s events 1, 2, 3, … (the same on every resend; agency topics carry it in the header truc-sequence): a missing number is a hole, ' +
        'refilled through GET /v1/subscriptions/{id}/events.',
      requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/SubscriptionRequest' } } } },
      responses: { 201: subscription('Created.'), 401: denied[401], 403: error('Beyond the agency\'s entitlement (kinds, provinces, tier) or another agency.'), 413: tooLarge, 422: invalid },
    },
  },
  '/v1/subscriptions/{id}': {
    get: { summary: 'One subscription', parameters: [idParameter], responses: { 200: subscription('The subscription and its status.'), ...denied } },
    patch: {
      summary: 'Change kinds, filter, tier or delivery (members left out stay)',
      parameters: [idParameter],
      requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/SubscriptionRequest' } } } },
      responses: { 200: subscription('Changed; delivery continues from where it was with the new settings.'), ...denied, 413: tooLarge, 422: invalid },
    },
    delete: { summary: 'Delete a subscription', parameters: [idParameter], responses: { 204: { description: 'Deleted.' }, ...denied } },
  },
  '/v1/subscriptions/{id}/status': {
    get: { summary: 'Delivery status', parameters: [idParameter], responses: { 200: { description: 'Status (null before the fan-out first reported).', content: { 'application/json': { schema: { type: 'object', properties: { subscription: { type: 'string' }, status: { $ref: '#/components/schemas/DeliveryStatus' } } } } } }, ...denied } },
  },
  '/v1/subscriptions/{id}/events': {
    get: {
      summary: 'Events by sequence number, again (to refill a hole)',
      description:
        'The events the subscription numbered since..until, as its delivery shows them (same filter, entitlement and tier, as they stand now), in number order. ' +
        'A page covers at most FANOUT_EVENTS_PAGE_SIZE numbers (500 by default); `next` is the path of the next page, null once the range is covered. ' +
        'Numbers above lastSequence are not covered. A number whose event cannot be returned is listed in `unavailable`: expired (past the retention of the journal or the canonical topic) or withheld (no longer within the subscription or the agency\'s entitlement).',
      parameters: [
        idParameter,
        { name: 'since', in: 'query', required: true, schema: { type: 'integer', minimum: 1 } },
        { name: 'until', in: 'query', required: false, schema: { type: 'integer', minimum: 1 }, description: 'At least since, and at most FANOUT_EVENTS_MAX_RANGE (1,000,000 by default) numbers after it; left out: as far as that allows.' },
      ],
      responses: {
        200: {
          description: 'One page.',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: {
                  subscription: { type: 'string' },
                  since: { type: 'integer' },
                  until: { type: 'integer', description: 'The last number this page covers (since - 1 when none).' },
                  lastSequence: { type: 'integer' },
                  events: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, seq: { type: 'integer' }, kind: { enum: [...KINDS] }, time: { type: 'string', format: 'date-time' }, key: { type: ['string', 'null'] }, data: { type: 'object' } } } },
                  unavailable: { type: 'array', items: { type: 'object', properties: { seq: { type: 'integer' }, reason: { enum: ['expired', 'withheld'] } } } },
                  next: { type: ['string', 'null'] },
                },
              },
            },
          },
        },
        400: error('since or until is missing, not a whole number from 1, until is below since, or the range is wider than allowed.'),
        ...denied,
      },
    },
  },
  '/v1/subscriptions/{id}/{action}': {
    post: {
      summary: 'Pause, resume, or reset (replay from an instant)',
      description: 'reset takes {"from": ISO-8601 or epoch ms}: every record written since then is delivered again (a new consumer group from that instant).',
      parameters: [idParameter, { name: 'action', in: 'path', required: true, schema: { enum: ['pause', 'resume', 'reset'] } }],
      requestBody: { content: { 'application/json': { schema: { type: 'object', properties: { from: { oneOf: [{ type: 'string', format: 'date-time' }, { type: 'integer' }] } } } } } },
      responses: { 200: subscription('The subscription after the action.'), ...denied, 413: tooLarge, 422: error('reset: `from` is not an instant, or in the future.') },
    },
  },
};
