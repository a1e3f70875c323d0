/**
 * Alerts in pieces: the state machine (fires once, resolves once, no storm while a condition
 * flaps), the conditions, the ALERT_* settings, and delivery (signed like agency webhooks, retried,
 * refused for hosts not allowed, never dropped without an error in the log) to the local receiver.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { alertMessage, type AlertMessage } from '../../services/alerts/alert-message.ts';
import { startAlertReceiver, type AlertReceiver } from '../../services/alerts/alert-receiver.ts';
import { AlertRules, type Condition } from '../../services/alerts/alert-rules.ts';
import { AlertSender } from '../../services/alerts/alert-sender.ts';
import { AlertStates } from '../../services/alerts/alert-state.ts';
import { loadAlertSecret } from '../../services/alerts/alerts.ts';
import { pipelineReadings, type PipelineReadings } from '../../services/alerts/pipeline-readings.ts';
import { NormalizerMetrics } from '../../services/normalizer/metrics.ts';
import { verifySignature, webhookSignature } from '../../services/platform/webhook-signing.ts';
import { ConfigError, loadConfig } from '../../services/platform/config.ts';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;

const condition = (active: boolean, values: Condition['values'] = {}): Condition => ({
  key: 'lag:normalizer',
  what: 'lag above threshold',
  where: 'normalizer',
  severity: 'warning',
  active,
  values,
});

describe('alert state', () => {
  it('fires once after the condition held forMs, and resolves once after it was clear resolveAfterMs', () => {
    const states = new AlertStates({ forMs: 60_000, resolveAfterMs: 120_000 });
    expect(states.update([condition(true)], 0)).toEqual([]);
    expect(states.update([condition(true)], 59_999)).toEqual([]);
    const fired = states.update([condition(true, { lag: 12 })], 60_000);
    expect(fired).toEqual([expect.objectContaining({ key: 'lag:normalizer', state: 'firing', since: 0, at: 60_000, values: { lag: 12 } })]);
    // Still holding: nothing more.
    for (let t = 75_000; t <= 300_000; t += 15_000) expect(states.update([condition(true)], t)).toEqual([]);
    expect(states.firing()).toHaveLength(1);
    expect(states.update([condition(false, { lag: 0 })], 315_000)).toEqual([]);
    expect(states.update([condition(false)], 434_999)).toEqual([]);
    const resolved = states.update([condition(false, { lag: 3 })], 435_000);
    expect(resolved).toEqual([expect.objectContaining({ state: 'resolved', since: 0, at: 435_000, values: { lag: 3 } })]);
    expect(states.firing()).toHaveLength(0);
    expect(states.update([condition(false)], 450_000)).toEqual([]);
  });

  it('sends no storm while a condition flaps: one firing, then one resolved after it settles', () => {
    const states = new AlertStates({ forMs: 30_000, resolveAfterMs: 60_000 });
    const sent = [];
    // On for 15 s, off for 15 s, for ten minutes: shorter clear spells than resolveAfterMs.
    for (let t = 0; t <= 600_000; t += 5_000) sent.push(...states.update([condition(Math.floor(t / 15_000) % 2 === 0)], t));
    // Never held 30 s in a row: each clear spell ends the pending one, so nothing was sent.
    expect(sent).toEqual([]);
    // Held long enough once: fires; then flaps with short clear spells: stays firing.
    for (let t = 600_000; t <= 640_000; t += 5_000) sent.push(...states.update([condition(true)], t));
    for (let t = 645_000; t <= 1_200_000; t += 5_000) sent.push(...states.update([condition(Math.floor(t / 20_000) % 2 === 0)], t));
    expect(sent.map((s) => s.state)).toEqual(['firing']);
    for (let t = 1_205_000; t <= 1_300_000; t += 5_000) sent.push(...states.update([condition(false)], t));
    expect(sent.map((s) => s.state)).toEqual(['firing', 'resolved']);
  });

  it('treats a condition no longer reported (its subscription deleted) as clear', () => {
    const states = new AlertStates({ forMs: 0, resolveAfterMs: 10 });
    expect(states.update([condition(true)], 0).map((s) => s.state)).toEqual(['firing']);
    expect(states.update([], 5)).toEqual([]);
    expect(states.update([], 15).map((s) => s.state)).toEqual(['resolved']);
  });
});

const readings = (overrides: Partial<PipelineReadings>): PipelineReadings => ({ subscriptions: [], lags: [], deadLetters: [], stages: [], clickhouse: null, ...overrides });
const subscription = (state: PipelineReadings['subscriptions'][number]['state'], deadLetters = 0, lag = 0) => ({ id: 'sub-1', state, deadLetters, lag, lastError: state === 'delivering' ? null : 'receiver answered 500' });

describe('alert rules', () => {
  const rules = () => new AlertRules({ lagRecords: 100, deadLetters: 10, deadLetterWindowMs: 60_000 });
  const active = (conditions: Condition[]) => conditions.filter((c) => c.active).map((c) => c.key);

  it('a subscription retrying, failing or dead-lettering is failing; delivering is not', () => {
    const r = rules();
    expect(active(r.evaluate(readings({ subscriptions: [subscription('delivering')] }), 0))).toEqual([]);
    expect(active(r.evaluate(readings({ subscriptions: [subscription('retrying')] }), 1))).toEqual(['subscription-failing:sub-1']);
    expect(active(r.evaluate(readings({ subscriptions: [subscription('failing', 3)] }), 2))).toEqual(['subscription-failing:sub-1']);
    // Delivering again, but dead letters grew since the last look: it dead-lettered meanwhile.
    expect(active(r.evaluate(readings({ subscriptions: [subscription('delivering', 5)] }), 3))).toEqual(['subscription-failing:sub-1']);
    expect(active(r.evaluate(readings({ subscriptions: [subscription('delivering', 5)] }), 4))).toEqual([]);
    expect(active(r.evaluate(readings({ subscriptions: [subscription('paused', 5)] }), 5))).toEqual([]);
  });

  it('lag above the threshold, anywhere', () => {
    const r = rules();
    const found = r.evaluate(readings({ subscriptions: [subscription('delivering', 0, 101)], lags: [{ where: 'normalizer', records: 100 }, { where: 'clickhouse sink', records: 5_000 }] }), 0);
    expect(active(found)).toEqual(['lag:subscription sub-1', 'lag:clickhouse sink']);
    expect(found.find((c) => c.key === 'lag:clickhouse sink')?.values).toEqual({ lag: 5_000, threshold: 100 });
  });

  it('dead letters above the count within the window only', () => {
    const r = rules();
    const at = (t: number, total: number) => active(r.evaluate(readings({ deadLetters: [{ where: 'normalizer', total }] }), t));
    expect(at(0, 1_000)).toEqual([]); // the first look is the baseline, however many came before
    expect(at(20_000, 1_005)).toEqual([]);
    expect(at(40_000, 1_011)).toEqual(['dead-letters:normalizer']);
    // The window counts from the last look at or before its start: at 70 s that is the 0 s look…
    expect(at(70_000, 1_011)).toEqual(['dead-letters:normalizer']);
    // …at 85 s the 20 s look: 1_011 - 1_005 = 6.
    expect(at(85_000, 1_011)).toEqual([]);
    // A restart starts the counter over: no negative counts, a new baseline.
    expect(at(90_000, 4)).toEqual([]);
    expect(at(100_000, 20)).toEqual(['dead-letters:normalizer']);
  });

  it('a stage down and ClickHouse refusing inserts', () => {
    const r = rules();
    const found = r.evaluate(
      readings({
        stages: [{ where: 'kafka', up: false, state: 'not serving' }, { where: 'connector ingest', up: true, state: 'RUNNING' }],
        clickhouse: { failing: true, error: 'TOO_MANY_PARTS', lag: 7 },
      }),
      0,
    );
    expect(active(found)).toEqual(['stage-down:kafka', 'clickhouse-refusing:clickhouse sink']);
    expect(found.at(-1)?.values).toEqual({ error: 'TOO_MANY_PARTS', lag: 7 });
  });
});

describe('pipeline readings', () => {
  it('reads what the stages publish, keeping only error classes from ClickHouse', async () => {
    const metrics = new NormalizerMetrics();
    metrics.lag.set({ source: 'app-a', kind: 'health-declaration' }, 7);
    metrics.lag.set({ source: 'app-b', kind: 'health-declaration' }, 5);
    metrics.deadLetters.inc({ source: 'app-a', kind: 'health-declaration', error_class: 'MappingError' }, 3);
    const crash = (stage: string, restarting: boolean) => ({ at: '', stage, errorClass: 'KafkaJSProtocolError', message: 'UNKNOWN_MEMBER_ID', restarts: 1, restarting });
    const sink = (lastError: string | null) => ({
      status: () => ({ rowsWritten: {} as never, batches: 1, deadLetters: 2, lag: 40, buffered: 0, failing: lastError !== null, lastError, lastCrash: null, retries: 0, lastInsertAt: null }),
    });
    const fanout = {
      status: () => ({
        subscriptions: [{ subscription: 's1', state: 'retrying' as const, delivered: 0, retries: 2, deadLetters: 0, lag: 9, lastSuccessAt: null, lastError: { at: '', message: 'receiver answered 500' }, updatedAt: '', lastSequence: 0, eventsSinceStart: 0 }],
        lastCrash: crash('fanout subscription s1', false),
      }),
    };
    const connector = (state: 'RUNNING' | 'FAILED') => ({ name: 'poll', type: 'http-poll', state, records: 0, rejected: 0, errors: 1, lastError: null, lastCrash: null });
    const read = pipelineReadings({
      fanout,
      // Restarted after its crash: not down.
      normalizer: { metrics, status: () => ({ lastCrash: crash('normalizer', true) }) },
      sink: sink("Cannot parse input: expected '\"' before: 'Nguyễn Văn A'"),
      connectors: () => [connector('FAILED')],
      components: () => [{ name: 'kafka', address: '127.0.0.1:9092', serving: true, pid: null, logFile: '' }],
    });
    expect(await read()).toEqual({
      subscriptions: [{ id: 's1', state: 'retrying', deadLetters: 0, lag: 9, lastError: 'receiver answered 500' }],
      lags: [{ where: 'normalizer', records: 12 }, { where: 'clickhouse sink', records: 40 }],
      deadLetters: [{ where: 'normalizer', total: 3 }, { where: 'clickhouse sink', total: 2 }],
      stages: [
        { where: 'connector poll', up: false, state: 'FAILED' },
        { where: 'fanout subscription s1', up: false, state: 'stopped after a crash (KafkaJSProtocolError)' },
        { where: 'kafka', up: true, state: 'serving' },
      ],
      clickhouse: { failing: true, error: 'see the log', lag: 40 },
    });
    expect((await pipelineReadings({ sink: sink('TOO_MANY_PARTS') })()).clickhouse).toEqual({ failing: true, error: 'TOO_MANY_PARTS', lag: 40 });
  });
});

describe('alert settings', () => {
  const base = { ALERT_WEBHOOK_URLS: 'https://alerts.example.org/hook', ALERT_WEBHOOK_SECRET: SECRET };

  it('has defaults and reads every setting', () => {
    const defaults = loadConfig({}).alerts;
    expect(defaults).toMatchObject({ webhookUrls: [], evaluationIntervalMs: 15_000, forMs: 60_000, resolveAfterMs: 120_000, lagRecords: 10_000, deadLetters: 100 });
    const config = loadConfig({
      ...base,
      ALERT_WEBHOOK_URLS: 'https://alerts.example.org/hook, http://127.0.0.1:9999/alerts',
      ALERT_WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
      ALERT_RETRY_SCHEDULE: '1s,2m',
      ALERT_FOR_MS: '0',
      ALERT_DEAD_LETTER_WINDOW_MS: '60000',
    }).alerts;
    expect(config).toMatchObject({ webhookUrls: ['https://alerts.example.org/hook', 'http://127.0.0.1:9999/alerts'], allowHosts: ['127.0.0.1'], retryScheduleMs: [1_000, 120_000], forMs: 0, deadLetterWindowMs: 60_000 });
  });

  it('refuses destinations the egress guard would refuse, naming the alerts allow-list', () => {
    const problem = (env: Record<string, string>) => {
      try {
        loadConfig({ ...base, ...env });
        return null;
      } catch (error) {
        return (error as ConfigError).problems.join('\n');
      }
    };
    expect(problem({ ALERT_WEBHOOK_URLS: 'http://127.0.0.1:9999/alerts' })).toMatch(/ALERT_WEBHOOK_URLS: .* must be an https:\/\/ URL \(plain http only for hosts on ALERT_WEBHOOK_ALLOW_HOSTS\)/);
    expect(problem({ ALERT_WEBHOOK_URLS: 'https://10.0.0.8/alerts' })).toMatch(/not an allowed destination.*ALERT_WEBHOOK_ALLOW_HOSTS/);
    expect(problem({ ALERT_WEBHOOK_URLS: 'https://user:pw@alerts.example.org/' })).toMatch(/must not carry a user name or password/);
    expect(problem({ ALERT_WEBHOOK_URLS: 'not a url' })).toMatch(/is not a URL/);
    expect(problem({ ALERT_WEBHOOK_ALLOW_HOSTS: 'a/b' })).toMatch(/ALERT_WEBHOOK_ALLOW_HOSTS: "a\/b" is not a host/);
    expect(problem({ ALERT_WEBHOOK_URLS: 'https://10.0.0.8/alerts', ALERT_WEBHOOK_ALLOW_HOSTS: '10.0.0.8' })).toBeNull();
  });

  it('needs exactly one well-formed secret with destinations, and sane numbers', () => {
    expect(() => loadConfig({ ALERT_WEBHOOK_URLS: base.ALERT_WEBHOOK_URLS })).toThrow(/needs exactly one of ALERT_WEBHOOK_SECRET and ALERT_WEBHOOK_SECRET_FILE/);
    expect(() => loadConfig({ ...base, ALERT_WEBHOOK_SECRET_FILE: 'alert.secret' })).toThrow(/needs exactly one of/);
    expect(() => loadConfig({ ...base, ALERT_WEBHOOK_SECRET: 'hunter2' })).toThrow(/ALERT_WEBHOOK_SECRET must be "whsec_"/);
    expect(() => loadConfig({ ...base, ALERT_WEBHOOK_SECRET: `whsec_${randomBytes(8).toString('base64')}` })).toThrow(/24 to 64/);
    expect(() => loadConfig({ ...base, ALERT_RETRY_SCHEDULE: 'soon' })).toThrow(/ALERT_RETRY_SCHEDULE="soon" must be a comma-separated list/);
    expect(() => loadConfig({ ...base, ALERT_EVALUATION_INTERVAL_MS: '-1' })).toThrow(/ALERT_EVALUATION_INTERVAL_MS/);
    expect(() => loadConfig({ ...base, ALERT_LAG_RECORDS: '0' })).toThrow(/ALERT_LAG_RECORDS/);
  });

  it('reads the secret from its file, and refuses a file without a valid one', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'truc-alerts-'));
    writeFileSync(path.join(dir, 'good.secret'), `${SECRET}\n`);
    writeFileSync(path.join(dir, 'bad.secret'), 'password\n');
    const config = (file: string) => loadConfig({ TRUC_DATA_DIR: dir, ALERT_WEBHOOK_URLS: base.ALERT_WEBHOOK_URLS, ALERT_WEBHOOK_SECRET_FILE: file }).alerts;
    expect(loadAlertSecret(config('good.secret'))).toBe(SECRET);
    expect(() => loadAlertSecret(config('bad.secret'))).toThrow(/must hold "whsec_"/);
    expect(() => loadAlertSecret(config('missing.secret'))).toThrow(/cannot be read \(ENOENT\)/);
  });
});

/** A pino logger whose lines the test reads. */
function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const sample = (): AlertMessage =>
  alertMessage({ key: 'subscription-failing:sub-1', what: 'subscription failing', where: 'subscription sub-1', severity: 'critical', state: 'firing', since: Date.now() - 60_000, at: Date.now(), values: { state: 'retrying' } });

