/**
 * Checks a subscription as an agency (or operator) sends it and builds the stored form. Every
 * problem names its field (`filter.where[1].value`); a request beyond the agency's entitlement
 * (another agency, a kind, a province or a tier it may not see) is forbidden rather than invalid.
 * The same checks (but the entitlement and DNS) run again on every stored subscription before the
 * fan-out delivers it, since the subscriptions topic can be written without this API.
 */
import { randomBytes } from 'node:crypto';
import { TIERS, type AccessPolicy, type Entitlement, type Principal, type Tier, tierWithin } from '../platform/access.ts';
import { KINDS, isKind, type Kind } from '../platform/catalog.ts';
import type { FanoutConfig } from '../platform/config.ts';
import { alwaysVisiblePseudonymously } from '../platform/field-classes.ts';
import { provinceByCode } from '../platform/provinces.ts';
import { secretKey } from '../platform/webhook-signing.ts';
import { webhookHostProblem, webhookUrlProblem } from '../platform/webhook-target.ts';
import { canonicalField } from './canonical-fields.ts';
import { DEFAULT_HEARTBEAT_SECONDS, MAX_HEARTBEAT_SECONDS, PREDICATE_OPS, type Delivery, type Predicate, type Scalar, type Subscription, type SubscriptionFilter } from './model.ts';

export interface Problem {
  path: string;
  message: string;
}

export type Checked =
  | { ok: true; subscription: Subscription; /** A secret Truc generated, shown once. */ generatedSecret?: string }
  | { ok: false; status: 403 | 422; problems: Problem[] };

const SECRET_PATTERN = /^whsec_[A-Za-z0-9+/]+={0,2}$/;

