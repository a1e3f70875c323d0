/**
 * The disclosure audit against the real broker, registry and engine (issue 15, item 2):
 * - Two agencies at different tiers receive person X's records, one by webhook, one on its agency
 *   topic; the webhook receiver refuses its first attempts (the batch is retried three times and
 *   more) and the fan-out process is SIGKILLed mid-delivery and restarted. `truc audit person`
 *   then lists exactly the deliveries the receivers observed — each event once per subscription,
 *   with its channel and tier — and the audit topic holds each topic delivery exactly once.
 * - An analyst's query is in the audit with its statement and rows read; the analysts' endpoint
 *   cannot read the audit table; reading the audit is audited.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuditTableWriter, AUDIT_TABLE, ensureAuditTable, type AuditTableWriter } from '../../connectors/clickhouse-sink/audit-table.ts';
import { currentTtls, ttlExpression } from '../../connectors/clickhouse-sink/table-retention.ts';
import { startApi, type RunningApi } from '../../services/api/api-service.ts';
import { startDemoReceiver, type DemoReceiver } from '../../services/demo/demo-receiver.ts';
import type { AuditRecord } from '../../services/platform/audit-log.ts';
import { createAvroSerde } from '../../services/platform/avro-serde.ts';
import { createClickHouse, type ClickHouseHandle } from '../../services/platform/clickhouse.ts';
import { loadConfig, retentionOf, type Config } from '../../services/platform/config.ts';
import { createKafka } from '../../services/platform/kafka.ts';
import { createLogger } from '../../services/platform/logger.ts';
import { createPersonKey } from '../../services/platform/person-key.ts';
import { HEADER, headerString } from '../../services/platform/record-headers.ts';
import { readTopicToEnd } from '../../services/platform/topic-ends.ts';
import { ANALYST_TABLE, createAnalystTable } from '../support/analyst-table.ts';
import { startAnalystEndpoint, type AnalystEndpoint } from '../support/analyst-endpoint.ts';
import { killAll, startConnectorProcess, type ConnectorProcess } from '../support/connector-process.ts';
import { declaration, eventually, startFanoutBench, type FanoutBench } from '../support/fanout.ts';
import { runTrucAsync } from '../support/truc-cli.ts';

const run = randomUUID().slice(0, 8);
const POLICE = `police-${run}`;
const RESEARCH = `research-${run}`;
const SECRET = `whsec_${Buffer.from('audit-test-secret-of-32-bytes!!!').toString('base64')}`;
const AUDIT_ENV = { AUDIT_TOPIC: `test-audit-${run}`, AUDIT_SINK_GROUP_ID: `test-audit-sink-${run}` };
/** Person X's CCCD, written with a space as a clerk might type it: the audit normalises it as the normalizer does. */
const CCCD = `0010${String(randomInt(10 ** 7)).padStart(8, '0')}`;
const X = createPersonKey(process.env.PERSON_KEY_SECRET!)({ document: { type: 'CCCD', number: CCCD } });
const OTHERS = Array.from({ length: 8 }, (_, i) => `${i}`.padStart(64, 'd'));

interface AuditAnswer {
  deliveries: { agency: string; subscription: string; channel: string; tier: string; eventId: string; kind: string; personKey: string }[];
  count: number;
  truncated: boolean;
}

