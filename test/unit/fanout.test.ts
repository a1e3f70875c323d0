import { createHmac } from 'node:crypto';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { AccessFileError, AccessPolicy, hashKey } from '../../services/platform/access.ts';
import { KINDS, canonicalSchema, type Kind } from '../../services/platform/catalog.ts';
import { projectRecord, projectedSchema, withheldPaths } from '../../services/platform/field-classes.ts';
import { canonicalFieldPaths } from '../../services/subscriptions/canonical-fields.ts';
import type { Subscription } from '../../services/subscriptions/model.ts';
import { compileRowFilter, effectiveTier } from '../../services/subscriptions/row-filter.ts';
import { batchWebhookId } from '../../services/subscriptions/webhook-message.ts';
import { webhookSignature } from '../../services/platform/webhook-signing.ts';
import { withJitter } from '../../services/fanout/webhook-delivery.ts';
import { verifySignature } from '../../services/platform/webhook-signing.ts';
import { subscriptionLines } from '../../services/cli/status-command.ts';
import { sampleHealthDeclaration } from '../fixtures/health-declaration.ts';

/** Paths whose schema doc calls the field identifying (not the parent records that only mention it). */
function documentedIdentifying(kind: Kind): string[] {
  const found: string[] = [];
  const walk = (type: unknown, path: string) => {
    if (Array.isArray(type)) return type.forEach((branch) => walk(branch, path));
    if (!type || typeof type !== 'object') return;
    const record = type as { type?: unknown; fields?: { name: string; type: unknown; doc?: string }[]; items?: unknown };
    if (record.type === 'record') {
      for (const field of record.fields ?? []) {
        const fieldPath = path ? `${path}.${field.name}` : field.name;
        if (/(^|\. )Identifying\.$|treat as identifying|trace who passed/i.test(field.doc ?? '')) found.push(fieldPath);
        walk(field.type, fieldPath);
      }
    }
  };
  walk(canonicalSchema(kind), '');
  return found;
}

describe('tiers and projection', () => {
  it('drops every field the schemas document as identifying, and keeps person_key', () => {
    for (const kind of KINDS) {
      for (const path of documentedIdentifying(kind)) {
        expect(withheldPaths(kind).some((field) => path === field || path.startsWith(`${field}.`)), `${kind} ${path}`).toBe(true);
      }
      const projected = projectedSchema(kind, 'pseudonymous');
      const type = avro.Type.forSchema(projected as avro.Schema);
      const names = JSON.stringify(projected);
      expect(names).toContain('"person_key"');
      for (const field of withheldPaths(kind)) expect(canonicalFieldPaths(kind)).toContain(field);
      // An agency reading with the projected schema can read canonical data too (fields only removed).
      expect(() => type.createResolver(avro.Type.forSchema(canonicalSchema(kind) as avro.Schema))).not.toThrow();
    }
    expect(withheldPaths('health-declaration')).toEqual(['person.full_name', 'person.document', 'person.phone', 'address.line', 'exposure.places_visited']);
  });

  it('projects a record to exactly the projected schema', () => {
    const record = sampleHealthDeclaration();
    const masked = projectRecord('health-declaration', 'pseudonymous', record) as Record<string, any>;
    expect(masked.person).toEqual({ birth_year: 1990, gender: 'FEMALE', nationality: 'VN' });
    expect(masked.address).toEqual({ province_code: '79', district_code: '760', ward_code: '26734' });
    expect(masked.person_key).toBe(record.person_key);
    expect((record.person as Record<string, unknown>).full_name).toBe('Nguyễn Thị Thu Hà');
    expect(avro.Type.forSchema(projectedSchema('health-declaration', 'pseudonymous') as avro.Schema).isValid(masked)).toBe(true);
    expect(projectRecord('health-declaration', 'identified', record)).toBe(record);
  });
});

function subscription(overrides: Partial<Subscription>): Subscription {
  return {
    id: 's1', agency: 'a', kinds: ['health-declaration'], filter: { provinces: null, where: [] }, tier: 'identified',
    delivery: { type: 'topic' }, state: 'active', startFrom: 0, generation: 0, createdAt: 0, updatedAt: 0, ...overrides,
  };
}

describe('row filter', () => {
  const all = { kinds: [...KINDS], provinces: 'all' as const, tier: 'identified' as const };
  const record = sampleHealthDeclaration();

  it('applies predicates: = != in on scalars and list membership, empty / not empty', () => {
    const match = (where: Subscription['filter']['where']) => compileRowFilter(subscription({ filter: { provinces: null, where } }), all)('health-declaration', record);
    expect(match([{ field: 'declaration_type', op: '=', value: 'DOMESTIC' }])).toBe(true);
    expect(match([{ field: 'declaration_type', op: '!=', value: 'DOMESTIC' }])).toBe(false);
    expect(match([{ field: 'declaration_type', op: 'in', value: ['ENTRY', 'DOMESTIC'] }])).toBe(true);
    expect(match([{ field: 'symptoms', op: '=', value: 'FEVER' }])).toBe(true);
    expect(match([{ field: 'symptoms', op: 'not empty' }])).toBe(true);
    expect(match([{ field: 'exposure.contact_with_symptomatic', op: 'empty' }])).toBe(true);
    expect(match([{ field: 'exposure.contact_with_case', op: '=', value: false }])).toBe(true);
    expect(match([{ field: 'person.birth_year', op: '=', value: 1990 }, { field: 'symptoms', op: 'empty' }])).toBe(false);
  });

  it('keeps to the entitlement whatever the subscription asks', () => {
    const narrow = { kinds: ['health-declaration' as Kind], provinces: ['01'], tier: 'pseudonymous' as const };
    const wide = subscription({ kinds: ['health-declaration', 'checkpoint-passage'] });
    const filter = compileRowFilter(wide, narrow);
    expect(filter('health-declaration', { ...record, province_code: '01' })).toBe(true);
    expect(filter('health-declaration', { ...record, province_code: '79' })).toBe(false);
    expect(filter('health-declaration', { ...record, province_code: null })).toBe(false);
    expect(filter('checkpoint-passage', { ...record, province_code: '01' })).toBe(false);
    expect(effectiveTier(wide, narrow)).toBe('pseudonymous');
    expect(compileRowFilter(subscription({ filter: { provinces: ['79'], where: [] } }), all)('health-declaration', record)).toBe(true);
  });
});

