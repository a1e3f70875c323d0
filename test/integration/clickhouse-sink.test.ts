import { randomInt } from 'node:crypto';
import { rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClickHouseSink, type RunningClickHouseSink } from '../../connectors/clickhouse-sink/sink.ts';
import { migrate, readMigrationFiles } from '../../services/clickhouse/migrations.ts';
import { createAvroSerde, valueSubject, type AvroSerde } from '../../services/platform/avro-serde.ts';
import { canonicalSchema, KINDS, type Kind } from '../../services/platform/catalog.ts';
import { createClickHouse, type ClickHouseHandle } from '../../services/platform/clickhouse.ts';
import type { Config } from '../../services/platform/config.ts';
import { createLogger } from '../../services/platform/logger.ts';
import { HEADER, headerString } from '../../services/platform/record-headers.ts';
import { CANONICAL_COMPATIBILITY } from '../../services/platform/schema-registration.ts';
import { DLQ_SINK_CLICKHOUSE_TOPIC } from '../../services/platform/topics.ts';
import { SINK_TABLES } from '../../connectors/clickhouse-sink/projection.ts';
import { canonicalRecords, prefixedTopic, prepareCanonicalTopics, produceCanonical, type CanonicalRecord } from '../support/canonical-records.ts';
import { byKind, countEvents, expectExactlyOnce, expectViewsAgree, IDENTIFYING_COLUMN, sinkTestConfig } from '../support/clickhouse-sink.ts';
import { readTopicToEnd, testConfig, testKafka } from '../support/kafka.ts';
import { runTruc, truc } from '../support/truc-cli.ts';

const logger = createLogger('test', 'silent');

