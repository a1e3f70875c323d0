/**
 * Alerts on the real stack: the fan-out delivers to webhook receivers while alerts evaluate its
 * status every 200 ms (short periods and a small lag threshold, set for the test) and send signed
 * alerts to a local receiver. A receiver that fails then recovers gives exactly one "failing" and
 * one "recovered" alert; a receiver too slow for the records coming in gives a lag alert that
 * fires and clears.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertMessage } from '../../services/alerts/alert-message.ts';
import { startAlertReceiver, type AlertReceiver } from '../../services/alerts/alert-receiver.ts';
import { startAlerts, type RunningAlerts } from '../../services/alerts/alerts.ts';
import { loadConfig } from '../../services/platform/config.ts';
import { createLogger } from '../../services/platform/logger.ts';
import { declaration, eventually, passage, startFanoutRig, type FanoutRig } from '../support/fanout.ts';

const AGENCY = `alerts-${randomUUID().slice(0, 8)}`;
const WEBHOOK_SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const ALERT_SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const LAG_THRESHOLD = 20;

describe('alerts on the running fan-out', () => {
  let rig: FanoutRig | undefined;
  let alertReceiver: AlertReceiver | undefined;
  let alerts: RunningAlerts | undefined;
  const ids = { flaky: '', slow: '' };

  beforeAll(async () => {
    // The failing receiver stays within its retries (about 20 s) while the test watches it.
    rig = await startFanoutRig({ [AGENCY]: { kinds: 'all', provinces: 'all', tier: 'identified' } }, [WEBHOOK_SECRET, WEBHOOK_SECRET], {
      FANOUT_RETRY_SCHEDULE: Array(100).fill('200ms').join(','),
      FANOUT_WEBHOOK_TIMEOUT_MS: '1000',
    });
    const subscribe = async (kind: string, url: string) => {
      const answer = await rig!.bench.call('POST', '/v1/subscriptions', rig!.bench.agencyKeys[AGENCY]!, {
        kinds: [kind],
        tier: 'identified',
        delivery: { type: 'webhook', url, secret: WEBHOOK_SECRET, maxBatchSize: 1 },
      });
      expect(answer.status, JSON.stringify(answer.body)).toBe(201);
      return answer.body.id as string;
    };
    ids.flaky = await subscribe('health-declaration', rig.receivers[0]!.url);
    ids.slow = await subscribe('checkpoint-passage', rig.receivers[1]!.url);
    await eventually(
      () => rig!.fanout.status().subscriptions.filter((s) => s.state === 'delivering').length === 2,
      () => JSON.stringify(rig!.fanout.status().subscriptions.map((s) => s.state)),
    );

    alertReceiver = await startAlertReceiver(ALERT_SECRET);
    const config = loadConfig({
      ...process.env,
      ALERT_WEBHOOK_URLS: alertReceiver.url,
      ALERT_WEBHOOK_SECRET: ALERT_SECRET,
      ALERT_WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
      ALERT_RETRY_SCHEDULE: '100ms,200ms,400ms',
      ALERT_EVALUATION_INTERVAL_MS: '200',
      ALERT_FOR_MS: '1000',
      ALERT_RESOLVE_AFTER_MS: '1500',
      ALERT_LAG_RECORDS: String(LAG_THRESHOLD),
    });
    alerts = startAlerts({ config: config.alerts, logger: createLogger('test-alerts', 'silent'), sources: { fanout: rig.fanout } });
  });

  afterAll(async () => {
    await alerts?.close();
    await alertReceiver?.close();
    await rig?.close();
  });

  const received = (key: string) => alertReceiver!.alerts.filter((alert) => alert.alert === key);
  const states = (key: string) => received(key).map((alert) => alert.state);

  it('a receiver that fails, then recovers, gives exactly one "failing" and one "recovered" alert', async () => {
    const key = `subscription-failing:${ids.flaky}`;
    const flaky = rig!.receivers[0]!;
    flaky.setMode('error');
    await rig!.bench.produce('health-declaration', Array.from({ length: 5 }, (_, i) => declaration({ occurred_at: Date.UTC(2021, 7, 14) + i * 60_000 })));
    await eventually(() => states(key).includes('firing'), () => `alerts: ${JSON.stringify(alertReceiver!.alerts)}`);
    const [firing] = received(key) as [AlertMessage];
    expect(firing).toMatchObject({ type: 'truc.alert', what: 'subscription failing', where: `subscription ${ids.flaky}`, severity: 'critical', summary: `subscription failing: subscription ${ids.flaky}` });
    expect(['retrying', 'failing']).toContain(firing.values.state);
    expect(firing.values.lastError).toMatch(/receiver answered 500/);
    // Held at least ALERT_FOR_MS before it fired.
    expect(Date.parse(firing.at) - Date.parse(firing.since)).toBeGreaterThanOrEqual(1_000);

    // Still failing for a while: no second alert.
    await eventually(() => flaky.requests.filter((r) => r.answered === 500).length >= 15, () => `${flaky.requests.length} requests`);
    expect(states(key)).toEqual(['firing']);

    flaky.setMode('ok');
    await eventually(() => new Set(flaky.batches.flatMap((b) => b.events.map((e) => e.id))).size === 5, () => `${flaky.batches.length} batches`);
    await eventually(() => states(key).includes('resolved'), () => `alerts for ${key}: ${JSON.stringify(states(key))}`);
    const resolved = received(key)[1]!;
    expect(resolved).toMatchObject({ state: 'resolved', summary: `recovered: subscription failing: subscription ${ids.flaky}`, since: firing.since });
    expect(resolved.values.state).toBe('delivering');
    expect(states(key)).toEqual(['firing', 'resolved']);
    expect(alerts!.firing()).toBe(0);
  }, 90_000);

  it('lag above the threshold fires, and clears once the subscription caught up', async () => {
    const key = `lag:subscription ${ids.slow}`;
    const slow = rig!.receivers[1]!;
    // One event per POST at 250 ms each: 60 passages keep the subscription behind for about 15 s.
    slow.setDelay(250);
    await rig!.bench.produce('checkpoint-passage', Array.from({ length: 60 }, () => passage({})));
    await eventually(() => states(key).includes('firing'), () => `lag ${rig!.fanout.status().subscriptions.find((s) => s.subscription === ids.slow)?.lag}; alerts ${JSON.stringify(states(key))}`);
    const firing = received(key)[0]!;
    expect(firing).toMatchObject({ what: 'lag above threshold', where: `subscription ${ids.slow}`, severity: 'warning' });
    expect(firing.values.lag).toBeGreaterThan(LAG_THRESHOLD);
    expect(firing.values.threshold).toBe(LAG_THRESHOLD);

    slow.setDelay(0);
    await eventually(() => slow.counts().uniqueEvents === 60, () => `${slow.counts().uniqueEvents} passages delivered`);
    await eventually(() => states(key).includes('resolved'), () => `alerts for ${key}: ${JSON.stringify(states(key))}`);
    expect(received(key)[1]!.values.lag).toBeLessThanOrEqual(LAG_THRESHOLD);
    expect(states(key)).toEqual(['firing', 'resolved']);
    // The slow receiver never failed, and the recovered one did not alert again meanwhile.
    expect(received(`subscription-failing:${ids.slow}`)).toEqual([]);
    expect(states(`subscription-failing:${ids.flaky}`)).toEqual(['firing', 'resolved']);
    // Every alert arrived signed and once: nothing refused, nothing repeated.
    expect(alertReceiver!.counts()).toMatchObject({ refused: 0, repeats: 0, accepted: 4 });
    expect(alerts!.count()).toBe(4);
  }, 90_000);
});