describe('webhook messages', () => {
  const secret = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;

  it('signs id.timestamp.body with the decoded secret (Standard Webhooks v1)', () => {
    const signature = webhookSignature(secret, 'msg_1', 1_700_000_000, '{"a":1}');
    const expected = createHmac('sha256', Buffer.from('0123456789abcdef0123456789abcdef')).update('msg_1.1700000000.{"a":1}').digest('base64');
    expect(signature).toBe(`v1,${expected}`);
    expect(verifySignature(secret, 'msg_1', '1700000000', '{"a":1}', `v1,bogus ${signature}`)).toBe(true);
    expect(verifySignature(secret, 'msg_1', '1700000000', '{"a":2}', signature)).toBe(false);
  });

  it('names a batch by its events: the event id alone, or a stable hash of the ids', () => {
    expect(batchWebhookId('s1', ['e1'])).toBe('e1');
    const id = batchWebhookId('s1', ['e1', 'e2']);
    expect(id).toMatch(/^batch_[A-Za-z0-9_-]{32}$/);
    expect(batchWebhookId('s1', ['e1', 'e2'])).toBe(id);
    expect(batchWebhookId('s1', ['e2', 'e1'])).not.toBe(id);
    expect(batchWebhookId('s2', ['e1', 'e2'])).not.toBe(id);
  });

  it('jitters retries within ±20 %', () => {
    expect(withJitter(1_000, () => 0)).toBe(800);
    expect(withJitter(1_000, () => 1)).toBe(1_200);
  });
});

describe('agencies in the access file', () => {
  const hash = hashKey('agency-key');

  it('reads agencies with their entitlement, and files without agencies as before', () => {
    const policy = new AccessPolicy({
      operators: [hashKey('op')],
      agencies: { 'cdc-hanoi': { keys: [hash], kinds: ['health-declaration'], provinces: ['01'], tier: 'pseudonymous' }, moh: { keys: [hashKey('moh')], kinds: 'all', provinces: 'all', tier: 'identified' } },
    });
    expect(policy.identify('agency-key')).toEqual({ type: 'agency', agency: 'cdc-hanoi', entitlement: { kinds: ['health-declaration'], provinces: ['01'], tier: 'pseudonymous' } });
    expect(policy.agency('moh')).toEqual({ kinds: [...KINDS], provinces: 'all', tier: 'identified' });
    expect(new AccessPolicy({ operators: [hashKey('op')] }).identify('op')).toEqual({ type: 'operator' });
  });

  it('names the field of a bad agency entry', () => {
    const bad = (entry: unknown, id = 'cdc') => () => new AccessPolicy({ agencies: { [id]: entry as never } });
    const good = { keys: [hash], kinds: 'all', provinces: 'all', tier: 'identified' };
    expect(bad({ ...good, kinds: ['flu'] })).toThrow(/agencies\.cdc\.kinds\[0\]="flu"/);
    expect(bad({ ...good, provinces: ['99'] })).toThrow(/agencies\.cdc\.provinces\[0\]="99"/);
    expect(bad({ ...good, tier: 'everything' })).toThrow(/agencies\.cdc\.tier/);
    expect(bad({ ...good, keys: ['plain'] })).toThrow(/agencies\.cdc\.keys\[0\]/);
    expect(bad({ ...good, keys: [] })).toThrow(/agencies\.cdc\.keys/);
    expect(bad(good, 'Bad Agency')).toThrow(AccessFileError);
  });
});

describe('truc status lines', () => {
  it('shows each subscription with its delivery figures', () => {
    const lines = subscriptionLines([
      { id: 's1', agency: 'cdc', state: 'active', delivery: { type: 'webhook' }, status: { state: 'failing', delivered: 5, retries: 7, deadLetters: 3, lag: 2, lastSequence: 8, eventsSinceStart: 6, lastSuccessAt: null, lastError: { at: '2021-08-01T00:00:00.000Z', message: 'receiver answered 500' } } },
      { id: 's2', agency: 'cdc', state: 'paused', delivery: { type: 'topic' }, status: null },
    ]);
    expect(lines[0]).toMatch(/cdc\/s1 .*webhook failing delivered 5 {2}retries 7 {2}dead letters 3 {2}lag 2 {2}seq 8 \(6 since start\) .*last error .*receiver answered 500/);
    expect(lines[1]).toMatch(/cdc\/s2 .*topic +paused no status yet/);
    expect(subscriptionLines([])).toEqual(['  none']);
  });
});