describe('alert delivery', () => {
  const closing: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closing.splice(0)) await close();
  });
  const receiver = async () => {
    const started = await startAlertReceiver(SECRET);
    closing.push(() => started.close());
    return started;
  };
  const sender = (urls: string[], logger = capturedLogger().logger, allowHosts = ['127.0.0.1'], retryScheduleMs = [20, 20, 20]) => {
    const made = new AlertSender({ urls, secret: SECRET, allowHosts, timeoutMs: 1_000, retryScheduleMs, logger });
    closing.push(() => made.close());
    return made;
  };

  it('signs every alert like an agency webhook, with the alert id as webhook-id', async () => {
    const seen: { headers: http.IncomingHttpHeaders; body: string }[] = [];
    const server = http.createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        seen.push({ headers: request.headers, body });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closing.push(() => new Promise((resolve) => server.close(() => resolve())));
    const message = sample();
    sender([`http://127.0.0.1:${(server.address() as { port: number }).port}/hook`]).send(message);
    await until(() => seen.length === 1, 'one POST');
    const { headers, body } = seen[0]!;
    expect(headers['webhook-id']).toBe(message.id);
    expect(headers['user-agent']).toBe('truc-alerts');
    expect(JSON.parse(body)).toEqual(message);
    expect(verifySignature(SECRET, message.id, String(headers['webhook-timestamp']), body, String(headers['webhook-signature']))).toBe(true);
    expect(headers['webhook-signature']).toBe(webhookSignature(SECRET, message.id, Number(headers['webhook-timestamp']), body));
    expect(verifySignature(`whsec_${randomBytes(32).toString('base64')}`, message.id, String(headers['webhook-timestamp']), body, String(headers['webhook-signature']))).toBe(false);
  });

  it('retries a destination that fails, under the same id, until it takes the alert once', async () => {
    const target = await receiver();
    target.setFailing(true);
    const { logger, lines } = capturedLogger();
    const send = sender([target.url], logger, ['127.0.0.1'], [50, 50, 50, 50, 50, 50]);
    send.send(sample());
    await until(() => lines.filter((line) => line.msg === 'alert delivery failed; retrying').length >= 2, 'two failed attempts');
    target.setFailing(false);
    await until(() => send.results().length === 1, 'an outcome');
    expect(send.results()[0]).toMatchObject({ delivered: true, destination: new URL(target.url).host });
    expect(send.results()[0]!.attempts).toBeGreaterThanOrEqual(3);
    expect(target.alerts).toHaveLength(1);
    expect(target.counts()).toMatchObject({ accepted: 1, refused: 0 });
  });

  it("logs an alert it could not deliver, naming the destination's host only (its path may hold a token)", async () => {
    const target = await receiver();
    target.setFailing(true);
    const { logger, lines } = capturedLogger();
    const send = sender([`${target.url}?token=s3cr3t`], logger, ['127.0.0.1'], [20, 20]);
    send.send(sample());
    await until(() => send.results().length === 1, 'an outcome');
    expect(send.results()[0]).toMatchObject({ delivered: false, attempts: 3 });
    const error = lines.find((line) => line.level === 50)!;
    expect(error.msg).toMatch(/alert NOT delivered after its retries: subscription failing: subscription sub-1/);
    expect(error).toMatchObject({ alert: 'subscription-failing:sub-1', state: 'firing', err: 'destination answered 500' });
    expect(JSON.stringify(lines)).not.toMatch(/s3cr3t|token/);
  });

  it('refuses destinations outside the allow-list (loopback by name or address) and logs it', async () => {
    const target = await receiver();
    const port = new URL(target.url).port;
    const { logger, lines } = capturedLogger();
    const send = sender([`https://localhost:${port}/alerts`, `http://127.0.0.1:${port}/alerts`], logger, []);
    send.send(sample());
    await until(() => send.results().length === 2, 'two outcomes');
    expect(send.results().every((outcome) => !outcome.delivered && outcome.attempts === 1)).toBe(true);
    expect(lines.filter((line) => line.err === 'refused by the egress guard (ALERT_WEBHOOK_ALLOW_HOSTS)')).toHaveLength(2);
    expect(target.counts().accepted + target.counts().refused).toBe(0);
  });

  it('logs alerts still waiting for a retry when it stops', async () => {
    const target = await receiver();
    target.setFailing(true);
    const { logger, lines } = capturedLogger();
    const send = new AlertSender({ urls: [target.url], secret: SECRET, allowHosts: ['127.0.0.1'], timeoutMs: 1_000, retryScheduleMs: [60_000], logger });
    send.send(sample());
    await until(() => lines.some((line) => line.msg === 'alert delivery failed; retrying'), 'a failed attempt');
    await send.close();
    expect(send.results()).toEqual([expect.objectContaining({ delivered: false, attempts: 1 })]);
    expect(lines.at(-1)).toMatchObject({ level: 50, alert: 'subscription-failing:sub-1' });
    expect(String(lines.at(-1)!.err)).toMatch(/Truc stopped while waiting to retry/);
  });
});

