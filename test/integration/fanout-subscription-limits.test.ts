/**
 * The subscriptions API as an attacker meets it, on the real stack: oversize bodies, filters and
 * subscription counts are refused naming the field; another agency's subscription is answered
 * exactly like a missing one on every route; a refused webhook URL never echoes what its host
 * resolved to.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOT_ALLOWED_DESTINATION } from '../../services/platform/webhook-target.ts';
import { startFanoutBench, type FanoutBench } from '../support/fanout.ts';

const A = `a-${randomUUID().slice(0, 8)}`;
const B = `b-${randomUUID().slice(0, 8)}`;
const SECRET = `whsec_${Buffer.from('a-secret-of-at-least-24-bytes!!').toString('base64')}`;
const WEBHOOK = { type: 'webhook', url: 'http://127.0.0.1:9/hook', secret: SECRET };

describe('subscriptions API limits and isolation', () => {
  let bench: FanoutBench | undefined;
  let b: FanoutBench;

  beforeAll(async () => {
    bench = await startFanoutBench(
      {
        [A]: { kinds: 'all', provinces: 'all', tier: 'identified' },
        [B]: { kinds: 'all', provinces: 'all', tier: 'identified' },
      },
      {
        FANOUT_SUBSCRIPTION_MAX_BODY_BYTES: '4096',
        FANOUT_SUBSCRIPTION_MAX_PREDICATES: '3',
        FANOUT_SUBSCRIPTION_MAX_IN_VALUES: '4',
        FANOUT_MAX_SUBSCRIPTIONS_PER_AGENCY: '2',
      },
    );
    b = bench;
  });

  afterAll(async () => {
    await bench?.close();
  });

  function problemPaths(answer: { body: any }): string[] {
    return answer.body.error.details.problems.map((p: { path: string }) => p.path);
  }

  it('refuses a body over the limit with 413, on create and update', async () => {
    const key = b.agencyKeys[A]!;
    const big = { kinds: ['health-declaration'], filter: { where: [{ field: 'declaration_type', op: '=', value: 'x'.repeat(5_000) }] }, delivery: WEBHOOK };
    const created = await b.call('POST', '/v1/subscriptions', key, big);
    expect(created.status).toBe(413);
    expect(created.body.error).toMatchObject({ status: 413, code: 'payload_too_large' });
    expect(created.body.error.message).toBe('the body is larger than the limit of 4096 bytes');

    const own = await b.call('POST', '/v1/subscriptions', key, { kinds: ['health-declaration'], delivery: WEBHOOK });
    expect(own.status).toBe(201);
    const patched = await b.call('PATCH', `/v1/subscriptions/${own.body.id}`, key, big);
    expect(patched.status).toBe(413);
    expect((await b.call('DELETE', `/v1/subscriptions/${own.body.id}`, key)).status).toBe(204);
  });

  it('answers a caller without a valid key before reading its body, whatever its size', async () => {
    const big = { kinds: ['health-declaration'], filter: { where: [{ field: 'declaration_type', op: '=', value: 'x'.repeat(5_000) }] }, delivery: WEBHOOK };
    for (const key of [null, 'truc_not-a-key-of-anyone']) {
      for (const [method, route] of [['POST', '/v1/subscriptions'], ['PATCH', `/v1/subscriptions/${randomUUID()}`], ['POST', `/v1/subscriptions/${randomUUID()}/reset`]] as const) {
        const answer = await b.call(method, route, key, big);
        expect(answer.status, `${method} ${route} with ${key}`).toBe(401);
        expect(answer.body.error.code).toBe('unauthorized');
      }
    }
  });

  it('refuses more predicates or in-values than allowed with 422 naming the field', async () => {
    const key = b.agencyKeys[A]!;
    const predicate = { field: 'declaration_type', op: '!=', value: 'ENTRY' };
    const tooMany = await b.call('POST', '/v1/subscriptions', key, { kinds: ['health-declaration'], filter: { where: [predicate, predicate, predicate, predicate] }, delivery: WEBHOOK });
    expect(tooMany.status).toBe(422);
    expect(problemPaths(tooMany)).toEqual(['filter.where']);
    expect(tooMany.body.error.message).toMatch(/^filter\.where: holds 4 predicates; at most 3/);

    const values = ['ENTRY', 'DOMESTIC', 'ENTRY', 'DOMESTIC', 'ENTRY'];
    const tooLong = await b.call('POST', '/v1/subscriptions', key, { kinds: ['health-declaration'], filter: { where: [predicate, { field: 'declaration_type', op: 'in', value: values }] }, delivery: WEBHOOK });
    expect(tooLong.status).toBe(422);
    expect(problemPaths(tooLong)).toEqual(['filter.where[1].value']);
    expect(tooLong.body.error.message).toMatch(/^filter\.where\[1\]\.value: holds 5 values; at most 4/);

    // At the limits, the same filter is accepted.
    const fits = await b.call('POST', '/v1/subscriptions', key, { kinds: ['health-declaration'], filter: { where: [predicate, predicate, { field: 'declaration_type', op: 'in', value: values.slice(0, 4) }] }, delivery: WEBHOOK });
    expect(fits.status, JSON.stringify(fits.body)).toBe(201);
    // PATCH is held to the same limits.
    const patched = await b.call('PATCH', `/v1/subscriptions/${fits.body.id}`, key, { filter: { where: [predicate, predicate, predicate, predicate] } });
    expect(patched.status).toBe(422);
    expect(problemPaths(patched)).toEqual(['filter.where']);
    expect((await b.call('DELETE', `/v1/subscriptions/${fits.body.id}`, key)).status).toBe(204);
  });

  it('caps the subscriptions of one agency, whoever asks', async () => {
    const key = b.agencyKeys[B]!;
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const answer = await b.call('POST', '/v1/subscriptions', key, { kinds: ['health-declaration'], delivery: WEBHOOK });
      expect(answer.status).toBe(201);
      ids.push(answer.body.id);
    }
    const third = await b.call('POST', '/v1/subscriptions', key, { kinds: ['health-declaration'], delivery: WEBHOOK });
    expect(third.status).toBe(422);
    expect(problemPaths(third)).toEqual(['agency']);
    expect(third.body.error.message).toMatch(/^agency: the agency already has 2 subscriptions/);
    const byOperator = await b.call('POST', '/v1/subscriptions', b.operatorKey, { agency: B, kinds: ['health-declaration'], delivery: WEBHOOK });
    expect(byOperator.status).toBe(422);
    expect(problemPaths(byOperator)).toEqual(['agency']);
    // Another agency is not held to B's count; and once B deletes one, it may create again.
    const forA = await b.call('POST', '/v1/subscriptions', b.operatorKey, { agency: A, kinds: ['health-declaration'], delivery: WEBHOOK });
    expect(forA.status).toBe(201);
    expect((await b.call('DELETE', `/v1/subscriptions/${ids[0]}`, key)).status).toBe(204);
    const again = await b.call('POST', '/v1/subscriptions', key, { kinds: ['health-declaration'], delivery: WEBHOOK });
    expect(again.status).toBe(201);
    for (const id of [ids[1], again.body.id, forA.body.id]) expect((await b.call('DELETE', `/v1/subscriptions/${id}`, b.operatorKey)).status).toBe(204);
  });

  it('holds to the cap when an agency sends many creations at once', async () => {
    const key = b.agencyKeys[B]!;
    const answers = await Promise.all(Array.from({ length: 6 }, () => b.call('POST', '/v1/subscriptions', key, { kinds: ['health-declaration'], delivery: WEBHOOK })));
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 201, 422, 422, 422, 422]);
    const listed = (await b.call('GET', '/v1/subscriptions', key)).body.subscriptions as { id: string }[];
    expect(listed).toHaveLength(2);
    for (const { id } of listed) expect((await b.call('DELETE', `/v1/subscriptions/${id}`, key)).status).toBe(204);
  });

  it("answers another agency's subscription exactly like a missing one, on every route, and changes nothing", async () => {
    const owner = await b.call('POST', '/v1/subscriptions', b.agencyKeys[A]!, { kinds: ['health-declaration'], delivery: WEBHOOK });
    expect(owner.status).toBe(201);
    const taken = owner.body.id as string;
    const missing = randomUUID();
    const routes = (id: string): [string, string, unknown][] => [
      ['GET', `/v1/subscriptions/${id}`, undefined],
      ['GET', `/v1/subscriptions/${id}/status`, undefined],
      ['PATCH', `/v1/subscriptions/${id}`, { kinds: ['health-declaration'] }],
      ['PATCH', `/v1/subscriptions/${id}`, { kinds: ['nope'] }],
      ['POST', `/v1/subscriptions/${id}/pause`, {}],
      ['POST', `/v1/subscriptions/${id}/resume`, {}],
      ['POST', `/v1/subscriptions/${id}/reset`, { from: 0 }],
      ['POST', `/v1/subscriptions/${id}/reset`, { from: 'not a time' }],
      ['DELETE', `/v1/subscriptions/${id}`, undefined],
    ];
    const asB = b.agencyKeys[B]!;
    const forMissing = routes(missing);
    const forTaken = routes(taken);
    for (let i = 0; i < forTaken.length; i++) {
      const [method, route, body] = forTaken[i]!;
      const other = await b.call(method, route, asB, body);
      const none = await b.call(forMissing[i]![0], forMissing[i]![1], asB, forMissing[i]![2]);
      expect(other.status, `${method} ${route}`).toBe(404);
      expect(none.status, `${method} ${route}`).toBe(404);
      expect(JSON.stringify(other.body).replaceAll(taken, '<id>'), `${method} ${route}`).toBe(JSON.stringify(none.body).replaceAll(missing, '<id>'));
    }
    const after = await b.call('GET', `/v1/subscriptions/${taken}`, b.agencyKeys[A]!);
    expect(after.status).toBe(200);
    expect(after.body).toMatchObject({ state: 'active', generation: 0, updatedAt: owner.body.updatedAt });
    expect((await b.call('DELETE', `/v1/subscriptions/${taken}`, b.agencyKeys[A]!)).status).toBe(204);
  });

  it('refuses internal webhook destinations with one message that echoes no address', async () => {
    const key = b.agencyKeys[A]!;
    for (const url of ['https://localhost:8443/hook', 'https://10.1.2.3/hook', 'https://0x7f000002/hook', 'https://2130706434/hook', 'https://[::ffff:7f00:1]/hook', 'https://[64:ff9b::a00:1]/hook', 'https://[2002:a00:1::]/hook', 'https://[fec0::1]/hook', 'https://169.254.169.254/latest']) {
      const answer = await b.call('POST', '/v1/subscriptions', key, { kinds: ['health-declaration'], delivery: { ...WEBHOOK, url } });
      expect(answer.status, url).toBe(422);
      expect(answer.body.error.details.problems, url).toEqual([{ path: 'delivery.url', message: NOT_ALLOWED_DESTINATION }]);
      const text = JSON.stringify(answer.body);
      for (const leak of ['127.0.0.', '::1', '10.1.2.3', '10.0.0.1', 'a00:1', '169.254', 'resolves to']) expect(text, url).not.toContain(leak);
    }
  });
});
