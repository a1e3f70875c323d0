/**
 * Access changes without a restart, against the real stack: the API and the fan-out follow the
 * access file, so a revoked key is refused and a new one admitted within seconds, a version that does
 * not load leaves the previous one in force, and a removed agency's subscriptions stop delivering
 * while a narrowed agency gets only its new entitlement.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKey, hashKey, type AccessFile } from '../../services/platform/access.ts';
import { postRecords, startTestApi, type TestApi } from '../support/api.ts';
import { declaration, eventually, startFanoutRig, type FanoutRig } from '../support/fanout.ts';
import { rawExample } from '../fixtures/raw-examples.ts';
import { randomUUID } from 'node:crypto';

const RELOAD_MS = 250;
/** "Within seconds": the reload interval plus the time a busy test machine needs to notice. */
const WITHIN_MS = 5_000;

function readAccess(file: string): AccessFile {
  return JSON.parse(readFileSync(file, 'utf8')) as AccessFile;
}

/** Replaces the access file the way an operator's tooling should: whole, by rename. */
function writeAccess(file: string, next: AccessFile | string): void {
  writeFileSync(`${file}.tmp`, typeof next === 'string' ? next : JSON.stringify(next));
  renameSync(`${file}.tmp`, file);
}

describe('access file changes without a restart: API', () => {
  let t: TestApi;
  const url = () => `${t.url}/v1/ingest/vhd/health-declaration`;
  const record = () => ({ ...rawExample('vhd', 'health-declaration'), id: randomUUID() });
  const connectors = (key: string) => fetch(`${t.url}/v1/connectors`, { headers: { authorization: `Bearer ${key}` } }).then((r) => r.status);

  beforeAll(async () => {
    t = await startTestApi({ TRUC_ACCESS_RELOAD_MS: String(RELOAD_MS) });
  });
  afterAll(async () => {
    await t.close();
  });

  it('refuses a revoked source key and admits a newly added one within seconds', async () => {
    const oldKey = t.sourceKeys.vhd!;
    expect((await postRecords(url(), oldKey, record())).status).toBe(202);
    const newKey = generateKey();
    const since = Date.now();
    const access = readAccess(t.config.api.accessFile);
    writeAccess(t.config.api.accessFile, { ...access, sources: { ...access.sources, vhd: [hashKey(newKey)] } });
    await eventually(async () => (await postRecords(url(), oldKey, record())).status === 401, () => 'old vhd key still admitted', WITHIN_MS);
    expect(Date.now() - since).toBeLessThan(WITHIN_MS);
    expect((await postRecords(url(), newKey, record())).status).toBe(202);
    // The other sources' keys are untouched.
    expect((await postRecords(`${t.url}/v1/ingest/ncovi/health-declaration`, t.sourceKeys.ncovi!, { ...rawExample('ncovi', 'health-declaration') })).status).toBeLessThan(300);
    t.sourceKeys.vhd = newKey;
  });

  it('refuses a revoked operator key within seconds', async () => {
    expect(await connectors(t.operatorKey)).toBe(200);
    const spare = generateKey();
    writeAccess(t.config.api.accessFile, { ...readAccess(t.config.api.accessFile), operators: [hashKey(spare)] });
    await eventually(async () => (await connectors(t.operatorKey)) === 401, () => 'revoked operator key still admitted', WITHIN_MS);
    expect(await connectors(spare)).toBe(200);
    t.operatorKey = spare;
  });

  it('keeps the previous version in force when a new one does not load: nothing opens, nobody is locked out', async () => {
    const intruder = generateKey();
    const good = readAccess(t.config.api.accessFile);
    // Not JSON at all (a half-written file), then JSON with a bad entry that would add the intruder.
    writeAccess(t.config.api.accessFile, `{"sources": {"vhd": ["${hashKey(intruder)}"]`);
    await new Promise((resolve) => setTimeout(resolve, 4 * RELOAD_MS));
    expect((await postRecords(url(), t.sourceKeys.vhd!, record())).status).toBe(202);
    writeAccess(t.config.api.accessFile, { ...good, sources: { vhd: [hashKey(intruder)], nope: [] } });
    await new Promise((resolve) => setTimeout(resolve, 4 * RELOAD_MS));
    expect((await postRecords(url(), intruder, record())).status).toBe(401);
    expect((await postRecords(url(), t.sourceKeys.vhd!, record())).status).toBe(202);
    expect(await connectors(t.operatorKey)).toBe(200);
  });
});

