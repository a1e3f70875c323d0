/**
 * The demo agency of npm start: added to a local access file once, its receiver verifies and
 * counts what its webhook subscription delivers, its topic subscription fills out.<agency>.<kind>.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoAgencyStage, ensureDemoAgency, startDemoAgency, withDemoReceiverAllowed, type DemoAgency } from '../../services/demo/demo-agency.ts';
import { startFanout, type RunningFanout } from '../../services/fanout/fanout.ts';
import { fanoutStage } from '../../services/fanout/live-stages.ts';
import { loadAccessPolicy } from '../../services/platform/access.ts';
import { createLogger } from '../../services/platform/logger.ts';
import { readTopicToEnd } from '../../services/platform/topic-ends.ts';
import { declaration, eventually, startFanoutBench, type FanoutBench } from '../support/fanout.ts';

const AGENCY = `demo-${randomUUID().slice(0, 8)}`;

describe('demo agency', () => {
  let bench: FanoutBench;
  let fanout: RunningFanout;
  let demo: DemoAgency;

  beforeAll(async () => {
    // No allow-list: the demo adds its own receiver's host.
    bench = await startFanoutBench({}, { FANOUT_WEBHOOK_ALLOW_HOSTS: '' });
  });

  afterAll(async () => {
    await demo?.close();
    await fanout?.close();
    await bench?.close();
  });

  it('is added once, receives signed webhooks and fills its topics', async () => {
    const accessFile = bench.config.api.accessFile;
    expect(ensureDemoAgency(accessFile, AGENCY)).toBe(true);
    expect(ensureDemoAgency(accessFile, AGENCY)).toBe(false);
    const keys = JSON.parse(readFileSync(path.join(path.dirname(accessFile), 'local-keys.json'), 'utf8'));
    const access = loadAccessPolicy(accessFile);
    expect(access.identify(keys.agencies[AGENCY])).toMatchObject({ type: 'agency', agency: AGENCY, entitlement: { tier: 'pseudonymous' } });

    const config = withDemoReceiverAllowed(bench.config);
    const logger = createLogger('test-demo', 'silent');
    fanout = await startFanout({ config, logger });
    demo = await startDemoAgency({ config, logger, access, store: fanout.store, agency: AGENCY });

    const records = Array.from({ length: 12 }, () => declaration({}));
    await eventually(() => fanout.status().subscriptions.filter((s) => s.state === 'delivering').length === 2, () => JSON.stringify(fanout.status()));
    await bench.produce('health-declaration', records);
    await eventually(() => demo.receiver.counts().uniqueEvents === records.length, () => `demo received ${demo.receiver.counts().uniqueEvents}`);
    await eventually(async () => (await readTopicToEnd(bench.kafka, `out.${AGENCY}.health-declaration`)).length === records.length, () => 'demo topic');
    expect(demo.receiver.counts().badSignatures).toBe(0);
    const [fanoutLine, demoLine] = [fanoutStage(fanout), demoAgencyStage(demo, fanout)];
    expect(demoLine.total()).toBe(records.length);
    expect(fanoutLine.total()).toBe(2 * records.length);
    expect(fanoutLine.detail!()).toMatch(/^2 subscriptions, 0 failing, 0 dead letters/);
    expect(demo.statusLine(fanout.status())).toMatch(new RegExp(`webhook 12 events received .*0 bad signatures.*out\\.${AGENCY}\\.\\* 12 records`));
  });
});