describe('alert receiver', () => {
  let target: AlertReceiver;
  afterEach(async () => target?.close());

  const post = (headers: Record<string, string>, body: string | Buffer, method = 'POST') =>
    fetch(target.url, { method, headers, ...(method === 'GET' ? {} : { body }) }).then((response) => response.status);
  const signed = (message: AlertMessage, secret = SECRET, timestamp = Math.floor(Date.now() / 1000)) => {
    const body = JSON.stringify(message);
    return { headers: { 'webhook-id': message.id, 'webhook-timestamp': String(timestamp), 'webhook-signature': webhookSignature(secret, message.id, timestamp, body) }, body };
  };

  it('takes a signed alert once, and refuses unsigned, wrongly signed, stale, oversize and malformed ones', async () => {
    target = await startAlertReceiver(SECRET);
    const message = sample();
    const good = signed(message);
    expect(await post(good.headers, good.body)).toBe(204);
    expect(await post(good.headers, good.body)).toBe(204);
    expect(target.counts()).toMatchObject({ accepted: 1, repeats: 1 });
    expect(await post({}, good.body)).toBe(401);
    const wrongKey = signed(message, `whsec_${randomBytes(32).toString('base64')}`);
    expect(await post(wrongKey.headers, wrongKey.body)).toBe(401);
    expect(await post(good.headers, good.body.replace('sub-1', 'sub-2'))).toBe(401);
    const stale = signed(message, SECRET, Math.floor(Date.now() / 1000) - 3_600);
    expect(await post(stale.headers, stale.body)).toBe(401);
    expect(await post(good.headers, Buffer.alloc(100 * 1024, 'a')).catch(() => 413)).toBe(413);
    const timestamp = Math.floor(Date.now() / 1000);
    expect(await post({ 'webhook-id': 'x', 'webhook-timestamp': String(timestamp), 'webhook-signature': webhookSignature(SECRET, 'x', timestamp, '{not json') }, '{not json')).toBe(400);
    expect(await post({}, '', 'GET')).toBe(405);
    expect(target.alerts).toEqual([message]);
  });
});
