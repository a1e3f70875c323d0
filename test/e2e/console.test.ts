/**
 * The operator console in a real headless browser (Debian's Chromium) over the whole pipeline: the
 * API, the normalizer, the ClickHouse sink and the fan-out with a webhook subscription, fed by the
 * demo feed through the real ingest. It signs in and sees every stage move, pauses and resumes a
 * connector, finds a forced dead letter, shows and replays it; wrong or missing keys see no data.
 * A screenshot goes to test-output/console/console.png for reviewers.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClickHouseSink, type RunningClickHouseSink } from '../../connectors/clickhouse-sink/sink.ts';
import { startDemoFeed, type DemoFeed } from '../../services/demo/demo-feed.ts';
import { postItems } from '../../services/demo/ingest-poster.ts';
import { startDemoReceiver, type DemoReceiver } from '../../services/demo/demo-receiver.ts';
import { startFanout, type RunningFanout } from '../../services/fanout/fanout.ts';
import { generate } from '../../services/generator/index.ts';
import { startNormalizer, type RunningNormalizer } from '../../services/normalizer/normalizer.ts';
import { generateKey, hashKey } from '../../services/platform/access.ts';
import { rawTopic, type Kind } from '../../services/platform/catalog.ts';
import { loadConfig, REPO_ROOT } from '../../services/platform/config.ts';
import { createLogger } from '../../services/platform/logger.ts';
import { HEADER, headerString } from '../../services/platform/record-headers.ts';
import { readTopicToEnd } from '../../services/platform/topic-ends.ts';
import { startTestApi, type TestApi } from '../support/api.ts';
import { launchBrowser, type TestBrowser } from '../support/browser.ts';
import { sinkStartsAtEnd } from '../support/clickhouse-sink.ts';
import { testKafka } from '../support/kafka.ts';
import { deploymentContentId } from '../support/content-id.ts';

const logger = createLogger('e2e-console', 'silent');
const OUTPUT = path.join(REPO_ROOT, 'test-output/console');
const SECRET = `whsec_${Buffer.from('console-test-secret-of-24-bytes+').toString('base64')}`;
const STAGES = ['ingest', 'normalizer', 'clickhouse', 'fan-out'];

/** A datetime-local input's value: the minute of `ms` in local time (the browser's, on this machine). */
function localMinute(ms: number): string {
  const at = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())}T${two(at.getHours())}:${two(at.getMinutes())}`;
}

describe('the operator console in a browser', () => {
  const id = randomUUID().slice(0, 8);
  const env = {
    CLICKHOUSE_DATABASE: `e2e_console_${id}`,
    CLICKHOUSE_SINK_GROUP_ID: `e2e-console-sink-${id}`,
    FANOUT_SUBSCRIPTIONS_TOPIC: `e2e-console-subscriptions-${id}`,
    FANOUT_STATUS_TOPIC: `e2e-console-status-${id}`,
    FANOUT_GROUP_PREFIX: `e2e-console-fanout-${id}`,
    FANOUT_WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
    AUDIT_TOPIC: `e2e-console-audit-${id}`,
    AUDIT_SINK_GROUP_ID: `e2e-console-audit-sink-${id}`,
    DEMO_FEED_RATE: '200',
  };
  const config = loadConfig({ ...process.env, ...env });
  const kafka = testKafka(config);
  const agencyKey = generateKey();
  let normalizer: RunningNormalizer;
  let sink: RunningClickHouseSink;
  let t: TestApi;
  let fanout: RunningFanout;
  let receiver: DemoReceiver;
  let feed: DemoFeed | null = null;
  let browser: TestBrowser;

  const apiCall = async (route: string, key: string, method = 'GET', body?: unknown) => {
    const response = await fetch(`${t.url}${route}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as any };
  };

  async function signedIn(key: string): Promise<Page> {
    const page = await browser.context.newPage();
    await page.goto(`${t.url}/console`);
    await page.fill('#key', key);
    await page.click('#sign-in button[type=submit]');
    return page;
  }

  beforeAll(async () => {
    await sinkStartsAtEnd(kafka, config.clickhouseSink.groupId);
    normalizer = await startNormalizer({ config, logger });
    sink = await startClickHouseSink({ config, logger });
    t = await startTestApi(env, {
      access: { agencies: { 'console-e2e': { keys: [hashKey(agencyKey)], kinds: 'all', provinces: 'all', tier: 'pseudonymous' } } },
      api: { operations: { normalizer: normalizer.metrics, sink: () => sink.status() }, clickhouse: sink.clickhouse },
    });
    fanout = await startFanout({ config: t.config, logger });
    receiver = await startDemoReceiver(SECRET);
    const created = await apiCall('/v1/subscriptions', agencyKey, 'POST', {
      kinds: ['health-declaration', 'checkpoint-passage'],
      tier: 'pseudonymous',
      delivery: { type: 'webhook', url: receiver.url, secret: SECRET, maxBatchSize: 100 },
    });
    expect(created.status).toBe(201);
    // Checkpoints first, so passages are enriched rather than flagged.
    await postItems(t.url, t.sourceKeys, generate({ seed: 7, counts: { 'checkpoint-ops/checkpoint': 50 }, invalid: 0, duplicates: 0, contentId: deploymentContentId() }));
    feed = startDemoFeed({ apiUrl: t.url, sourceKeys: t.sourceKeys, config: t.config.demoFeed, logger });
    browser = await launchBrowser();
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await feed?.close();
    await fanout?.close();
    await receiver?.close();
    await t?.close();
    await normalizer?.close();
    await sink?.close();
  });

  it('signs in and shows every stage moving while the demo feed runs, then a screenshot', async () => {
    const page = await signedIn(t.operatorKey);
    await page.waitForSelector('#console:not([hidden])');
    // Every stage of the picture with a non-zero rate at the same refresh.
    const rates = async () => {
      const shown: Record<string, number> = {};
      for (const name of STAGES) shown[name] = Number((await page.locator(`#stages tr[data-stage="${name}"]`).getAttribute('data-rate', { timeout: 1_000 }).catch(() => null)) ?? 0);
      return shown;
    };
    await expect.poll(async () => Object.values(await rates()).every((rate) => rate > 0), { timeout: 120_000, interval: 500 }).toBe(true);
    for (const name of STAGES) await expect.poll(() => page.locator(`#pipeline [data-stage="${name}"] .rate`).textContent()).toMatch(/records\/s/);
    expect(await page.locator('#pipeline [data-edge]').count()).toBe(3);
    expect(await page.locator('#pairs tbody tr').count()).toBeGreaterThan(3);
    expect(await page.locator('#subscriptions tbody tr').count()).toBe(1);
    expect(await page.locator('[data-sink="last insert"]').textContent()).not.toBe('—');
    mkdirSync(OUTPUT, { recursive: true });
    await page.screenshot({ path: path.join(OUTPUT, 'console.png'), fullPage: true });
    await page.close();
  }, 180_000);

  it('pauses and resumes a connector from the console', async () => {
    const page = await signedIn(t.operatorKey);
    await page.click('button[data-connector="http-ingest"][data-action="pause"]');
    await expect.poll(async () => (await apiCall('/v1/connectors/http-ingest', t.operatorKey)).body.state, { timeout: 10_000 }).toBe('PAUSED');
    await page.waitForSelector('#connectors tr[data-connector="http-ingest"][data-state="PAUSED"]', { timeout: 10_000 });
    await page.click('button[data-connector="http-ingest"][data-action="resume"]');
    await expect.poll(async () => (await apiCall('/v1/connectors/http-ingest', t.operatorKey)).body.state, { timeout: 10_000 }).toBe('RUNNING');
    await page.close();
  });

  it('finds a forced dead letter, shows it and replays it to its raw topic', async () => {
    // One record ingest takes and the normalizer refuses (an unknown province).
    const postedAt = Date.now();
    const defective = generate({ seed: randomInt(2 ** 31), count: 400, kinds: ['health-declaration'], invalid: 1, duplicates: 0, contentId: deploymentContentId() }).find(
      (item) => !item.label.valid && item.label.stage === 'normalizer' && item.label.defect === 'unknown-province',
    )!;
    const [posted] = await postItems(t.url, t.sourceKeys, [defective]);
    expect(posted!.accepted).toHaveLength(1);
    const eventId = posted!.accepted[0]!;
    const { source, kind } = defective;

    const page = await signedIn(t.operatorKey);
    page.on('dialog', (dialog) => void dialog.accept());
    await page.waitForSelector('#console:not([hidden])');
    await page.fill('#dlq-filters input[name=source]', source);
    await page.fill('#dlq-filters input[name=kind]', kind);
    await page.fill('#dlq-filters input[name=errorClass]', 'UnknownProvince');
    // From the minute before it was posted: the replay leaves older dead letters (of earlier runs) alone.
    await page.fill('#dlq-filters input[name=from]', localMinute(postedAt - 60_000));
    // The normalizer takes a moment: list again until the forced one is there.
    const row = page.locator(`#dead-letters tr[data-event-id="${eventId}"]`);
    await expect
      .poll(
        async () => {
          await page.click('#dlq-filters button[type=submit]');
          await expect.poll(() => page.locator('#dlq-message').textContent(), { timeout: 30_000 }).not.toMatch(/^reading/);
          return row.count();
        },
        { timeout: 90_000, interval: 1_000 },
      )
      .toBe(1);
    await row.locator('button[data-show]').click();
    await page.waitForSelector('#dlq-detail:not([hidden])');
    expect(await page.locator('#dlq-detail').textContent()).toContain(eventId);

    await page.click('#dlq-dry-run');
    await page.waitForSelector('#dlq-message[data-dry-run="true"]');
    const planned = Number(await page.locator('#dlq-message').getAttribute('data-replayed'));
    expect(planned).toBeGreaterThanOrEqual(1);
    await page.click('#dlq-replay');
    await page.waitForSelector('#dlq-message[data-dry-run="false"]');
    expect(Number(await page.locator('#dlq-message').getAttribute('data-replayed'))).toBeGreaterThanOrEqual(1);
    // Replayed with its event id: the raw topic now holds it twice (first ingest, then the replay).
    const copies = await readTopicToEnd(kafka, rawTopic(source, kind as Kind), (m) => headerString(m.headers, HEADER.eventId) === eventId);
    expect(copies).toHaveLength(2);
    await page.close();
  }, 180_000);

  it("asks the disclosure audit what the agency received and who received a person's records", async () => {
    const page = await signedIn(t.operatorKey);
    await page.waitForSelector('#console:not([hidden])');
    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    await page.fill('#audit-agency input[name=agency]', 'console-e2e');
    await page.fill('#audit-agency input[name=from]', today);
    await page.fill('#audit-agency input[name=to]', tomorrow);
    // The webhook's deliveries reach the audit table shortly after they are acknowledged.
    await expect.poll(async () => {
      await page.click('#audit-agency button[type=submit]');
      await page.waitForSelector('#audit-message:not(:has-text("asking"))');
      return Number((await page.locator('#audit-message').getAttribute('data-count')) ?? 0);
    }, { timeout: 60_000, interval: 1_000 }).toBeGreaterThan(0);
    const rows = page.locator('#audit-deliveries tbody tr');
    const count = Number(await page.locator('#audit-message').getAttribute('data-count'));
    expect(await rows.count()).toBe(Math.min(count, 50));
    expect(await rows.first().getAttribute('data-channel')).toBe('webhook');
    expect(await rows.first().locator('td').nth(1).textContent()).toBe('console-e2e');
    expect(await rows.first().locator('td').nth(3).textContent()).toBe('pseudonymous');
    mkdirSync(OUTPUT, { recursive: true });
    await page.locator('#audit-section').screenshot({ path: path.join(OUTPUT, 'audit.png') });

    // A person's question: the number leaves the form once sent and never appears in a URL.
    const urls: string[] = [];
    page.on('request', (request) => urls.push(request.url()));
    await page.selectOption('#audit-person select[name=documentType]', 'CCCD');
    await page.fill('#audit-person input[name=number]', '001099012345');
    await page.click('#audit-person button[type=submit]');
    await expect.poll(() => page.locator('#audit-message').textContent()).toMatch(/^person \(CCCD\): \d+ deliver/);
    expect(await page.inputValue('#audit-person input[name=number]')).toBe('');
    expect(urls.some((url) => url.includes('001099012345'))).toBe(false);
    await page.close();
  }, 120_000);

  it('shows no data to a wrong key, an agency key or no key', async () => {
    for (const key of [generateKey(), agencyKey, t.sourceKeys.vhd!]) {
      const page = await signedIn(key);
      await page.waitForSelector('#sign-in-error:not(:empty)');
      expect(await page.locator('#sign-in-error').textContent()).toContain('refused');
      expect(await page.locator('#console').isHidden()).toBe(true);
      expect(await page.locator('#stages tbody tr').count()).toBe(0);
      expect(await page.evaluate('sessionStorage.getItem("truc-operator-key")')).toBeNull();
      await page.close();
    }
    const page = await browser.context.newPage();
    await page.goto(`${t.url}/console`);
    expect(await page.locator('#sign-in').isVisible()).toBe(true);
    expect(await page.locator('#console').isHidden()).toBe(true);
    expect(await page.locator('#stages tbody tr').count()).toBe(0);
    // Signing out forgets the key and wipes what was shown.
    await page.fill('#key', t.operatorKey);
    await page.click('#sign-in button[type=submit]');
    await page.waitForSelector('#stages tbody tr');
    await page.click('#sign-out');
    expect(await page.locator('#stages tbody tr').count()).toBe(0);
    expect(await page.evaluate('sessionStorage.getItem("truc-operator-key")')).toBeNull();
    await page.close();
  });
});
