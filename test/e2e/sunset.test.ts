/**
 * The epidemic's sunset on a running pipeline (issue 15, item 4), against the real broker, registry
 * and engine: HTTP ingest, the normalizer, the ClickHouse sink and a topic subscription run in this
 * process, as under `npm start`. Person X's declarations go through; `truc sunset` (a real CLI
 * process) is refused without its confirmation and then run. Afterwards the topics hold nothing of
 * before, ClickHouse keeps the rows without their pseudonyms and the aggregates whole, the secret
 * file holds a new secret, X's new records get a pseudonym that matches neither the old one nor
 * anything the old secret makes, and the signed receipt is in the audit (topic and table).
 * The API refuses a sunset it cannot do safely or may not be asked for.
 */
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClickHouseSink, type RunningClickHouseSink } from '../../connectors/clickhouse-sink/sink.ts';
import { EXAMPLES } from '../../connectors/sources/pccovid/examples.ts';
import { startFanout, type RunningFanout } from '../../services/fanout/fanout.ts';
import { startNormalizer, type RunningNormalizer } from '../../services/normalizer/normalizer.ts';
import { hashKey, generateKey } from '../../services/platform/access.ts';
import type { AuditRecord } from '../../services/platform/audit-log.ts';
import { createAvroSerde } from '../../services/platform/avro-serde.ts';
import { canonicalTopic, rawTopic } from '../../services/platform/catalog.ts';
import { createClickHouse, type ClickHouseHandle } from '../../services/platform/clickhouse.ts';
import { loadConfig } from '../../services/platform/config.ts';
import { createLogger } from '../../services/platform/logger.ts';
import { createPersonKey } from '../../services/platform/person-key.ts';
import { HEADER, headerString } from '../../services/platform/record-headers.ts';
import { readTopicToEnd } from '../../services/platform/topic-ends.ts';
import { receiptIsSigned, type SignedReceipt, type SunsetReceipt } from '../../services/sunset/receipt.ts';
import { SUNSET_CONFIRMATION } from '../../services/sunset/sunset.ts';
import { startTestApi, type TestApi } from '../support/api.ts';
import { sinkStartsAtEnd } from '../support/clickhouse-sink.ts';
import { eventually } from '../support/fanout.ts';
import { testKafka } from '../support/kafka.ts';
import { runTrucAsync } from '../support/truc-cli.ts';

const logger = createLogger('e2e-sunset', 'silent');
const run = randomUUID().slice(0, 8);
const AGENCY = `research-${run}`;
const KIND = 'health-declaration';
const X = `0790${String(randomInt(10 ** 8)).padStart(8, '0')}`;

