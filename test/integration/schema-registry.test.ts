/**
 * Truc's schema registry against a real Kafka: Confluent's client library and raw HTTP, every
 * compatibility level, deletes, error codes, several instances sharing one topic, authentication
 * (HTTP Basic readers and writers) and READONLY mode.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, loadConfig, parseUserInfo, type Config } from '../../services/platform/config.ts';
import { createKafka } from '../../services/platform/kafka.ts';
import { basicAuthorization } from '../../services/platform/registry-credentials.ts';
import { issueRegistryCredential, RegistryCredentials } from '../../services/schema-registry/credentials.ts';
import { startSchemaRegistry, type RunningSchemaRegistry } from '../../services/schema-registry/service.ts';
import { freePort } from '../support/ports.ts';

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';
const config = loadConfig();
const logger = pino({ level: 'silent' });
const topic = `_schemas-test-${randomUUID()}`;
// READONLY tests set the global mode, so they keep it to a topic of their own.
const modeTopic = `_schemas-test-mode-${randomUUID()}`;
const running: RunningSchemaRegistry[] = [];

// One writer and one reader, admitted by every instance of this file.
const writer = issueRegistryCredential('schema-writer');
const reader = issueRegistryCredential('schema-reader');
const credentials = new RegistryCredentials({ writers: { 'schema-writer': [writer.hash] }, readers: { 'schema-reader': [reader.hash] } });
const writerAuth = basicAuthorization(parseUserInfo(writer.userInfo)!);
const readerAuth = basicAuthorization(parseUserInfo(reader.userInfo)!);
/** What @kafkajs/confluent-schema-registry takes as `auth`, from Confluent's `basic.auth.user.info` form. */
const clientAuth = (userInfo: string) => parseUserInfo(userInfo)!;

async function start(options: { config?: Config; topic?: string; fileCredentials?: boolean } = {}): Promise<RunningSchemaRegistry> {
  const registry = await startSchemaRegistry({
    config: options.config ?? config,
    logger,
    host: '127.0.0.1',
    port: 0,
    topic: options.topic ?? topic,
    ...(options.fileCredentials ? {} : { credentials: () => credentials }),
  });
  running.push(registry);
  return registry;
}

async function stop(registry: RunningSchemaRegistry): Promise<void> {
  await registry.close();
  running.splice(running.indexOf(registry), 1);
}

interface Answer {
  status: number;
  body: any;
}

/** One HTTP call (as the writer unless told otherwise); every answer must carry Confluent's content type. */
async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  contentType = CONTENT_TYPE,
  authorization: string | null = writerAuth,
): Promise<Answer> {
  const headers: Record<string, string> = authorization === null ? {} : { authorization };
  if (body !== undefined) headers['content-type'] = contentType;
  const response = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  expect(response.headers.get('content-type')).toBe(CONTENT_TYPE);
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
}

/** Expects a Confluent error answer and returns its message. */
async function expectError(answer: Promise<Answer>, status: number, errorCode: number): Promise<string> {
  const { status: actual, body } = await answer;
  expect({ status: actual, error_code: body?.error_code }).toEqual({ status, error_code: errorCode });
  expect(typeof body.message).toBe('string');
  return body.message as string;
}

type Field = { name: string; type: unknown; default?: unknown };
const record = (name: string, fields: Field[]) => JSON.stringify({ type: 'record', name, namespace: 'truc.test', fields });
const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
const path = (subject: string) => encodeURIComponent(subject);

let a: RunningSchemaRegistry;
let b: RunningSchemaRegistry;

beforeAll(async () => {
  [a, b] = await Promise.all([start(), start()]);
});

afterAll(async () => {
  await Promise.all(running.map((registry) => registry.close()));
  const admin = createKafka(config.kafka, logger, 'schema-registry-test').admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    await admin.deleteTopics({ topics: [topic, modeTopic].filter((name) => existing.has(name)) });
  } finally {
    await admin.disconnect();
  }
});