export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isScalar(value: unknown): value is Scalar {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

class Problems {
  readonly invalid: Problem[] = [];
  readonly forbidden: Problem[] = [];
  add(path: string, message: string): void {
    this.invalid.push({ path, message });
  }
  forbid(path: string, message: string): void {
    this.forbidden.push({ path, message });
  }
}

function checkKinds(value: unknown, entitlement: Entitlement | undefined, problems: Problems): Kind[] {
  if (!Array.isArray(value) || value.length === 0) {
    problems.add('kinds', `must be a non-empty list of canonical kinds (${KINDS.join(', ')})`);
    return [];
  }
  const kinds: Kind[] = [];
  value.forEach((kind, i) => {
    if (typeof kind !== 'string' || !isKind(kind)) problems.add(`kinds[${i}]`, `${JSON.stringify(kind)} is not a canonical kind (${KINDS.join(', ')})`);
    else if (entitlement && !entitlement.kinds.includes(kind)) problems.forbid(`kinds[${i}]`, `the agency may not receive ${kind}`);
    else if (!kinds.includes(kind)) kinds.push(kind);
  });
  return kinds;
}

function checkValueFor(kind: Kind, field: string, value: unknown, path: string, problems: Problems): void {
  const info = canonicalField(kind, field)!;
  if (!isScalar(value)) return problems.add(path, 'must be a string, number, boolean or null');
  if (value === null) {
    if (!info.nullable) problems.add(path, `${field} of ${kind} is never null`);
    return;
  }
  if (info.symbols) {
    if (!info.symbols.includes(String(value))) problems.add(path, `${JSON.stringify(value)} is not a value of ${field} (${info.symbols.join(', ')})`);
    return;
  }
  const expected = info.type === 'array' ? 'string' : info.type;
  if (typeof value !== expected) problems.add(path, `${field} of ${kind} holds ${expected} values, not ${typeof value}`);
}

function checkPredicate(raw: unknown, path: string, kinds: Kind[], tier: Tier, config: FanoutConfig, problems: Problems): Predicate | null {
  if (!isObject(raw)) {
    problems.add(path, 'must be an object {field, op, value}');
    return null;
  }
  const unknown = Object.keys(raw).filter((key) => !['field', 'op', 'value'].includes(key));
  if (unknown.length > 0) problems.add(path, `unknown member ${unknown.join(', ')} (a predicate has field, op and value)`);
  const { field, op, value } = raw;
  let ok = true;
  if (typeof field !== 'string' || field === '') {
    problems.add(`${path}.field`, 'must be a dotted field path of the canonical record, e.g. outcome or person.gender');
    ok = false;
  } else {
    for (const kind of kinds) {
      const info = canonicalField(kind, field);
      if (!info) {
        problems.add(`${path}.field`, `${field} is not a field of ${kind}`);
        ok = false;
      } else if (info.type === 'record' && op !== 'empty' && op !== 'not empty') {
        problems.add(`${path}.field`, `${field} of ${kind} is a record: only empty / not empty apply to it`);
        ok = false;
      } else if (tier === 'pseudonymous' && !alwaysVisiblePseudonymously(kind, field)) {
        // Filtering on a field the subscriber may not see would tell it the field's value.
        problems.forbid(`${path}.field`, `${field} is an identifying field, not visible in the pseudonymous tier`);
        ok = false;
      }
    }
  }
  if (typeof op !== 'string' || !(PREDICATE_OPS as readonly string[]).includes(op)) {
    problems.add(`${path}.op`, `must be one of ${PREDICATE_OPS.map((o) => JSON.stringify(o)).join(', ')}`);
    return null;
  }
  if (op === 'empty' || op === 'not empty') {
    if (value !== undefined) problems.add(`${path}.value`, `takes no value with op ${JSON.stringify(op)}`);
  } else if (op === 'in') {
    if (!Array.isArray(value) || value.length === 0) problems.add(`${path}.value`, 'must be a non-empty list with op "in"');
    else if (value.length > config.maxInValues) problems.add(`${path}.value`, `holds ${value.length} values; at most ${config.maxInValues} are allowed (FANOUT_SUBSCRIPTION_MAX_IN_VALUES)`);
    else if (ok) value.forEach((item, i) => kinds.forEach((kind) => checkValueFor(kind, field as string, item, `${path}.value[${i}]`, problems)));
  } else if (value === undefined) problems.add(`${path}.value`, `is required with op ${JSON.stringify(op)}`);
  else if (ok) kinds.forEach((kind) => checkValueFor(kind, field as string, value, `${path}.value`, problems));
  return { field: field as string, op: op as Predicate['op'], ...(value === undefined ? {} : { value: value as Scalar | Scalar[] }) };
}

function checkFilter(raw: unknown, kinds: Kind[], tier: Tier, entitlement: Entitlement | undefined, config: FanoutConfig, problems: Problems): SubscriptionFilter {
  const filter: SubscriptionFilter = { provinces: null, where: [] };
  if (raw === undefined || raw === null) return filter;
  if (!isObject(raw)) {
    problems.add('filter', 'must be an object {provinces, where}');
    return filter;
  }
  const unknown = Object.keys(raw).filter((key) => !['provinces', 'where'].includes(key));
  if (unknown.length > 0) problems.add('filter', `unknown member ${unknown.join(', ')} (a filter has provinces and where)`);
  if (raw.provinces !== undefined && raw.provinces !== null) {
    if (!Array.isArray(raw.provinces) || raw.provinces.length === 0) problems.add('filter.provinces', 'must be a non-empty list of 2-digit province codes');
    else {
      filter.provinces = [];
      raw.provinces.forEach((code, i) => {
        if (typeof code !== 'string' || !provinceByCode(code)) problems.add(`filter.provinces[${i}]`, `${JSON.stringify(code)} is not a 2-digit GSO province code of 2021`);
        else if (entitlement && entitlement.provinces !== 'all' && !entitlement.provinces.includes(code)) {
          problems.forbid(`filter.provinces[${i}]`, `the agency may not receive province ${code}`);
        } else if (!filter.provinces!.includes(code)) filter.provinces!.push(code);
      });
    }
  }
  if (raw.where !== undefined && raw.where !== null) {
    if (!Array.isArray(raw.where)) problems.add('filter.where', 'must be a list of predicates {field, op, value}');
    else if (raw.where.length > config.maxPredicates) {
      problems.add('filter.where', `holds ${raw.where.length} predicates; at most ${config.maxPredicates} are allowed (FANOUT_SUBSCRIPTION_MAX_PREDICATES)`);
    } else {
      raw.where.forEach((item, i) => {
        const predicate = kinds.length > 0 ? checkPredicate(item, `filter.where[${i}]`, kinds, tier, config, problems) : null;
        if (predicate) filter.where.push(predicate);
      });
    }
  }
  return filter;
}

function checkDelivery(raw: unknown, previous: Delivery | undefined, config: FanoutConfig, problems: Problems): { delivery: Delivery; generatedSecret?: string } | null {
  if (!isObject(raw)) {
    problems.add('delivery', 'must be {"type": "webhook", "url", "secret", "maxBatchSize", "heartbeatSeconds"} or {"type": "topic"}');
    return null;
  }
  if (raw.type === 'topic') {
    const unknown = Object.keys(raw).filter((key) => key !== 'type');
    if (unknown.length > 0) problems.add('delivery', `unknown member ${unknown.join(', ')} (topic delivery has only type)`);
    return { delivery: { type: 'topic' } };
  }
  if (raw.type !== 'webhook') {
    problems.add('delivery.type', 'must be "webhook" or "topic"');
    return null;
  }
  const unknown = Object.keys(raw).filter((key) => !['type', 'url', 'secret', 'maxBatchSize', 'heartbeatSeconds'].includes(key));
  if (unknown.length > 0) problems.add('delivery', `unknown member ${unknown.join(', ')} (webhook delivery has type, url, secret, maxBatchSize, heartbeatSeconds)`);
  let url = '';
  if (typeof raw.url !== 'string') problems.add('delivery.url', 'is required: the https:// URL Truc POSTs batches to');
  else {
    const problem = webhookUrlProblem(raw.url, config.allowHosts);
    if (problem) problems.add('delivery.url', problem);
    url = raw.url;
  }
  let secret = previous?.type === 'webhook' ? previous.secret : '';
  let generatedSecret: string | undefined;
  if (raw.secret !== undefined) {
    const bytes = typeof raw.secret === 'string' && SECRET_PATTERN.test(raw.secret) ? secretKey(raw.secret).length : 0;
    if (bytes < 24) {
      problems.add('delivery.secret', 'must be "whsec_" followed by the base64 of 24 to 64 random bytes (Standard Webhooks); leave it out and Truc makes one');
    } else if (bytes > 64) problems.add('delivery.secret', 'must hold at most 64 bytes');
    else secret = raw.secret as string;
  } else if (!secret) {
    secret = generateWebhookSecret();
    generatedSecret = secret;
  }
  let maxBatchSize = 100;
  if (raw.maxBatchSize !== undefined) {
    if (typeof raw.maxBatchSize !== 'number' || !Number.isInteger(raw.maxBatchSize) || raw.maxBatchSize < 1 || raw.maxBatchSize > config.maxBatchSize) {
      problems.add('delivery.maxBatchSize', `must be a whole number from 1 to ${config.maxBatchSize}`);
    } else maxBatchSize = raw.maxBatchSize;
  }
  let heartbeatSeconds = DEFAULT_HEARTBEAT_SECONDS;
  if (raw.heartbeatSeconds !== undefined) {
    const given = raw.heartbeatSeconds;
    if (typeof given !== 'number' || !Number.isInteger(given) || given < 1 || given > MAX_HEARTBEAT_SECONDS) {
      problems.add('delivery.heartbeatSeconds', `must be a whole number of seconds from 1 to ${MAX_HEARTBEAT_SECONDS}`);
    } else heartbeatSeconds = given;
  }
  return { delivery: { type: 'webhook', url, secret, maxBatchSize, heartbeatSeconds }, ...(generatedSecret ? { generatedSecret } : {}) };
}

export interface CheckContext {
  principal: Principal;
  access: AccessPolicy;
  config: FanoutConfig;
  /** Subscriptions stored now, to refuse a second topic subscription writing the same agency topic. */
  others: Subscription[];
  now: number;
  newId: () => string;
}

/**
 * Checks a create request (`previous` undefined) or an update (members given replace the stored ones).
 */
export async function checkSubscription(body: unknown, context: CheckContext, previous?: Subscription): Promise<Checked> {
  const problems = new Problems();
  if (!isObject(body)) return { ok: false, status: 422, problems: [{ path: '(body)', message: 'must be a JSON object' }] };
  const allowedMembers = ['agency', 'kinds', 'filter', 'tier', 'delivery'];
  const unknown = Object.keys(body).filter((key) => !allowedMembers.includes(key));
  if (unknown.length > 0) problems.add('(body)', `unknown member ${unknown.join(', ')} (a subscription has ${allowedMembers.join(', ')})`);
  const { principal, access } = context;

  let agency: string;
  if (previous) {
    agency = previous.agency;
    if (body.agency !== undefined && body.agency !== agency) problems.add('agency', 'cannot change: make a new subscription for another agency');
  } else if (principal.type === 'agency') {
    agency = principal.agency;
    if (body.agency !== undefined && body.agency !== agency) problems.forbid('agency', 'an agency key makes subscriptions only for its own agency');
  } else {
    agency = typeof body.agency === 'string' ? body.agency : '';
    if (!agency) problems.add('agency', 'is required with an operator key: the agency the subscription delivers to');
    else if (!access.agency(agency)) problems.add('agency', `${JSON.stringify(agency)} is not an agency of the access file`);
  }
  const entitlement = access.agency(agency);
  // Agencies are held to their entitlement when asking; an operator's wider request is narrowed at delivery.
  const limit = principal.type === 'agency' ? entitlement : undefined;

  const kinds = checkKinds(body.kinds ?? previous?.kinds, limit, problems);
  let tier: Tier = previous?.tier ?? 'pseudonymous';
  if (body.tier !== undefined) {
    if (typeof body.tier !== 'string' || !(TIERS as readonly string[]).includes(body.tier)) problems.add('tier', `must be one of ${TIERS.join(', ')}`);
    else tier = body.tier as Tier;
  }
  if (entitlement && !tierWithin(tier, entitlement.tier)) {
    if (principal.type === 'agency') problems.forbid('tier', `${tier} is above the agency's tier (${entitlement.tier})`);
    else problems.add('tier', `${tier} is above agency ${agency}'s tier (${entitlement.tier})`);
  }
  const filter = checkFilter(body.filter !== undefined ? body.filter : previous?.filter, kinds, tier, limit, context.config, problems);
  const deliveryBody = body.delivery ?? (previous ? { ...previous.delivery, ...(previous.delivery.type === 'webhook' ? { secret: undefined } : {}) } : undefined);
  const checked = deliveryBody === undefined ? (problems.add('delivery', 'is required: {"type": "webhook", ...} or {"type": "topic"}'), null) : checkDelivery(stripUndefined(deliveryBody), previous?.delivery, context.config, problems);
  // The DNS answers are asked only of a URL that is otherwise fine (the only network step of a check).
  if (checked?.delivery.type === 'webhook' && !problems.invalid.some((problem) => problem.path === 'delivery.url')) {
    const problem = await webhookHostProblem(checked.delivery.url, context.config.allowHosts);
    if (problem) problems.add('delivery.url', problem);
  }

  const id = previous?.id ?? context.newId();
  if (checked?.delivery.type === 'topic') {
    for (const other of context.others) {
      if (other.id === id || other.agency !== agency || other.delivery.type !== 'topic') continue;
      const shared = kinds.filter((kind) => other.kinds.includes(kind));
      if (shared.length > 0) problems.add('delivery', `agency ${agency} already receives ${shared.join(', ')} on its topics through subscription ${other.id}`);
    }
  }

  if (problems.forbidden.length > 0) return { ok: false, status: 403, problems: problems.forbidden };
  if (problems.invalid.length > 0 || !checked) return { ok: false, status: 422, problems: problems.invalid };
  const subscription: Subscription = {
    id,
    agency,
    kinds,
    filter,
    tier,
    delivery: checked.delivery,
    state: previous?.state ?? 'active',
    startFrom: previous?.startFrom ?? context.now,
    generation: previous?.generation ?? 0,
    createdAt: previous?.createdAt ?? context.now,
    updatedAt: context.now,
  };
  return { ok: true, subscription, ...(checked.generatedSecret ? { generatedSecret: checked.generatedSecret } : {}) };
}

function stripUndefined(value: unknown): unknown {
  return isObject(value) ? Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) : value;
}