describe('the sunset of an epidemic on a running pipeline', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'truc-sunset-'));
  const secretFile = path.join(dir, 'person-key.secret');
  const signingKeyFile = path.join(dir, 'sunset-signing.key');
  const agencyKey = generateKey();
  const env = {
    // The secret in a file Truc may rotate (PERSON_KEY_SECRET, set for the other tests, is emptied).
    PERSON_KEY_SECRET: '',
    PERSON_KEY_SECRET_FILE: secretFile,
    SUNSET_SIGNING_KEY_FILE: signingKeyFile,
    SUNSET_DRAIN_TIMEOUT_MS: '120000',
    CLICKHOUSE_DATABASE: `e2e_sunset_${run}`,
    CLICKHOUSE_SINK_GROUP_ID: `e2e-sunset-sink-${run}`,
    FANOUT_SUBSCRIPTIONS_TOPIC: `test-subscriptions-${run}`,
    FANOUT_STATUS_TOPIC: `test-subscription-status-${run}`,
    FANOUT_GROUP_PREFIX: `test-fanout-${run}`,
    AUDIT_TOPIC: `test-audit-${run}`,
    AUDIT_SINK_GROUP_ID: `test-audit-sink-${run}`,
  };
  let oldSecret: string;
  let clickhouse: ClickHouseHandle;
  let t: TestApi;
  let normalizer: RunningNormalizer;
  let sink: RunningClickHouseSink;
  let fanout: RunningFanout;

  beforeAll(async () => {
    oldSecret = randomBytes(32).toString('base64url');
    writeFileSync(secretFile, `${oldSecret}\n`, { mode: 0o600 });
    clickhouse = await createClickHouse(loadConfig({ ...process.env, ...env }).clickhouse);
    t = await startTestApi(env, {
      access: { agencies: { [AGENCY]: { keys: [hashKey(agencyKey)], kinds: [KIND], provinces: 'all', tier: 'pseudonymous' } } },
      api: { clickhouse, sunset: true },
    });
    await sinkStartsAtEnd(testKafka(t.config), t.config.clickhouseSink.groupId);
    normalizer = await startNormalizer({ config: t.config, logger });
    sink = await startClickHouseSink({ config: t.config, logger, clickhouse });
    fanout = await startFanout({ config: t.config, logger });
  });
  afterAll(async () => {
    await fanout?.close();
    await sink?.close();
    await normalizer?.close();
    await t?.close();
    await clickhouse?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const call = async (route: string, key: string | null, body: string, url = t.url) => {
    const response = await fetch(`${url}${route}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) }, body });
    return { status: response.status, body: (await response.json()) as { error?: { code: string; message: string } } };
  };
  const confirmed = JSON.stringify({ confirm: SUNSET_CONFIRMATION });

  /** Pc-Covid declarations, `ofX` of them by person X, each with its own id, an hour apart. */
  const declarations = (count: number, ofX: number, start: number) =>
    Array.from({ length: count }, (_, i) => ({
      ...EXAMPLES[`pccovid/${KIND}`],
      id: `KBYT-${randomUUID()}`,
      identityNumber: i < ofX ? X : `0790${String(randomInt(10 ** 8)).padStart(8, '0')}`,
      declaredAt: start + i * 3_600_000,
    }));

  const post = async (records: Record<string, unknown>[]): Promise<string[]> => {
    const response = await fetch(`${t.url}/v1/ingest/pccovid/${KIND}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.sourceKeys.pccovid}` },
      body: JSON.stringify(records),
    });
    const body = (await response.json()) as { accepted: { event_id: string }[] };
    expect(response.status, JSON.stringify(body)).toBe(202);
    return body.accepted.map((entry) => entry.event_id);
  };

  const query = async <T>(sql: string, params: Record<string, unknown> = {}): Promise<T[]> =>
    (await clickhouse.client.query({ query: sql, query_params: params, format: 'JSONEachRow' })).json<T>();
  const table = `${env.CLICKHOUSE_DATABASE}.health_declarations`;
  /** The person keys of these events in ClickHouse, once every one is there. */
  const personKeysOf = async (eventIds: string[]): Promise<(string | null)[]> => {
    let rows: { person_key: string | null }[] = [];
    await eventually(async () => {
      rows = await query(`SELECT person_key FROM ${table} FINAL WHERE event_id IN {ids:Array(UUID)}`, { ids: eventIds });
      return rows.length === eventIds.length;
    }, () => `ClickHouse has ${rows.length} of ${eventIds.length} declarations`, 90_000);
    return rows.map((row) => row.person_key);
  };
  const keyOfX = (secret: string) => createPersonKey(secret)({ document: { type: 'CCCD', number: X } });

  it('is refused without the operator key, to an agency, without the confirmation, oversize, and where it cannot rotate the secret', async () => {
    expect((await call('/v1/sunset', null, confirmed)).status).toBe(401);
    expect((await call('/v1/sunset', agencyKey, confirmed)).status).toBe(403);
    for (const body of ['{}', JSON.stringify({ confirm: 'yes' }), '[]', 'null', '{"confirm":']) {
      const answer = await call('/v1/sunset', t.operatorKey, body);
      expect(answer.status, body).toBe(400);
    }
    expect((await call('/v1/sunset', t.operatorKey, JSON.stringify({ confirm: SUNSET_CONFIRMATION, pad: 'x'.repeat(4096) }))).status).toBe(413);
    // An API that does not run the whole pipeline cannot; one whose secret comes from the environment must not.
    const elsewhere = await startTestApi({ ...env, PERSON_KEY_SECRET: 'test-only-person-key-secret-0123456789abcdef' }, {});
    const fromEnvironment = await startTestApi({ ...env, PERSON_KEY_SECRET: 'test-only-person-key-secret-0123456789abcdef' }, { api: { sunset: true } });
    try {
      expect((await call('/v1/sunset', elsewhere.operatorKey, confirmed, elsewhere.url)).body.error?.code).toBe('sunset_unavailable');
      const refused = await call('/v1/sunset', fromEnvironment.operatorKey, confirmed, fromEnvironment.url);
      expect(refused.status).toBe(409);
      expect(refused.body.error).toMatchObject({ code: 'secret_not_rotatable', message: expect.stringContaining('PERSON_KEY_SECRET_FILE') });
    } finally {
      await elsewhere.close();
      await fromEnvironment.close();
    }
    // The CLI asks for the phrase: anything else does nothing.
    const declined = await runTrucAsync(['sunset', '--api', t.url], { ...process.env, ...env, TRUC_OPERATOR_KEY: t.operatorKey }, 'yes\n');
    expect(declined.status).toBe(1);
    expect(declined.stderr).toContain('not confirmed; nothing was done');
    expect(readFileSync(secretFile, 'utf8').trim()).toBe(oldSecret);
  });

  it('erases what the configuration says, keeps the aggregates, rotates the secret so pseudonyms do not link, and signs its receipt into the audit', async () => {
    const created = await fetch(`${t.url}/v1/subscriptions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${agencyKey}` },
      body: JSON.stringify({ kinds: [KIND], tier: 'pseudonymous', delivery: { type: 'topic' } }),
    });
    expect(created.status).toBe(201);
    const outTopic = `out.${AGENCY}.${KIND}`;
    const kafka = testKafka(t.config);

    // Before: X's declarations reach ClickHouse and the agency's topic under X's pseudonym of the old secret.
    const before = await post(declarations(30, 10, Date.UTC(2021, 7, 1)));
    const keysBefore = await personKeysOf(before);
    expect(keysBefore.filter((key) => key === keyOfX(oldSecret))).toHaveLength(10);
    const beforeIds = new Set(before);
    const onAgencyTopic = async (ids: Set<string>) => (await readTopicToEnd(kafka, outTopic)).filter(({ message }) => ids.has(headerString(message.headers, HEADER.eventId)!));
    await eventually(async () => (await onAgencyTopic(beforeIds)).length === 30, () => 'the agency topic does not have the 30 declarations', 60_000);

    const sunset = await runTrucAsync(['sunset', '--yes', '--json', '--api', t.url], { ...process.env, ...env, TRUC_OPERATOR_KEY: t.operatorKey });
    expect(sunset.status, sunset.stderr).toBe(0);
    const signed = JSON.parse(sunset.stdout) as SignedReceipt;
    const receipt = JSON.parse(signed.receipt) as SunsetReceipt;

    // The receipt is signed by the deployment's key (its public half, kept beside it), and a changed one is not.
    const publicKey = readFileSync(`${signingKeyFile}.pub`, 'utf8');
    expect(receiptIsSigned(signed, publicKey)).toBe(true);
    expect(receiptIsSigned({ ...signed, receipt: signed.receipt.replace('"anonymised"', '"kept"') }, publicKey)).toBe(false);
    expect(receipt.drained).toEqual(expect.arrayContaining(['normalizer', 'ClickHouse sink', expect.stringContaining(AGENCY)]));
    const topicEntry = (topic: string) => receipt.topics.find((entry) => entry.topic === topic);
    for (const topic of [rawTopic('pccovid', KIND), canonicalTopic(KIND), outTopic]) {
      expect(topicEntry(topic), topic).toMatchObject({ action: 'deleted', offsets: expect.any(Number) });
      expect(topicEntry(topic)!.offsets, topic).toBeGreaterThanOrEqual(30);
    }
    expect(receipt.clickhouse.find((entry) => entry.table === 'health_declarations')).toMatchObject({ action: 'anonymised' });
    expect(receipt.clickhouse.find((entry) => entry.table === 'health_declarations')!.rows).toBeGreaterThanOrEqual(30);
    expect(receipt.personKeySecret.oldSecret).toBe('destroyed');

    // Topics: nothing of before is left on the raw, canonical or agency topic.
    const admin = kafka.admin();
    await admin.connect();
    try {
      for (const topic of [rawTopic('pccovid', KIND), canonicalTopic(KIND)]) {
        for (const { low, high } of await admin.fetchTopicOffsets(topic)) expect(low, topic).toBe(high);
      }
    } finally {
      await admin.disconnect();
    }
    expect(await onAgencyTopic(beforeIds)).toEqual([]);

    // ClickHouse: the rows stay, without pseudonyms; the daily aggregates count every row written.
    expect(new Set(await personKeysOf(before))).toEqual(new Set([null]));
    const [aggregates] = await query<{ aggregated: string; rows: string }>(
      `SELECT (SELECT sum(declarations) FROM ${env.CLICKHOUSE_DATABASE}.declarations_daily) AS aggregated, (SELECT count() FROM ${table} FINAL) AS rows`,
    );
    expect(Number(aggregates!.aggregated)).toBeGreaterThanOrEqual(30);
    expect(Number(aggregates!.aggregated)).toBe(Number(aggregates!.rows));

    // The secret: a new one in the file; the old one nowhere in it.
    const newSecret = readFileSync(secretFile, 'utf8').trim();
    expect(newSecret).not.toBe(oldSecret);
    expect(newSecret.length).toBeGreaterThanOrEqual(32);

    // After: ingest is open again, and X's new declarations carry a pseudonym that links to nothing of before.
    const after = await post(declarations(12, 6, Date.UTC(2021, 8, 1)));
    const keysAfter = await personKeysOf(after);
    const xAfter = keysAfter.filter((key) => key === keyOfX(newSecret));
    expect(xAfter).toHaveLength(6);
    expect(keysAfter).not.toContain(keyOfX(oldSecret));
    expect(keysAfter.filter((key) => keysBefore.includes(key))).toEqual([]);
    const agencyKeysAfter = new Set<string>();
    await eventually(async () => {
      for (const { message } of await onAgencyTopic(new Set(after))) agencyKeysAfter.add(message.key!.toString());
      return agencyKeysAfter.has(keyOfX(newSecret));
    }, () => 'X after the sunset not on the agency topic', 60_000);
    expect(agencyKeysAfter.has(keyOfX(oldSecret))).toBe(false);

    // The audit: the receipt on the audit topic (read_committed) and in the audit table, as signed.
    const serde = createAvroSerde(t.config.schemaRegistry);
    const entries = await Promise.all((await readTopicToEnd(kafka, env.AUDIT_TOPIC)).map(({ message }) => serde.decode<AuditRecord>(message.value!)));
    const sunsets = entries.filter((entry) => entry.action === 'sunset');
    expect(sunsets).toHaveLength(1);
    expect(JSON.parse(sunsets[0]!.statement!)).toEqual(signed);
    expect(sunsets[0]!.rows_read).toBeGreaterThanOrEqual(30 * 3);
    let tableRows: { statement: string }[] = [];
    await eventually(async () => {
      tableRows = await query(`SELECT statement FROM ${t.config.audit.database}.disclosures FINAL WHERE action = 'sunset' AND audit_id = {id:String}`, { id: `sunset/${receipt.sunsetId}` });
      return tableRows.length === 1;
    }, () => 'the receipt is not in the audit table', 60_000);
    expect(JSON.parse(tableRows[0]!.statement)).toEqual(signed);
  });
});