describe('access file changes without a restart: fan-out', () => {
  const A = `gone-${randomUUID().slice(0, 8)}`;
  const B = `narrowed-${randomUUID().slice(0, 8)}`;
  const SECRETS = ['a', 'b'].map((name) => `whsec_${Buffer.from(`${name}-secret-of-at-least-24-bytes!!`).toString('base64')}`);
  let rig: FanoutRig | undefined;

  beforeAll(async () => {
    rig = await startFanoutRig({
      [A]: { kinds: ['health-declaration'], provinces: 'all', tier: 'pseudonymous' },
      [B]: { kinds: ['health-declaration'], provinces: 'all', tier: 'pseudonymous' },
    }, SECRETS, { TRUC_ACCESS_RELOAD_MS: String(RELOAD_MS) });
  });
  afterAll(async () => {
    await rig?.close();
  });

  it("stops a removed agency's deliveries and narrows a narrowed agency's to its new entitlement", async () => {
    const { bench, fanout } = rig!;
    const [receiverA, receiverB] = rig!.receivers;
    const subscribe = (agency: string, url: string, secret: string) =>
      bench.call('POST', '/v1/subscriptions', bench.agencyKeys[agency]!, { kinds: ['health-declaration'], delivery: { type: 'webhook', url, secret } });
    const created = await Promise.all([subscribe(A, receiverA!.url, SECRETS[0]!), subscribe(B, receiverB!.url, SECRETS[1]!)]);
    for (const answer of created) expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    const [subA, subB] = created.map((answer) => answer.body.id as string);
    const stateOf = (id: string) => fanout.status().subscriptions.find((s) => s.subscription === id)?.state;
    await eventually(() => stateOf(subA!) === 'delivering' && stateOf(subB!) === 'delivering', () => JSON.stringify(fanout.status()));

    const received = (receiver: typeof receiverA) => new Set(receiver!.batches.flatMap((batch) => batch.events.map((event) => event.id)));
    const before = ['01', '79', '01', '79'].map((province_code) => declaration({ province_code }));
    await bench.produce('health-declaration', before);
    const ids = (records: Record<string, unknown>[]) => records.map((r) => r.event_id as string);
    await eventually(
      () => ids(before).every((id) => received(receiverA).has(id) && received(receiverB).has(id)),
      () => `A ${received(receiverA).size}, B ${received(receiverB).size} of ${before.length}`,
    );

    const since = Date.now();
    const access = readAccess(bench.config.api.accessFile);
    const { [A]: _removed, ...agencies } = access.agencies!;
    writeAccess(bench.config.api.accessFile, { ...access, agencies: { ...agencies, [B]: { ...agencies[B]!, provinces: ['01'] } } });
    // The removed agency's subscription shows 'failing' once its delivery has stopped (and B's restarted).
    await eventually(() => stateOf(subA!) === 'failing', () => `A is ${stateOf(subA!)}`, WITHIN_MS + 5_000);
    expect(Date.now() - since).toBeLessThan(WITHIN_MS + 5_000);
    // The API follows the file on its own schedule: its refusal comes within seconds too.
    await eventually(async () => (await bench.call('GET', '/v1/subscriptions', bench.agencyKeys[A]!)).status === 401, () => 'removed agency key still admitted', WITHIN_MS);

    const after = ['01', '79', '01', '79'].map((province_code) => declaration({ province_code }));
    await bench.produce('health-declaration', after);
    const after01 = ids(after.filter((d) => d.province_code === '01'));
    await eventually(() => after01.every((id) => received(receiverB).has(id)), () => `B got ${after01.filter((id) => received(receiverB).has(id)).length} of ${after01.length}`);
    // Time for anything still flowing to arrive, then: nothing new for A, nothing outside B's new entitlement.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(ids(after).filter((id) => received(receiverA).has(id))).toEqual([]);
    expect(ids(after.filter((d) => d.province_code === '79')).filter((id) => received(receiverB).has(id))).toEqual([]);
  });
});