describe('ClickHouse sink', () => {
  const base = testConfig();
  const kafka = testKafka(base);
  const config: Config = sinkTestConfig(base);
  const prefix = config.clickhouseSink.topicPrefix;
  const seed = randomInt(2 ** 32 - 1);
  // One generation (event ids are unique within one), cut into the tests' slices.
  const records = canonicalRecords(seed, 12_000);
  let clickhouse: ClickHouseHandle;
  let serde: AvroSerde;
  let schemaIds: Map<Kind, number>;
  let sink: RunningClickHouseSink;

  beforeAll(async () => {
    clickhouse = await createClickHouse(config.clickhouse);
    serde = createAvroSerde(config.schemaRegistry);
    schemaIds = await prepareCanonicalTopics(kafka, serde, prefix, { ...config.topics, partitions: 3 });
    sink = await startClickHouseSink({ config, logger, clickhouse });
  });
  afterAll(async () => {
    await sink?.close();
    await clickhouse?.client.command({ query: `DROP DATABASE IF EXISTS ${config.clickhouse.database}` }).catch(() => {});
    await clickhouse?.close();
    rmSync(config.clickhouse.dataDir, { recursive: true, force: true });
  });

  it('applies its migrations once (a second run changes nothing) and keeps identifying columns out of every table', async () => {
    const again = await migrate(clickhouse, { cluster: null });
    expect(again.applied).toEqual([]);
    expect(again.alreadyApplied).toEqual(readMigrationFiles().map((file) => file.name));
    const columns = await (
      await clickhouse.client.query({
        query: 'SELECT table, name, comment FROM system.columns WHERE database = currentDatabase()',
        format: 'JSONEachRow',
      })
    ).json<{ table: string; name: string; comment: string }>();
    for (const table of SINK_TABLES) expect(columns.some((column) => column.table === table), table).toBe(true);
    // A checkpoint (and a province) is no person: its own name is no identifying column.
    const personal = columns.filter((c) => !['checkpoints', 'provinces', 'schema_migrations', 'sink_batches'].includes(c.table) && c.name !== 'checkpoint_name');
    expect(personal.filter((c) => IDENTIFYING_COLUMN.test(c.name)).map((c) => `${c.table}.${c.name}`)).toEqual([]);
    // Every column of the base tables says what it holds.
    expect(columns.filter((c) => SINK_TABLES.includes(c.table) && c.comment === '').map((c) => `${c.table}.${c.name}`)).toEqual([]);
    const [provinces] = await (await clickhouse.client.query({ query: "SELECT count() AS n, anyIf(name, code = '79') AS hcm FROM provinces FINAL", format: 'JSONEachRow' })).json<{ n: string; hcm: string }>();
    expect(provinces).toEqual({ n: '63', hcm: 'Hồ Chí Minh' });
  });

  it('writes canonical records of every kind exactly once, and the views agree with the tables', async () => {
    const slice = records.slice(0, 6_000);
    expect(new Set(slice.map((r) => r.kind)).size).toBe(KINDS.length);
    await produceCanonical(kafka, serde, schemaIds, prefix, slice);
    await expectExactlyOnce(clickhouse.client, slice);
    await expectViewsAgree(clickhouse.client);

    // Values arrive typed as the canonical record had them (instants, dates, arrays, booleans).
    const movement = slice.find((r) => r.kind === 'movement-declaration' && r.transport_mode !== 'PERSONAL')!;
    const [row] = await (
      await clickhouse.client.query({
        query: `SELECT toUnixTimestamp64Milli(occurred_at) AS at, toInt32(departure_date) AS day, origin_province_code, vehicle_code, symptoms
                FROM movement_declarations FINAL WHERE event_id = {id:UUID}`,
        query_params: { id: movement.event_id },
        format: 'JSONEachRow',
      })
    ).json<Record<string, unknown>>();
    expect(row).toEqual({
      at: String(movement.occurred_at),
      day: movement.departure_date,
      origin_province_code: (movement.origin as { province_code: string | null }).province_code ?? '',
      vehicle_code: movement.vehicle_code,
      symptoms: movement.symptoms,
    });
    expect(sink.status().rowsWritten['health-declaration']).toBeGreaterThan(0);
  }, 180_000);

  it('sends a record ClickHouse refuses, or that does not decode, to dlq.sink.clickhouse and lets the rest flow', async () => {
    const slice = records.slice(6_000, 8_000).filter((r) => r.kind === 'health-declaration');
    const refused = { ...slice[0]!, province_code: 'XX' } as CanonicalRecord; // Avro-valid, refused by the table's constraint
    const good = slice.slice(1);
    await produceCanonical(kafka, serde, schemaIds, prefix, [...good.slice(0, 500), refused, ...good.slice(500)]);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: prefixedTopic(prefix, 'health-declaration'), messages: [{ key: 'garbage', value: Buffer.from('not avro at all'), headers: { [HEADER.eventId]: 'garbage' } }] });
    await producer.disconnect();

    await expectExactlyOnce(clickhouse.client, good);
    expect((await countEvents(clickhouse.client, 'health-declaration', [refused.event_id])).rows).toBe(0);
    await expect
      .poll(async () => (await readTopicToEnd(kafka, DLQ_SINK_CLICKHOUSE_TOPIC, (m) => headerString(m.headers, HEADER.dlqTopic) === prefixedTopic(prefix, 'health-declaration'))).length, { timeout: 60_000, interval: 1_000 })
      .toBe(2);
    const letters = await readTopicToEnd(kafka, DLQ_SINK_CLICKHOUSE_TOPIC, (m) => headerString(m.headers, HEADER.dlqTopic) === prefixedTopic(prefix, 'health-declaration'));
    const byId = new Map(letters.map((l) => [headerString(l.message.headers, HEADER.eventId), l.message]));
    const refusedLetter = byId.get(refused.event_id)!;
    expect(headerString(refusedLetter.headers, HEADER.dlqErrorClass)).toBe('ClickHouseRejected');
    expect(headerString(refusedLetter.headers, HEADER.dlqReason)).toMatch(/VIOLATED_CONSTRAINT.*province_code_is_gso/);
    expect(headerString(refusedLetter.headers, HEADER.dlqStage)).toBe('sink.clickhouse');
    expect(headerString(refusedLetter.headers, HEADER.dlqKind)).toBe('health-declaration');
    expect(headerString(refusedLetter.headers, HEADER.dlqOffset)).toMatch(/^\d+$/);
    expect(await serde.decode(refusedLetter.value!)).toMatchObject({ event_id: refused.event_id, province_code: 'XX' });
    const garbage = byId.get('garbage')!;
    expect(headerString(garbage.headers, HEADER.dlqErrorClass)).toBe('UndecodableRecord');
    expect(garbage.value!.toString()).toBe('not avro at all');
    expect(sink.status().deadLetters).toBeGreaterThanOrEqual(2);

    // The operator's view: listed with the reason and where it came from, shown decoded, not replayed.
    const listed = truc(['dlq', 'list', '--stage', 'sink.clickhouse', '--error-class', 'ClickHouseRejected', '--kind', 'health-declaration', '--limit', '1000000']).stdout;
    const line = listed.split('\n').find((text) => text.includes(`${prefixedTopic(prefix, 'health-declaration')}/`) && text.includes('province_code_is_gso'));
    expect(line, listed).toBeDefined();
    const position = line!.split(' ')[0]!;
    expect(JSON.parse(truc(['dlq', 'show', position, '--stage', 'sink.clickhouse']).stdout).record).toMatchObject({ event_id: refused.event_id });
    const replay = runTruc(['dlq', 'replay', '--stage', 'sink.clickhouse']);
    expect(replay.status).toBe(2);
    expect(replay.stderr).toMatch(/sink dead letters are not replayed/);
  }, 180_000);

  it('adds a column for a new nullable canonical field, without a restart, before writing rows that carry it', async () => {
    const schema = canonicalSchema('health-declaration') as { fields: unknown[] };
    const evolved = {
      ...schema,
      fields: [
        ...schema.fields,
        { name: 'test_result', 'truc.class': 'operational', type: ['null', { type: 'enum', name: 'TestResult', symbols: ['NEGATIVE', 'POSITIVE'] }], default: null, doc: 'Result of the latest COVID-19 test, when declared.' },
        { name: 'tested_at', 'truc.class': 'operational', type: ['null', { type: 'long', logicalType: 'timestamp-millis' }], default: null, doc: 'When the latest test was taken (UTC).' },
        { name: 'guardian_phone', 'truc.class': 'direct-identifier', type: ['null', 'string'], default: null, doc: "A guardian's phone. Identifying." },
      ],
    };
    const evolvedId = await serde.register(valueSubject(prefixedTopic(prefix, 'health-declaration')), evolved, CANONICAL_COMPATIBILITY);
    expect(evolvedId).not.toBe(schemaIds.get('health-declaration'));
    const slice = records.slice(8_000, 10_000).filter((r) => r.kind === 'health-declaration');
    const testedAt = Date.UTC(2021, 7, 10, 3, 0, 0, 0);
    const carrying = slice.map((r, i) => ({ ...r, test_result: i % 2 === 0 ? 'POSITIVE' : null, tested_at: testedAt, guardian_phone: '+84912345678' }));
    await produceCanonical(kafka, serde, new Map([...schemaIds, ['health-declaration', evolvedId]]), prefix, carrying);
    await expectExactlyOnce(clickhouse.client, carrying);

    const columns = await (
      await clickhouse.client.query({ query: "SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = 'health_declarations'", format: 'JSONEachRow' })
    ).json<{ name: string; type: string }>();
    expect(columns).toContainEqual({ name: 'test_result', type: 'LowCardinality(Nullable(String))' });
    expect(columns).toContainEqual({ name: 'tested_at', type: "Nullable(DateTime64(3, 'UTC'))" });
    expect(columns.map((c) => c.name)).not.toContain('guardian_phone');
    const [figures] = await (
      await clickhouse.client.query({
        query: `SELECT countIf(test_result = 'POSITIVE') AS positive, countIf(toUnixTimestamp64Milli(tested_at) = {at:Int64}) AS dated
                FROM health_declarations FINAL WHERE event_id IN {ids:Array(UUID)}`,
        query_params: { ids: carrying.map((r) => r.event_id), at: testedAt },
        format: 'JSONEachRow',
      })
    ).json<{ positive: string; dated: string }>();
    expect(figures).toEqual({ positive: String(Math.ceil(carrying.length / 2)), dated: String(carrying.length) });
  }, 180_000);

  it('holds consumption while ClickHouse fails, then writes every record exactly once', async () => {
    let down = true;
    const failing = (method: 'insert' | 'query' | 'command') =>
      async (...args: unknown[]) => {
        if (down) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8123'), { code: 'ECONNREFUSED' });
        return (clickhouse.client[method] as (...a: unknown[]) => Promise<unknown>)(...args);
      };
    const flaky: ClickHouseHandle = {
      ...clickhouse,
      client: new Proxy(clickhouse.client, {
        get: (target, property) => (property === 'insert' || property === 'query' || property === 'command' ? failing(property) : Reflect.get(target, property)),
      }),
      close: async () => {},
    };
    // Its own topics and group: the outage touches only this sink. Migrations run before the outage.
    const outageConfig = sinkTestConfig(base, { maxRows: 500 });
    const outage: Config = { ...outageConfig, clickhouse: config.clickhouse };
    const ids = await prepareCanonicalTopics(kafka, serde, outage.clickhouseSink.topicPrefix, { ...config.topics, partitions: 3 });
    down = false;
    const second = await startClickHouseSink({ config: outage, logger, clickhouse: flaky });
    try {
      down = true;
      const slice = records.slice(10_000, 12_000);
      await produceCanonical(kafka, serde, ids, outage.clickhouseSink.topicPrefix, slice);
      await expect.poll(() => second.status().failing, { timeout: 30_000, interval: 200 }).toBe(true);
      await sleep(3_000);
      // Nothing written, nothing committed, consumption held at the buffer's bound.
      const groups = byKind(slice);
      for (const [kind, eventIds] of groups) expect((await countEvents(clickhouse.client, kind, eventIds)).rows, kind).toBe(0);
      expect(second.status().lag).toBeGreaterThan(0);
      expect(second.status().rowsWritten['health-declaration']).toBe(0);
      down = false;
      await expectExactlyOnce(clickhouse.client, slice);
      await expect.poll(() => second.status().failing, { timeout: 10_000 }).toBe(false);
      await expectViewsAgree(clickhouse.client);
    } finally {
      down = false;
      await second.close();
    }
  }, 180_000);
});