describe('schema registry', () => {
  it('serves @kafkajs/confluent-schema-registry, across instances', async () => {
    const subject = unique('lib-value');
    const schema = record('Case', [
      { name: 'region', type: 'string' },
      { name: 'count', type: 'int' },
    ]);
    const clientA = new SchemaRegistry({ host: a.url, auth: clientAuth(writer.userInfo) });
    const clientB = new SchemaRegistry({ host: b.url, auth: clientAuth(writer.userInfo) });

    const { id } = await clientA.register({ type: SchemaType.AVRO, schema }, { subject });
    expect(id).toBeGreaterThan(0);
    expect(await clientB.getLatestSchemaId(subject)).toBe(id);
    expect(await clientB.getRegistryId(subject, 1)).toBe(id);
    expect(await clientB.getRegistryIdBySchema(subject, { type: SchemaType.AVRO, schema })).toBe(id);
    // The client library set the subject's level on first registration.
    expect((await call(b.url, 'GET', `/config/${path(subject)}`)).body).toEqual({ compatibilityLevel: 'BACKWARD' });

    const encoded = await clientA.encode(id, { region: 'north', count: 3 });
    expect(encoded.readUInt32BE(1)).toBe(id);
    expect(await clientB.decode(encoded)).toEqual({ region: 'north', count: 3 });

    const evolved = record('Case', [
      { name: 'region', type: 'string' },
      { name: 'count', type: 'long' },
      { name: 'source', type: 'string', default: 'unknown' },
    ]);
    const second = await clientB.register({ type: SchemaType.AVRO, schema: evolved }, { subject });
    expect(second.id).toBeGreaterThan(id);
    expect(await clientA.getLatestSchemaId(subject)).toBe(second.id);
    // Incompatible: a new field without default.
    const broken = record('Case', [{ name: 'region', type: 'string' }, { name: 'extra', type: 'int' }]);
    await expect(clientA.register({ type: SchemaType.AVRO, schema: broken }, { subject })).rejects.toThrow(/incompatible/);
    await expect(clientA.getRegistryIdBySchema(subject, { type: SchemaType.AVRO, schema: broken })).rejects.toThrow();
  });

  it('registers, looks up and lists over raw HTTP', async () => {
    const subject = unique('raw/with slash-value');
    const v1 = record('Raw', [{ name: 'a', type: 'int' }]);
    const v2 = record('Raw', [{ name: 'a', type: 'int' }, { name: 'b', type: 'string', default: '' }]);
    const pretty = JSON.stringify(JSON.parse(v1), null, 2);

    expect(await call(a.url, 'GET', '/')).toEqual({ status: 200, body: {} });
    expect((await call(a.url, 'GET', '/schemas/types')).body).toEqual(['AVRO']);
    expect((await call(a.url, 'GET', '/mode')).body).toEqual({ mode: 'READWRITE' });
    expect((await call(a.url, 'GET', '/health')).body).toEqual({ status: 'ok' });

    const first = await call(a.url, 'POST', `/subjects/${path(subject)}/versions`, { schema: v1 });
    expect(first.status).toBe(200);
    const id1 = first.body.id as number;
    expect(first.body).toEqual({ id: id1 });
    // Same schema again (differently formatted, on the other instance, other accepted content type): same id, no new version.
    expect((await call(b.url, 'POST', `/subjects/${path(subject)}/versions`, { schema: pretty, schemaType: 'AVRO' }, 'application/json')).body).toEqual({ id: id1 });
    const second = await call(b.url, 'POST', `/subjects/${path(subject)}/versions`, { schema: v2 }, 'application/vnd.schemaregistry+json');
    const id2 = second.body.id as number;
    expect(id2).not.toBe(id1);

    expect((await call(a.url, 'GET', `/subjects/${path(subject)}/versions`)).body).toEqual([1, 2]);
    expect((await call(a.url, 'GET', '/subjects')).body).toContain(subject);
    const latest = { subject, id: id2, version: 2, schema: v2 };
    expect((await call(a.url, 'GET', `/subjects/${path(subject)}/versions/latest`)).body).toEqual(latest);
    expect((await call(a.url, 'GET', `/subjects/${path(subject)}/versions/-1`)).body).toEqual(latest);
    expect((await call(a.url, 'GET', `/subjects/${path(subject)}/versions/1`)).body).toEqual({ subject, id: id1, version: 1, schema: v1 });
    expect((await call(a.url, 'GET', `/subjects/${path(subject)}/versions/1/schema`)).body).toEqual(JSON.parse(v1));
    expect((await call(a.url, 'GET', `/subjects/${path(subject)}/versions/1/referencedby`)).body).toEqual([]);

    expect((await call(b.url, 'POST', `/subjects/${path(subject)}`, { schema: pretty })).body).toEqual({ subject, id: id1, version: 1, schema: v1 });

    // Ids are global: the same schema under another subject keeps its id.
    const other = unique('raw-other');
    expect((await call(a.url, 'POST', `/subjects/${path(other)}/versions`, { schema: v1 })).body).toEqual({ id: id1 });
    expect((await call(b.url, 'GET', `/schemas/ids/${id1}`)).body).toEqual({ schema: v1 });
    expect((await call(b.url, 'GET', `/schemas/ids/${id1}?subject=${path(other)}`)).body).toEqual({ schema: v1 });
    expect((await call(b.url, 'GET', `/schemas/ids/${id1}/schema`)).body).toEqual(JSON.parse(v1));
    expect((await call(b.url, 'GET', `/schemas/ids/${id1}/subjects`)).body).toEqual([subject, other].sort());
    expect((await call(b.url, 'GET', `/schemas/ids/${id1}/versions`)).body).toEqual(
      [
        { subject, version: 1 },
        { subject: other, version: 1 },
      ].sort((x, y) => (x.subject < y.subject ? -1 : 1)),
    );
    await expectError(call(b.url, 'GET', `/schemas/ids/${id2}?subject=${path(other)}`), 404, 40403);
  });

  describe('compatibility levels', () => {
    const v1 = record('Level', [{ name: 'a', type: 'int' }]);
    const v2 = record('Level', [{ name: 'b', type: 'string' }]);
    const addedWithDefault = record('Level', [{ name: 'a', type: 'int' }, { name: 'c', type: 'int', default: 0 }]);
    const addedWithoutDefault = record('Level', [{ name: 'a', type: 'int' }, { name: 'c', type: 'int' }]);
    const removedField = record('Level', [{ name: 'c', type: 'int', default: 0 }]);
    const widened = record('Level', [{ name: 'a', type: 'long' }]);
    // Compatible with v2 (the latest) in both directions, with v1 in neither.
    const onlyWithLatest = record('Level', [{ name: 'b', type: 'string' }, { name: 'c', type: 'int', default: 0 }]);
    const withBoth = record('Level', [{ name: 'a', type: 'int', default: 0 }, { name: 'b', type: 'string', default: '' }]);

    const cases: Array<[level: string, history: string[], candidate: string, accepted: boolean]> = [
      ['NONE', [v1], addedWithoutDefault, true],
      ['NONE', [v1], record('Level', [{ name: 'a', type: 'string' }]), true],
      ['BACKWARD', [v1], addedWithDefault, true],
      ['BACKWARD', [v1], widened, true],
      ['BACKWARD', [v1], addedWithoutDefault, false],
      ['FORWARD', [v1], addedWithoutDefault, true],
      ['FORWARD', [v1], removedField, false],
      ['FULL', [v1], addedWithDefault, true],
      ['FULL', [v1], addedWithoutDefault, false], // forward only
      ['FULL', [v1], widened, false], // backward only
      ['BACKWARD', [v1, v2], onlyWithLatest, true],
      ['BACKWARD_TRANSITIVE', [v1, v2], onlyWithLatest, false],
      ['BACKWARD_TRANSITIVE', [v1, v2], withBoth, true],
      ['FORWARD', [v1, v2], onlyWithLatest, true],
      ['FORWARD_TRANSITIVE', [v1, v2], onlyWithLatest, false],
      ['FORWARD_TRANSITIVE', [v1, v2], withBoth, true],
      ['FULL', [v1, v2], onlyWithLatest, true],
      ['FULL_TRANSITIVE', [v1, v2], onlyWithLatest, false],
      ['FULL_TRANSITIVE', [v1, v2], withBoth, true],
    ];

    it.each(cases)('%s (case %#)', async (level, history, candidate, accepted) => {
      const subject = path(unique(`level-${level}`));
      // History is built without checks, then the level under test applies to the candidate.
      expect((await call(a.url, 'PUT', `/config/${subject}`, { compatibility: 'NONE' })).body).toEqual({ compatibility: 'NONE' });
      for (const schema of history) expect((await call(a.url, 'POST', `/subjects/${subject}/versions`, { schema })).status).toBe(200);
      expect((await call(b.url, 'PUT', `/config/${subject}`, { compatibility: level.toLowerCase() })).body).toEqual({ compatibility: level });

      const check = await call(b.url, 'POST', `/compatibility/subjects/${subject}/versions?verbose=true`, { schema: candidate });
      expect(check.body.is_compatible).toBe(accepted);
      expect(check.body.messages.length === 0).toBe(accepted);
      expect((await call(a.url, 'POST', `/compatibility/subjects/${subject}/versions/latest`, { schema: candidate })).body).toEqual({ is_compatible: accepted });

      const registered = await call(a.url, 'POST', `/subjects/${subject}/versions`, { schema: candidate });
      if (accepted) {
        expect(registered.status).toBe(200);
        expect((await call(b.url, 'GET', `/subjects/${subject}/versions/latest`)).body.id).toBe(registered.body.id);
      } else {
        expect(registered).toMatchObject({ status: 409, body: { error_code: 409 } });
        expect((await call(b.url, 'GET', `/subjects/${subject}/versions`)).body).toHaveLength(history.length);
      }
    });

    it('checks one named version, and treats a subject without versions as compatible with "latest"', async () => {
      const subject = path(unique('compat-version'));
      await call(a.url, 'PUT', `/config/${subject}`, { compatibility: 'NONE' });
      await call(a.url, 'POST', `/subjects/${subject}/versions`, { schema: v1 });
      await call(a.url, 'POST', `/subjects/${subject}/versions`, { schema: v2 });
      await call(a.url, 'PUT', `/config/${subject}`, { compatibility: 'BACKWARD' });
      // addedWithDefault reads v1 data but not v2 data.
      expect((await call(b.url, 'POST', `/compatibility/subjects/${subject}/versions/1`, { schema: addedWithDefault })).body).toEqual({ is_compatible: true });
      const against2 = await call(b.url, 'POST', `/compatibility/subjects/${subject}/versions/2?verbose=true`, { schema: addedWithDefault });
      expect(against2.body.is_compatible).toBe(false);
      expect(against2.body.messages[0]).toMatch(/version 2/);

      const fresh = path(unique('compat-fresh'));
      expect((await call(b.url, 'POST', `/compatibility/subjects/${fresh}/versions/latest`, { schema: v1 })).body).toEqual({ is_compatible: true });
      await expectError(call(b.url, 'POST', `/compatibility/subjects/${fresh}/versions/1`, { schema: v1 }), 404, 40401);
      await expectError(call(b.url, 'POST', `/compatibility/subjects/${subject}/versions/9`, { schema: v1 }), 404, 40402);
      await expectError(call(b.url, 'POST', `/compatibility/subjects/${subject}/versions/0`, { schema: v1 }), 422, 42202);
      await expectError(call(b.url, 'POST', `/compatibility/subjects/${subject}/versions/latest`, { schema: '{' }), 422, 42201);
    });

    it('reads and resets the global level, falling back to it for unset subjects', async () => {
      const subject = path(unique('global'));
      expect((await call(a.url, 'GET', '/config')).body).toEqual({ compatibilityLevel: 'BACKWARD' });
      expect((await call(a.url, 'PUT', '/config', { compatibility: 'FULL' })).body).toEqual({ compatibility: 'FULL' });
      try {
        expect((await call(b.url, 'GET', '/config')).body).toEqual({ compatibilityLevel: 'FULL' });
        await expectError(call(b.url, 'GET', `/config/${subject}`), 404, 40408);
        expect((await call(b.url, 'GET', `/config/${subject}?defaultToGlobal=true`)).body).toEqual({ compatibilityLevel: 'FULL' });
        await expectError(call(b.url, 'PUT', '/config', { compatibility: 'SIDEWAYS' }), 422, 42203);
        await expectError(call(b.url, 'PUT', `/config/${subject}`, {}), 422, 42203);
        expect((await call(b.url, 'PUT', `/config/${subject}`, { compatibility: 'FORWARD' })).body).toEqual({ compatibility: 'FORWARD' });
        expect((await call(a.url, 'DELETE', `/config/${subject}`)).body).toEqual({ compatibilityLevel: 'FORWARD' });
        await expectError(call(a.url, 'DELETE', `/config/${subject}`), 404, 40401);
      } finally {
        expect((await call(b.url, 'DELETE', '/config')).body).toEqual({ compatibilityLevel: 'FULL' });
      }
      expect((await call(a.url, 'GET', '/config')).body).toEqual({ compatibilityLevel: 'BACKWARD' });
    });
  });

  it('soft-deletes, then permanently deletes, versions and subjects', async () => {
    const subject = unique('deletes');
    const s = path(subject);
    const versions = [1, 2, 3].map((n) => record('Del', [{ name: `f${n}`, type: 'int', default: n }]));
    const ids: number[] = [];
    for (const schema of versions) ids.push((await call(a.url, 'POST', `/subjects/${s}/versions`, { schema })).body.id);

    // A version.
    await expectError(call(a.url, 'DELETE', `/subjects/${s}/versions/2?permanent=true`), 404, 40407);
    expect((await call(a.url, 'DELETE', `/subjects/${s}/versions/2`)).body).toBe(2);
    await expectError(call(b.url, 'DELETE', `/subjects/${s}/versions/2`), 404, 40406);
    expect((await call(b.url, 'GET', `/subjects/${s}/versions`)).body).toEqual([1, 3]);
    expect((await call(b.url, 'GET', `/subjects/${s}/versions?deleted=true`)).body).toEqual([1, 2, 3]);
    await expectError(call(b.url, 'GET', `/subjects/${s}/versions/2`), 404, 40402);
    expect((await call(b.url, 'GET', `/subjects/${s}/versions/2?deleted=true`)).body.id).toBe(ids[1]);
    await expectError(call(b.url, 'POST', `/subjects/${s}`, { schema: versions[1] }), 404, 40403);
    expect((await call(b.url, 'POST', `/subjects/${s}?deleted=true`, { schema: versions[1] })).body.version).toBe(2);
    // Soft-deleted schemas stay readable by id: old records still need decoding.
    expect((await call(b.url, 'GET', `/schemas/ids/${ids[1]}`)).body).toEqual({ schema: versions[1] });
    expect((await call(b.url, 'GET', `/schemas/ids/${ids[1]}/subjects`)).body).toEqual([]);
    expect((await call(b.url, 'GET', `/schemas/ids/${ids[1]}/subjects?deleted=true`)).body).toEqual([subject]);
    expect((await call(b.url, 'DELETE', `/subjects/${s}/versions/2?permanent=true`)).body).toBe(2);
    expect((await call(a.url, 'GET', `/subjects/${s}/versions?deleted=true`)).body).toEqual([1, 3]);
    await expectError(call(a.url, 'GET', `/schemas/ids/${ids[1]}`), 404, 40403);
    await expectError(call(a.url, 'DELETE', `/subjects/${s}/versions/2?permanent=true`), 404, 40402);

    // The subject.
    await expectError(call(a.url, 'DELETE', `/subjects/${s}?permanent=true`), 404, 40405);
    expect((await call(a.url, 'DELETE', `/subjects/${s}`)).body).toEqual([1, 3]);
    await expectError(call(b.url, 'DELETE', `/subjects/${s}`), 404, 40404);
    expect((await call(b.url, 'GET', '/subjects')).body).not.toContain(subject);
    expect((await call(b.url, 'GET', '/subjects?deleted=true')).body).toContain(subject);
    await expectError(call(b.url, 'GET', `/subjects/${s}/versions`), 404, 40401);
    await expectError(call(b.url, 'GET', `/subjects/${s}/versions/latest`), 404, 40401);

    // Registering again revives the subject without reusing version numbers; same schema, same id.
    expect((await call(b.url, 'POST', `/subjects/${s}/versions`, { schema: versions[0] })).body).toEqual({ id: ids[0] });
    expect((await call(a.url, 'GET', `/subjects/${s}/versions`)).body).toEqual([4]);
    expect((await call(a.url, 'DELETE', `/subjects/${s}/versions/latest`)).body).toBe(4);
    expect((await call(a.url, 'DELETE', `/subjects/${s}?permanent=true`)).body).toEqual([1, 3, 4]);
    await expectError(call(b.url, 'GET', `/subjects/${s}/versions?deleted=true`), 404, 40401);
    expect((await call(b.url, 'GET', '/subjects?deleted=true')).body).not.toContain(subject);
    await expectError(call(b.url, 'DELETE', `/subjects/${s}`), 404, 40401);

    // Ids of permanently deleted schemas are not handed out again.
    const fresh = await call(b.url, 'POST', `/subjects/${path(unique('after-delete'))}/versions`, { schema: record('Fresh', []) });
    expect(fresh.body.id).toBeGreaterThan(Math.max(...ids));
  });

  it('answers each client error with its Confluent code', async () => {
    const subject = path(unique('errors'));
    const schema = record('Err', [{ name: 'a', type: 'int' }]);
    await call(a.url, 'POST', `/subjects/${subject}/versions`, { schema });

    await expectError(call(a.url, 'GET', `/subjects/${path(unique('missing'))}/versions`), 404, 40401);
    await expectError(call(a.url, 'POST', `/subjects/${path(unique('missing'))}`, { schema }), 404, 40401);
    await expectError(call(a.url, 'GET', `/subjects/${subject}/versions/7`), 404, 40402);
    await expectError(call(a.url, 'GET', '/schemas/ids/987654321'), 404, 40403);
    await expectError(call(a.url, 'GET', '/schemas/ids/abc/versions'), 404, 40403);
    await expectError(call(a.url, 'POST', `/subjects/${subject}`, { schema: record('Err', [{ name: 'z', type: 'int' }]) }), 404, 40403);
    await expectError(call(a.url, 'GET', `/config/${subject}`), 404, 40408);

    const invalid = (body: unknown) => expectError(call(a.url, 'POST', `/subjects/${subject}/versions`, body), 422, 42201);
    expect(await invalid({ schema: '{"type": "record", "name": "Broken", "fields": [' })).toMatch(/JSON/);
    expect(await invalid({ schema: JSON.stringify({ type: 'record', name: 'Broken', fields: [{ name: 'a', type: 'integer' }] }) })).toMatch(/integer/);
    expect(await invalid({ schema: schema, schemaType: 'PROTOBUF' })).toMatch(/AVRO only/);
    expect(await invalid({ schema: schema, references: [{ name: 'x', subject: 'y', version: 1 }] })).toMatch(/references are not supported/);
    expect(await invalid({})).toMatch(/schema/);

    for (const version of ['0', 'abc', '-2', '2147483648']) {
      await expectError(call(a.url, 'GET', `/subjects/${subject}/versions/${version}`), 422, 42202);
    }
    await expectError(call(a.url, 'DELETE', `/subjects/${subject}/versions/0`), 422, 42202);
    await expectError(call(a.url, 'PUT', `/config/${subject}`, { compatibility: 'MOSTLY' }), 422, 42203);
    const incompatible = record('Err', [{ name: 'a', type: 'string' }]);
    expect(await expectError(call(a.url, 'POST', `/subjects/${subject}/versions`, { schema: incompatible }), 409, 409)).toMatch(/incompatible/);
    await expectError(call(a.url, 'GET', '/no/such/route'), 404, 404);
  });

  it('gives concurrent registrations on two instances distinct ids and versions', async () => {
    const shared = path(unique('race-shared'));
    await call(a.url, 'PUT', `/config/${shared}`, { compatibility: 'NONE' });
    const schemaFor = (instance: string, n: number) => record(`Race${instance}${n}`, [{ name: 'n', type: 'int', default: n }]);
    const registrations = [a, b].flatMap((registry, i) =>
      Array.from({ length: 6 }, (_, n) => {
        const schema = schemaFor(i === 0 ? 'A' : 'B', n);
        // Half into one subject (racing for version numbers), half into subjects of their own (racing for ids).
        const subject = n % 2 === 0 ? shared : path(unique('race'));
        return call(registry.url, 'POST', `/subjects/${subject}/versions`, { schema }).then((answer) => ({ schema, answer }));
      }),
    );
    // The same new schema on both instances at once, under different subjects: one id.
    const same = record('RaceSame', []);
    const sameAnswers = [a, b].map((registry) => call(registry.url, 'POST', `/subjects/${path(unique('race-same'))}/versions`, { schema: same }));
    const results = await Promise.all(registrations);
    const [sameA, sameB] = await Promise.all(sameAnswers);

    expect(results.map((r) => r.answer.status)).toEqual(results.map(() => 200));
    const ids = results.map((r) => r.answer.body.id as number);
    expect(new Set(ids).size).toBe(ids.length);
    expect(sameA!.body.id).toBe(sameB!.body.id);
    expect(ids).not.toContain(sameA!.body.id);
    for (const { schema, answer } of results) {
      for (const registry of [a, b]) expect((await call(registry.url, 'GET', `/schemas/ids/${answer.body.id}`)).body).toEqual({ schema });
    }
    const sharedVersions = (await call(b.url, 'GET', `/subjects/${shared}/versions`)).body;
    expect(sharedVersions).toEqual([1, 2, 3, 4, 5, 6]);
    const sharedIds = await Promise.all(sharedVersions.map(async (v: number) => (await call(a.url, 'GET', `/subjects/${shared}/versions/${v}`)).body.id));
    expect(new Set(sharedIds).size).toBe(6);
  });

  it('rebuilds the same state after a restart and in a new instance', async () => {
    const subject = path(unique('restart'));
    const schema = record('Restart', [{ name: 'a', type: 'int' }]);
    const { id } = (await call(a.url, 'POST', `/subjects/${subject}/versions`, { schema })).body;
    await call(a.url, 'PUT', `/config/${subject}`, { compatibility: 'FULL_TRANSITIVE' });

    const view = async (url: string) => {
      const subjects: string[] = (await call(url, 'GET', '/subjects?deleted=true')).body;
      const out: Record<string, unknown> = {};
      for (const name of subjects) {
        const versions: number[] = (await call(url, 'GET', `/subjects/${path(name)}/versions?deleted=true`)).body;
        out[name] = await Promise.all(versions.map(async (v) => (await call(url, 'GET', `/subjects/${path(name)}/versions/${v}?deleted=true`)).body));
      }
      return out;
    };
    const before = await view(a.url);
    expect(Object.keys(before).length).toBeGreaterThan(10);

    await stop(a);
    a = await start();
    const c = await start();
    for (const registry of [a, c]) {
      expect(await view(registry.url)).toEqual(before);
      expect((await call(registry.url, 'GET', `/schemas/ids/${id}`)).body).toEqual({ schema });
      expect((await call(registry.url, 'GET', `/config/${subject}`)).body).toEqual({ compatibilityLevel: 'FULL_TRANSITIVE' });
    }
    // A registration on the restarted instance is visible at once on the others.
    const later = (await call(a.url, 'POST', `/subjects/${path(unique('after-restart'))}/versions`, { schema: record('Later', []) })).body.id;
    expect((await call(c.url, 'GET', `/schemas/ids/${later}`)).status).toBe(200);
    expect((await call(b.url, 'GET', `/schemas/ids/${later}`)).status).toBe(200);
    await stop(c);
  });

  describe('authentication', () => {
    const WRITES: Array<[string, string, unknown?]> = [
      ['POST', '/subjects/{s}/versions', { schema: record('Auth', [{ name: 'a', type: 'int' }]) }],
      ['DELETE', '/subjects/{s}'],
      ['DELETE', '/subjects/{s}/versions/1'],
      ['DELETE', '/subjects/{s}/versions/1?permanent=true'],
      ['PUT', '/config', { compatibility: 'NONE' }],
      ['DELETE', '/config'],
      ['PUT', '/config/{s}', { compatibility: 'NONE' }],
      ['DELETE', '/config/{s}'],
      ['PUT', '/mode', { mode: 'READONLY' }],
      ['PUT', '/mode/{s}', { mode: 'READONLY' }],
      ['DELETE', '/mode/{s}'],
    ];
    const READS: Array<[string, string, unknown?]> = [
      ['GET', '/'],
      ['GET', '/subjects'],
      ['GET', '/subjects/{s}/versions'],
      ['GET', '/subjects/{s}/versions/latest'],
      ['POST', '/subjects/{s}', { schema: record('Auth', [{ name: 'a', type: 'int' }]) }],
      ['POST', '/compatibility/subjects/{s}/versions/latest', { schema: record('Auth', [{ name: 'a', type: 'int' }]) }],
      ['GET', '/schemas/ids/{id}'],
      ['GET', '/config'],
      ['GET', '/mode'],
      ['GET', '/schemas/types'],
      ['GET', '/no/such/route'],
    ];
    const fill = (template: string, subject: string, id = 1) => template.replace('{s}', path(subject)).replace('{id}', String(id));

    it('refuses every write without credentials (401) and with a reader credential (403), and changes nothing', async () => {
      const subject = unique('auth-write');
      const schema = record('Auth', [{ name: 'a', type: 'int' }]);
      const { id } = (await call(a.url, 'POST', `/subjects/${path(subject)}/versions`, { schema })).body;
      await call(a.url, 'PUT', `/config/${path(subject)}`, { compatibility: 'FULL' });
      const wrongPassword = basicAuthorization({ username: 'schema-writer', password: `${parseUserInfo(writer.userInfo)!.password}x` });

      for (const [method, template, body] of WRITES) {
        const url = fill(template, subject);
        for (const authorization of [null, wrongPassword]) {
          const response = await fetch(`${b.url}${url}`, {
            method,
            headers: { ...(authorization ? { authorization } : {}), ...(body ? { 'content-type': CONTENT_TYPE } : {}) },
            body: body ? JSON.stringify(body) : undefined,
          });
          expect({ method, url, status: response.status }).toEqual({ method, url, status: 401 });
          expect(response.headers.get('www-authenticate')).toMatch(/^Basic realm="[^"]+"/);
          expect(response.headers.get('content-type')).toBe(CONTENT_TYPE);
          expect(((await response.json()) as { error_code: number }).error_code).toBe(40101);
        }
        const message = await expectError(call(b.url, method, url, body, CONTENT_TYPE, readerAuth), 403, 40301);
        expect(message).toMatch(/schema-reader may only read/);
      }

      // Nothing changed: the version, the subject's level, the global level and the modes are as they were.
      expect((await call(a.url, 'GET', `/subjects/${path(subject)}/versions`, undefined, CONTENT_TYPE, readerAuth)).body).toEqual([1]);
      expect((await call(a.url, 'GET', `/schemas/ids/${id}`, undefined, CONTENT_TYPE, readerAuth)).body).toEqual({ schema });
      expect((await call(a.url, 'GET', `/config/${path(subject)}`, undefined, CONTENT_TYPE, readerAuth)).body).toEqual({ compatibilityLevel: 'FULL' });
      expect((await call(a.url, 'GET', '/mode', undefined, CONTENT_TYPE, readerAuth)).body).toEqual({ mode: 'READWRITE' });
      await expectError(call(a.url, 'GET', `/mode/${path(subject)}`, undefined, CONTENT_TYPE, readerAuth), 404, 40409);

      // The writer may do each of them.
      const second = record('Auth', [{ name: 'a', type: 'int' }, { name: 'b', type: 'int', default: 0 }]);
      expect((await call(b.url, 'POST', `/subjects/${path(subject)}/versions`, { schema: second })).status).toBe(200);
      expect((await call(b.url, 'PUT', `/mode/${path(subject)}`, { mode: 'READWRITE' })).body).toEqual({ mode: 'READWRITE' });
      expect((await call(b.url, 'DELETE', `/mode/${path(subject)}`)).body).toEqual({ mode: 'READWRITE' });
      expect((await call(b.url, 'DELETE', `/subjects/${path(subject)}`)).body).toEqual([1, 2]);
    });

    it('refuses reads without credentials, or with wrong or malformed ones, and serves readers', async () => {
      // An instance of its own: this many failed logins would throttle the shared ones.
      const own = await start();
      const subject = unique('auth-read');
      const { id } = (await call(own.url, 'POST', `/subjects/${path(subject)}/versions`, { schema: record('Auth', [{ name: 'a', type: 'int' }]) })).body;
      const password = parseUserInfo(reader.userInfo)!.password;
      const wrongPassword = basicAuthorization({ username: 'schema-reader', password: 'guess' });
      const malformed = [
        basicAuthorization({ username: 'nobody', password }),
        `Bearer ${password}`,
        'Basic !!!not-base64!!!',
        `Basic ${Buffer.from(`schema-reader${password}`).toString('base64')}`,
        `Basic ${Buffer.from(`:${password}`).toString('base64')}`,
        `Basic ${Buffer.from(`schema-reader:${password}`).toString('base64')} trailing`,
      ];
      try {
        for (const authorization of malformed) await expectError(call(own.url, 'GET', '/subjects', undefined, CONTENT_TYPE, authorization), 401, 40101);
        for (const [method, template, body] of READS) {
          const url = fill(template, subject, id);
          for (const authorization of [null, wrongPassword]) {
            await expectError(call(own.url, method, url, body, CONTENT_TYPE, authorization), 401, 40101);
          }
          const answer = await call(own.url, method, url, body, CONTENT_TYPE, readerAuth);
          expect({ method, url, status: answer.status }).toEqual({ method, url, status: url === '/no/such/route' ? 404 : 200 });
        }
        // Liveness alone needs no credentials, and tells nothing about the schemas.
        expect(await call(own.url, 'GET', '/health', undefined, CONTENT_TYPE, null)).toEqual({ status: 200, body: { status: 'ok' } });
      } finally {
        await stop(own);
      }
    });

    it('serves reads without credentials only when anonymous reads are configured, never writes', async () => {
      const open = await start({ config: { ...config, schemaRegistry: { ...config.schemaRegistry, anonymousRead: true } } });
      try {
        const subject = unique('anonymous');
        const schema = record('Anon', [{ name: 'a', type: 'int' }]);
        await expectError(call(open.url, 'POST', `/subjects/${path(subject)}/versions`, { schema }, CONTENT_TYPE, null), 401, 40101);
        await expectError(call(open.url, 'PUT', '/config', { compatibility: 'NONE' }, CONTENT_TYPE, null), 401, 40101);
        await expectError(call(open.url, 'PUT', '/mode', { mode: 'READONLY' }, CONTENT_TYPE, null), 401, 40101);
        const { id } = (await call(open.url, 'POST', `/subjects/${path(subject)}/versions`, { schema })).body;
        expect(await call(open.url, 'GET', `/schemas/ids/${id}`, undefined, CONTENT_TYPE, null)).toEqual({ status: 200, body: { schema } });
        expect((await call(open.url, 'GET', '/subjects', undefined, CONTENT_TYPE, null)).body).toContain(subject);
        // Credentials that are presented must be right, even for a read.
        await expectError(call(open.url, 'GET', '/subjects', undefined, CONTENT_TYPE, basicAuthorization({ username: 'schema-reader', password: 'x' })), 401, 40101);
        // The instances without anonymous reads still refuse.
        await expectError(call(a.url, 'GET', `/schemas/ids/${id}`, undefined, CONTENT_TYPE, null), 401, 40101);
      } finally {
        await stop(open);
      }
    });

    it('serves Confluent clients configured with basic.auth.user.info', async () => {
      const subject = unique('confluent-client-value');
      const schema = record('Client', [{ name: 'region', type: 'string' }]);
      const asWriter = new SchemaRegistry({ host: a.url, auth: clientAuth(writer.userInfo) });
      const asReader = new SchemaRegistry({ host: b.url, auth: clientAuth(reader.userInfo) });
      const anonymous = new SchemaRegistry({ host: b.url });

      const { id } = await asWriter.register({ type: SchemaType.AVRO, schema }, { subject });
      const encoded = await asWriter.encode(id, { region: 'north' });
      expect(await asReader.decode(encoded)).toEqual({ region: 'north' });
      expect(await asReader.getLatestSchemaId(subject)).toBe(id);
      await expect(asReader.register({ type: SchemaType.AVRO, schema: record('Client', []) }, { subject: unique('reader') })).rejects.toThrow(/40301|Forbidden|may only read/);
      await expect(anonymous.getLatestSchemaId(subject)).rejects.toThrow(/40101|Unauthorized/);
      await expect(anonymous.decode(encoded)).rejects.toThrow(/40101|Unauthorized/);

      // Confluent's Java client sends base64 of the basic.auth.user.info string as it stands.
      const userInfo = reader.userInfo;
      const plain = await fetch(`${b.url}/subjects/${path(subject)}/versions/latest`, {
        headers: { authorization: `Basic ${Buffer.from(userInfo).toString('base64')}` },
      });
      expect(plain.status).toBe(200);
      expect(await plain.json()).toEqual({ subject, version: 1, id, schema });
    });

    it('throttles failed logins of a user from an address, answering 429 until the window ends', async () => {
      const own = await start();
      try {
        const wrong = basicAuthorization({ username: 'schema-writer', password: 'wrong' });
        for (let i = 0; i < 30; i++) await expectError(call(own.url, 'GET', '/subjects', undefined, CONTENT_TYPE, wrong), 401, 40101);
        const blocked = await fetch(`${own.url}/subjects`, { headers: { authorization: wrong } });
        expect(blocked.status).toBe(429);
        expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(((await blocked.json()) as { error_code: number }).error_code).toBe(42901);
        // While throttled, the user's password is not even checked, so guessing cannot go on.
        await expectError(call(own.url, 'GET', '/subjects', undefined, CONTENT_TYPE, writerAuth), 429, 42901);
        // Other users of the same address are not locked out; requests without credentials are not
        // login attempts; another instance keeps its own count.
        expect((await call(own.url, 'GET', '/subjects', undefined, CONTENT_TYPE, readerAuth)).status).toBe(200);
        await expectError(call(own.url, 'GET', '/subjects', undefined, CONTENT_TYPE, null), 401, 40101);
        expect((await call(a.url, 'GET', '/subjects')).status).toBe(200);
      } finally {
        await stop(own);
      }
    });

    it('follows the credentials file: an added credential works and a revoked one is refused within seconds', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'registry-credentials-'));
      const file = join(dir, 'credentials.json');
      const first = issueRegistryCredential('rotating');
      const second = issueRegistryCredential('rotating');
      writeFileSync(file, JSON.stringify({ writers: { rotating: [first.hash] } }));
      const followed = await start({ config: { ...config, schemaRegistry: { ...config.schemaRegistry, credentialsFile: file } }, fileCredentials: true });
      const statusOf = async (userInfo: string) =>
        (await fetch(`${followed.url}/subjects`, { headers: { authorization: basicAuthorization(parseUserInfo(userInfo)!) } })).status;
      const eventually = async (check: () => Promise<boolean>) => {
        const deadline = Date.now() + 5_000;
        while (!(await check())) {
          if (Date.now() > deadline) throw new Error('the registry did not follow the credentials file within 5 s');
          await sleep(200);
        }
      };
      try {
        expect(await statusOf(first.userInfo)).toBe(200);
        expect(await statusOf(second.userInfo)).toBe(401);
        // Rotation: both passwords valid, then the old one revoked.
        writeFileSync(file, JSON.stringify({ writers: { rotating: [first.hash, second.hash] } }));
        await eventually(async () => (await statusOf(second.userInfo)) === 200);
        expect(await statusOf(first.userInfo)).toBe(200);
        writeFileSync(file, JSON.stringify({ writers: { rotating: [second.hash] } }));
        await eventually(async () => (await statusOf(first.userInfo)) === 401);
        // A broken edit leaves the last valid credentials in force.
        writeFileSync(file, '{"writers": {"rotating": ["not a hash"]}}');
        await sleep(1_500);
        expect(await statusOf(second.userInfo)).toBe(200);
        expect(await statusOf(first.userInfo)).toBe(401);
      } finally {
        await stop(followed);
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('does not start without its credentials file', async () => {
      const missing = { ...config, schemaRegistry: { ...config.schemaRegistry, credentialsFile: join(tmpdir(), `absent-${randomUUID()}.json`) } };
      await expect(start({ config: missing, fileCredentials: true })).rejects.toThrow(/does not exist; the registry admits no one without it/);
    });

    it('runs as a process of its own with the credentials file of its configuration, and keeps passwords out of its log', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'registry-process-'));
      const file = join(dir, 'credentials.json');
      writeFileSync(file, JSON.stringify({ writers: { 'schema-writer': [writer.hash] }, readers: { 'schema-reader': [reader.hash] } }));
      const port = await freePort();
      let output = '';
      const child: ChildProcess = spawn(process.execPath, [join(REPO_ROOT, 'services/schema-registry/main.ts')], {
        env: { ...process.env, SCHEMA_REGISTRY_PORT: String(port), SCHEMA_REGISTRY_TOPIC: topic, SCHEMA_REGISTRY_CREDENTIALS_FILE: file, LOG_LEVEL: 'info' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout!.on('data', (chunk) => (output += chunk));
      child.stderr!.on('data', (chunk) => (output += chunk));
      const url = `http://127.0.0.1:${port}`;
      try {
        const deadline = Date.now() + 60_000;
        while (!(await fetch(`${url}/health`).then((r) => r.ok, () => false))) {
          if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the registry process did not come up: ${output}`);
          await sleep(200);
        }
        const subject = unique('process');
        await expectError(call(url, 'GET', '/subjects', undefined, CONTENT_TYPE, null), 401, 40101);
        await expectError(call(url, 'POST', `/subjects/${path(subject)}/versions`, { schema: record('Proc', []) }, CONTENT_TYPE, readerAuth), 403, 40301);
        const wrong = `${parseUserInfo(writer.userInfo)!.password}-wrong`;
        await expectError(call(url, 'GET', '/subjects', undefined, CONTENT_TYPE, basicAuthorization({ username: 'schema-writer', password: wrong })), 401, 40101);
        expect((await call(url, 'POST', `/subjects/${path(subject)}/versions`, { schema: record('Proc', []) })).status).toBe(200);
        expect((await call(url, 'GET', '/subjects', undefined, CONTENT_TYPE, readerAuth)).body).toContain(subject);
        expect(output).toMatch(/schema registry login failed/);
        for (const secret of [wrong, parseUserInfo(writer.userInfo)!.password, parseUserInfo(reader.userInfo)!.password]) expect(output).not.toContain(secret);
      } finally {
        child.kill('SIGTERM');
        await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
        rmSync(dir, { recursive: true, force: true });
      }

      // Without its credentials file it refuses to start, saying which file.
      const refused = spawn(process.execPath, [join(REPO_ROOT, 'services/schema-registry/main.ts')], {
        env: { ...process.env, SCHEMA_REGISTRY_PORT: String(port), SCHEMA_REGISTRY_TOPIC: topic, SCHEMA_REGISTRY_CREDENTIALS_FILE: file },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let refusal = '';
      refused.stdout!.on('data', (chunk) => (refusal += chunk));
      refused.stderr!.on('data', (chunk) => (refusal += chunk));
      const code = await new Promise((resolve) => refused.once('exit', resolve));
      expect(code).toBe(1);
      expect(refusal).toContain(`${file}: does not exist`);
    });
  });

  describe('mode', () => {
    let m1: RunningSchemaRegistry;
    let m2: RunningSchemaRegistry;
    beforeAll(async () => {
      [m1, m2] = await Promise.all([start({ topic: modeTopic }), start({ topic: modeTopic })]);
    });

    it('READONLY on a subject refuses its writes on every instance; other subjects stay writable', async () => {
      const frozen = path(unique('frozen'));
      const other = path(unique('other'));
      const v1 = record('Frozen', [{ name: 'a', type: 'int' }]);
      const v2 = record('Frozen', [{ name: 'a', type: 'int' }, { name: 'b', type: 'int', default: 0 }]);
      const { id } = (await call(m1.url, 'POST', `/subjects/${frozen}/versions`, { schema: v1 })).body;
      expect((await call(m1.url, 'PUT', `/mode/${frozen}`, { mode: 'readonly' })).body).toEqual({ mode: 'READONLY' });
      expect((await call(m2.url, 'GET', `/mode/${frozen}`)).body).toEqual({ mode: 'READONLY' });
      expect((await call(m2.url, 'GET', '/mode')).body).toEqual({ mode: 'READWRITE' });

      expect(await expectError(call(m2.url, 'POST', `/subjects/${frozen}/versions`, { schema: v2 }), 422, 42205)).toBe(`Subject ${decodeURIComponent(frozen)} is in read-only mode`);
      await expectError(call(m2.url, 'DELETE', `/subjects/${frozen}/versions/1`), 422, 42205);
      await expectError(call(m2.url, 'DELETE', `/subjects/${frozen}`), 422, 42205);
      await expectError(call(m2.url, 'PUT', `/config/${frozen}`, { compatibility: 'NONE' }), 422, 42205);
      // Registering what is already there writes nothing, so it still answers (services re-register at start).
      expect((await call(m2.url, 'POST', `/subjects/${frozen}/versions`, { schema: v1 })).body).toEqual({ id });
      expect((await call(m1.url, 'GET', `/subjects/${frozen}/versions`)).body).toEqual([1]);
      expect((await call(m2.url, 'POST', `/subjects/${other}/versions`, { schema: v2 })).status).toBe(200);
      await expectError(call(m1.url, 'GET', `/mode/${other}`), 404, 40409);
      expect((await call(m1.url, 'GET', `/mode/${other}?defaultToGlobal=true`)).body).toEqual({ mode: 'READWRITE' });

      // Back to the global mode: the subject is writable again, and its own mode is gone.
      expect((await call(m2.url, 'DELETE', `/mode/${frozen}`)).body).toEqual({ mode: 'READONLY' });
      await expectError(call(m1.url, 'DELETE', `/mode/${frozen}`), 404, 40401);
      expect((await call(m1.url, 'POST', `/subjects/${frozen}/versions`, { schema: v2 })).status).toBe(200);
    });

    it('READONLY globally refuses every write but a subject set READWRITE; it survives a restart', async () => {
      const open = path(unique('open'));
      const closed = path(unique('closed'));
      const schema = record('Global', [{ name: 'a', type: 'int' }]);
      expect((await call(m1.url, 'PUT', `/mode/${open}`, { mode: 'READWRITE' })).body).toEqual({ mode: 'READWRITE' });
      expect((await call(m1.url, 'PUT', '/mode', { mode: 'READONLY' })).body).toEqual({ mode: 'READONLY' });
      try {
        expect((await call(m2.url, 'GET', '/mode')).body).toEqual({ mode: 'READONLY' });
        await expectError(call(m2.url, 'POST', `/subjects/${closed}/versions`, { schema }), 422, 42205);
        await expectError(call(m2.url, 'PUT', '/config', { compatibility: 'NONE' }), 422, 42205);
        await expectError(call(m2.url, 'DELETE', '/config'), 422, 42205);
        await expectError(call(m2.url, 'PUT', `/config/${closed}`, { compatibility: 'NONE' }), 422, 42205);
        expect((await call(m2.url, 'POST', `/subjects/${open}/versions`, { schema })).status).toBe(200);
        await expectError(call(m2.url, 'GET', `/subjects/${closed}/versions`), 404, 40401);
        expect((await call(m2.url, 'GET', `/mode/${closed}?defaultToGlobal=true`)).body).toEqual({ mode: 'READONLY' });
        // Only the modes this registry implements are accepted.
        for (const mode of ['IMPORT', 'READONLY_OVERRIDE', 'SIDEWAYS', 7]) await expectError(call(m1.url, 'PUT', '/mode', { mode }), 422, 42204);
        await expectError(call(m1.url, 'PUT', '/mode', {}), 422, 42204);

        // A new instance reads the mode back from the log.
        const later = await start({ topic: modeTopic });
        try {
          expect((await call(later.url, 'GET', '/mode')).body).toEqual({ mode: 'READONLY' });
          await expectError(call(later.url, 'POST', `/subjects/${closed}/versions`, { schema }), 422, 42205);
        } finally {
          await stop(later);
        }
      } finally {
        expect((await call(m2.url, 'PUT', '/mode', { mode: 'READWRITE' })).body).toEqual({ mode: 'READWRITE' });
      }
      expect((await call(m1.url, 'POST', `/subjects/${closed}/versions`, { schema })).status).toBe(200);
    });
  });
});