describe('disclosure audit of deliveries', () => {
  let bench: FanoutBench;
  let receiver: DemoReceiver;
  let clickhouse: ClickHouseHandle;
  let writer: AuditTableWriter;
  let api: RunningApi;

  beforeAll(async () => {
    bench = await startFanoutBench(
      { [POLICE]: { kinds: 'all', provinces: 'all', tier: 'identified' }, [RESEARCH]: { kinds: 'all', provinces: 'all', tier: 'pseudonymous' } },
      { ...AUDIT_ENV, FANOUT_RETRY_SCHEDULE: '200ms,200ms,200ms,200ms,200ms,200ms' },
    );
    receiver = await startDemoReceiver(SECRET, 0, { keepRequests: true });
    clickhouse = await createClickHouse(bench.config.clickhouse);
    writer = await startAuditTableWriter({ config: bench.config, kafka: bench.kafka, serde: bench.serde, clickhouse, logger: createLogger('test', 'silent') });
    api = await startApi({ config: bench.config, logger: createLogger('test', 'silent'), port: 0, clickhouse });
  });

  afterAll(async () => {
    await killAll();
    await api?.close();
    await writer?.close();
    await clickhouse?.close();
    await receiver?.close();
    await bench?.close();
  });

  const startFanoutProcess = async (): Promise<ConnectorProcess> => {
    const child = startConnectorProcess({ ...bench.env, LOG_LEVEL: 'info' }, 'services/fanout/main.ts');
    await child.waitForLog((line) => line.msg === 'fan-out running', 60_000);
    return child;
  };

  const askPerson = (type: string, number: string, key = bench.operatorKey) =>
    runTrucAsync(['audit', 'person', type, '-', '--json', '--api', api.url], { ...process.env, ...bench.env, TRUC_OPERATOR_KEY: key }, number);

  it('lists exactly the deliveries the receivers observed, once each, across retries and a SIGKILL', async () => {
    const webhook = await bench.call('POST', '/v1/subscriptions', bench.agencyKeys[POLICE]!, {
      kinds: ['health-declaration'], tier: 'identified', delivery: { type: 'webhook', url: receiver.url, secret: SECRET, maxBatchSize: 5 },
    });
    const topic = await bench.call('POST', '/v1/subscriptions', bench.agencyKeys[RESEARCH]!, { kinds: ['health-declaration'], tier: 'pseudonymous', delivery: { type: 'topic' } });
    expect([webhook.status, topic.status]).toEqual([201, 201]);

    const people = [X, ...OTHERS];
    const records = Array.from({ length: 360 }, (_, i) => declaration({ occurred_at: Date.UTC(2021, 9, 1) + i * 1_000, person_key: people[i % people.length] }));
    const ofX = new Set(records.filter((record) => record.person_key === X).map((record) => record.event_id as string));

    // The receiver refuses at first: the first batch is retried (at least three times) before it is taken.
    receiver.setMode('error');
    receiver.setDelay(10);
    const child = await startFanoutProcess();
    await bench.produce('health-declaration', records.slice(0, 200));
    const refusedPerBatch = () => {
      const counts = new Map<string, number>();
      for (const request of receiver.requests) if (request.answered >= 500) counts.set(request.headers['webhook-id']!, (counts.get(request.headers['webhook-id']!) ?? 0) + 1);
      return Math.max(0, ...counts.values());
    };
    await eventually(() => refusedPerBatch() >= 3, () => `at most ${refusedPerBatch()} refusals of one batch`, 30_000);
    receiver.setMode('ok');
    const unique = () => new Set(receiver.batches.flatMap((batch) => batch.events.map((event) => event.id)));
    await eventually(() => unique().size >= 60, () => `receiver has ${unique().size}`);
    child.child.kill('SIGKILL');
    await child.exited;
    expect(unique().size).toBeLessThan(records.length);

    await startFanoutProcess();
    await bench.produce('health-declaration', records.slice(200));
    await eventually(() => unique().size >= records.length, () => `receiver has ${unique().size} of ${records.length}`, 90_000);
    const outTopic = `out.${RESEARCH}.health-declaration`;
    let onTopic: string[] = [];
    await eventually(async () => {
      onTopic = (await readTopicToEnd(bench.kafka, outTopic)).map(({ message }) => headerString(message.headers, HEADER.eventId)!);
      return onTopic.length >= records.length;
    }, () => `agency topic has ${onTopic.length}`, 90_000);

    // What each receiver observed of person X.
    const webhookOfX = new Set(receiver.batches.flatMap((batch) => batch.events.filter((event) => event.key === X).map((event) => event.id)));
    const topicOfX = new Set(
      (await readTopicToEnd(bench.kafka, outTopic)).filter(({ message }) => message.key?.toString() === X).map(({ message }) => headerString(message.headers, HEADER.eventId)!),
    );
    expect(webhookOfX).toEqual(ofX);
    expect(topicOfX).toEqual(ofX);
    // The first batch was refused three times or more before it was taken, under one webhook-id.
    const attempts = new Map<string, number[]>();
    for (const request of receiver.requests) {
      const id = request.headers['webhook-id']!;
      attempts.set(id, [...(attempts.get(id) ?? []), request.answered]);
    }
    expect([...attempts.values()].some((answers) => answers.filter((status) => status >= 500).length >= 3 && answers.some((status) => status < 300))).toBe(true);

    // The audit answers with exactly those, each once, at each subscription's tier.
    let answer: AuditAnswer = { deliveries: [], count: 0, truncated: false };
    await eventually(async () => {
      const result = await askPerson('cccd', `${CCCD.slice(0, 6)} ${CCCD.slice(6)}`);
      expect(result.stderr).toBe('');
      answer = JSON.parse(result.stdout) as AuditAnswer;
      return answer.count >= ofX.size * 2;
    }, () => `audit lists ${answer.count} of ${ofX.size * 2}`, 60_000);
    expect(answer.truncated).toBe(false);
    const pairs = answer.deliveries.map((d) => `${d.subscription}/${d.eventId}`);
    expect(new Set(pairs).size).toBe(pairs.length);
    const viaWebhook = answer.deliveries.filter((d) => d.channel === 'webhook');
    const viaTopic = answer.deliveries.filter((d) => d.channel === 'topic');
    expect(new Set(viaWebhook.map((d) => d.eventId))).toEqual(webhookOfX);
    expect(new Set(viaTopic.map((d) => d.eventId))).toEqual(topicOfX);
    expect(viaWebhook.length + viaTopic.length).toBe(answer.count);
    expect(new Set(viaWebhook.map((d) => `${d.agency} ${d.subscription} ${d.tier} ${d.kind} ${d.personKey}`))).toEqual(new Set([`${POLICE} ${webhook.body.id} identified health-declaration ${X}`]));
    expect(new Set(viaTopic.map((d) => `${d.agency} ${d.subscription} ${d.tier} ${d.kind} ${d.personKey}`))).toEqual(new Set([`${RESEARCH} ${topic.body.id} pseudonymous health-declaration ${X}`]));

    // On the audit topic, read_committed: each topic delivery exactly once (it shares the agency topic's transaction).
    const audit = await readAudit(bench.config);
    const topicEntries = audit.filter((r) => r.action === 'delivery' && r.channel === 'topic').flatMap((r) => r.events.map((event) => event.event_id));
    expect(topicEntries.length).toBe(records.length);
    expect(new Set(topicEntries)).toEqual(new Set(records.map((record) => record.event_id as string)));
    // Reading the audit is audited: the question, with the person's key (never the number).
    const readings = audit.filter((r) => r.action === 'audit_read' && r.person_key === X);
    expect(readings.length).toBeGreaterThan(0);
    expect(readings.every((r) => r.actor === 'operator' && r.statement === `person ${X}` && !JSON.stringify(r).includes(CCCD))).toBe(true);
  }, 300_000);

  it('answers what an agency received in a period, and audits the question', async () => {
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 3_600_000).toISOString();
    const result = await runTrucAsync(['audit', 'agency', RESEARCH, '--from', from, '--to', to, '--api', api.url], { ...process.env, ...bench.env, TRUC_OPERATOR_KEY: bench.operatorKey });
    expect(result.status).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines.at(-1)).toBe('360 deliveries');
    expect(lines.slice(0, -1).every((line) => line.includes(RESEARCH) && line.includes(' topic ') && line.includes('pseudonymous'))).toBe(true);
    const readings = (await readAudit(bench.config)).filter((r) => r.action === 'audit_read' && r.statement?.startsWith(`agency ${RESEARCH} from `));
    expect(readings).toHaveLength(1);
    expect(readings[0]!.rows_read).toBe(360);
  });

  it('answers operators only, and refuses malformed questions with the field at fault', async () => {
    const post = (key: string | null, body: unknown) => fetch(`${api.url}/v1/audit/person`, {
      method: 'POST', headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) }, body: JSON.stringify(body),
    });
    expect((await post(null, { documentType: 'CCCD', number: CCCD })).status).toBe(401);
    // An agency cannot ask who else received a person's records.
    expect((await post(bench.agencyKeys[POLICE]!, { documentType: 'CCCD', number: CCCD })).status).toBe(403);
    const badType = await post(bench.operatorKey, { documentType: 'DRIVING_LICENCE', number: CCCD });
    expect(badType.status).toBe(400);
    expect(((await badType.json()) as { error: { details: unknown } }).error.details).toEqual([{ path: '/documentType' }]);
    // SQL in the number is no number (and would reach the engine only as a parameter anyway).
    const injected = await post(bench.operatorKey, { documentType: 'CCCD', number: "1' OR '1'='1" });
    expect(injected.status).toBe(400);
    expect(((await injected.json()) as { error: { details: unknown } }).error.details).toEqual([{ path: '/number' }]);
    const oversize = await post(bench.operatorKey, { documentType: 'CCCD', number: '1'.repeat(10_000) });
    expect(oversize.status).toBe(413);
    const get = (route: string) => fetch(`${api.url}${route}`, { headers: { authorization: `Bearer ${bench.operatorKey}` } });
    expect((await get(`/v1/audit/agency/${RESEARCH}?from=2021-10-01&to=2021-09-01`)).status).toBe(400);
    expect((await get(`/v1/audit/agency/${RESEARCH}?from=2021-10-01T00:00:00&to=2021-10-02`)).status).toBe(400);
    expect((await get(`/v1/audit/agency/Bad%27Agency?from=2021-10-01&to=2021-10-02`)).status).toBe(400);
    const document = (await (await fetch(`${api.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/v1/audit/person', '/v1/audit/agency/{agency}']));
    const other = await get(`/v1/audit/agency/${RESEARCH}?from=2021-10-01&to=2021-10-02`);
    expect(other.status).toBe(200);
    expect(((await other.json()) as { count: number }).count).toBe(0);
  });
});

describe('disclosure audit of analysts', () => {
  let rig: AnalystEndpoint;

  beforeAll(async () => {
    rig = await startAnalystEndpoint('audit', async (clickhouse) => {
      await createAnalystTable(clickhouse);
      await ensureAuditTable(clickhouse, loadConfig({ ...process.env, ...AUDIT_ENV }));
    }, AUDIT_ENV);
  });
  afterAll(async () => {
    await rig?.close();
  });

  const query = (sql: string) => fetch(`${rig.endpoint.url}/?query=${encodeURIComponent(sql)}`, { headers: { authorization: rig.auth } });

  it("records each query with the analyst, the statement and the rows read; the audit table is not the analysts' to read", async () => {
    const sql = `SELECT province_code, declarations FROM ${ANALYST_TABLE} ORDER BY province_code`;
    const answered = await query(sql);
    expect(answered.status).toBe(200);
    const rowsRead = Number(JSON.parse(answered.headers.get('x-clickhouse-summary')!).read_rows);
    expect(rowsRead).toBeGreaterThan(0);

    for (const forbidden of [
      `SELECT count() FROM ${rig.config.audit.database}.${AUDIT_TABLE}`,
      `SELECT * FROM merge('${rig.config.audit.database}', '.*')`,
      `SELECT * FROM clusterAllReplicas(default, ${rig.config.audit.database}.${AUDIT_TABLE})`,
      `SHOW TABLES FROM ${rig.config.audit.database}`,
    ]) {
      const refused = await query(forbidden);
      expect(refused.status, forbidden).toBe(403);
    }
    const viaDatabase = await fetch(`${rig.endpoint.url}/?database=${rig.config.audit.database}&query=${encodeURIComponent(`SELECT count() FROM ${AUDIT_TABLE}`)}`, { headers: { authorization: rig.auth } });
    expect(viaDatabase.status).toBe(403);

    // The audit table keeps its rows for the audit's retention.
    const ttls = await currentTtls(rig.clickhouse, [AUDIT_TABLE], rig.config.audit.database);
    expect(ttls.get(AUDIT_TABLE)).toBe(ttlExpression(retentionOf(rig.config.retention, 'audit') / 1000, 'at'));

    const audit = await readAudit(rig.config);
    const queries = audit.filter((r) => r.action === 'analyst_query' && r.actor === rig.config.clickhouseEndpoint.user);
    expect(queries.find((r) => r.statement === sql)).toMatchObject({ rows_read: rowsRead, refused: false });
    // Refused attempts are there too, marked refused, with nothing read.
    expect(queries.filter((r) => r.refused).length).toBeGreaterThanOrEqual(4);
    expect(queries.filter((r) => r.refused).every((r) => r.rows_read === 0)).toBe(true);
  });
});

/** Every record on the audit topic of `config`, decoded (read_committed). */
async function readAudit(config: Config): Promise<AuditRecord[]> {
  const kafka = createKafka(config.kafka, createLogger('test', 'silent'), 'test');
  const serde = createAvroSerde(config.schemaRegistry);
  const messages = await readTopicToEnd(kafka, config.audit.topic);
  return Promise.all(messages.map(({ message }) => serde.decode<AuditRecord>(message.value!)));
}