const isInstant = (value: unknown) => typeof value === 'number' && Number.isFinite(value) && value >= 0;

/**
 * A stored row read back from the topic, checked for the shape every reader relies on (a bad row
 * cannot crash a follower or the API's views). Whether it may be delivered is storedSubscriptionProblems'.
 */
export function parseStoredSubscription(value: unknown, key: string): Subscription {
  if (
    !isObject(value) || value.id !== key || typeof value.agency !== 'string' || !Array.isArray(value.kinds) || !isObject(value.delivery) ||
    !isObject(value.filter) || !isInstant(value.startFrom) || !isInstant(value.createdAt) || !isInstant(value.updatedAt) ||
    !Number.isSafeInteger(value.generation) || (value.state !== 'active' && value.state !== 'paused')
  ) {
    throw new Error('not a subscription');
  }
  // Webhook subscriptions stored before heartbeats existed get the default interval.
  if (value.delivery.type === 'webhook' && value.delivery.heartbeatSeconds === undefined) {
    return { ...value, delivery: { ...value.delivery, heartbeatSeconds: DEFAULT_HEARTBEAT_SECONDS } } as unknown as Subscription;
  }
  return value as unknown as Subscription;
}

/**
 * Why a stored subscription may not be delivered, whoever wrote it: every check of the API but the
 * agency's entitlement (applied at delivery) and DNS (the connection guard checks every answer).
 */
export function storedSubscriptionProblems(subscription: Subscription, config: FanoutConfig): Problem[] {
  const problems = new Problems();
  const kinds = checkKinds(subscription.kinds, undefined, problems);
  const tier = subscription.tier;
  if (!(TIERS as readonly unknown[]).includes(tier)) problems.add('tier', `must be one of ${TIERS.join(', ')}`);
  else checkFilter(subscription.filter, kinds, tier, undefined, config, problems);
  const { delivery } = subscription;
  if (delivery.type === 'webhook' && typeof delivery.secret !== 'string') problems.add('delivery.secret', 'is missing');
  else checkDelivery(delivery, undefined, config, problems);
  return [...problems.forbidden, ...problems.invalid];
}
