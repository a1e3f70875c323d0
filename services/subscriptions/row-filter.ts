/**
 * Which records a subscription delivers: its kinds, provinces and predicates, always within its
 * agency's entitlement (kinds and provinces), whatever the subscription itself says — the access
 * file may have narrowed the agency since the subscription was made.
 */
import { tierWithin, type Entitlement, type Tier } from '../platform/access.ts';
import type { Kind } from '../platform/catalog.ts';
import { valueAt } from './canonical-fields.ts';
import type { Predicate, Scalar, Subscription } from './model.ts';

export type RowFilter = (kind: Kind, record: Record<string, unknown>) => boolean;

function isEmpty(value: unknown): boolean {
  return value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0);
}

/** Arrays match = / != / in by membership ("symptoms = FEVER": FEVER is among the symptoms). */
function matches(value: unknown, wanted: Scalar): boolean {
  return Array.isArray(value) ? value.includes(wanted) : (value ?? null) === wanted;
}

function compilePredicate(predicate: Predicate): (record: Record<string, unknown>) => boolean {
  const { field, op } = predicate;
  switch (op) {
    case 'empty':
      return (record) => isEmpty(valueAt(record, field));
    case 'not empty':
      return (record) => !isEmpty(valueAt(record, field));
    case '=':
      return (record) => matches(valueAt(record, field), predicate.value as Scalar);
    case '!=':
      return (record) => !matches(valueAt(record, field), predicate.value as Scalar);
    case 'in': {
      const wanted = predicate.value as Scalar[];
      return (record) => wanted.some((value) => matches(valueAt(record, field), value));
    }
  }
}

/** The kinds a subscription delivers: those it asks for that its agency may receive. */
export function deliveredKinds(subscription: Subscription, entitlement: Entitlement): Kind[] {
  return subscription.kinds.filter((kind) => entitlement.kinds.includes(kind));
}

export function compileRowFilter(subscription: Subscription, entitlement: Entitlement): RowFilter {
  const kinds = new Set(deliveredKinds(subscription, entitlement));
  const allowed = entitlement.provinces === 'all' ? null : new Set(entitlement.provinces);
  const wanted = subscription.filter.provinces ? new Set(subscription.filter.provinces) : null;
  const predicates = subscription.filter.where.map(compilePredicate);
  return (kind, record) => {
    if (!kinds.has(kind)) return false;
    const province = (record.province_code as string | null | undefined) ?? null;
    if (allowed && (province === null || !allowed.has(province))) return false;
    if (wanted && (province === null || !wanted.has(province))) return false;
    return predicates.every((predicate) => predicate(record));
  };
}

/** The tier a subscription is delivered at: its own, never above its agency's. */
export function effectiveTier(subscription: Subscription, entitlement: Entitlement): Tier {
  return tierWithin(subscription.tier, entitlement.tier) ? subscription.tier : entitlement.tier;
}
