import { mkdir, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPullConnectors, type PullConnectors } from '../../connectors/main.ts';
import { hashKey } from '../../services/platform/access.ts';
import { createAvroSerde } from '../../services/platform/avro-serde.ts';
import { loadConfig } from '../../services/platform/config.ts';
import { createLogger } from '../../services/platform/logger.ts';
import { HEADER, headerString } from '../../services/platform/record-headers.ts';
import { rawExample } from '../fixtures/raw-examples.ts';
import { startTestApi, type TestApi } from '../support/api.ts';
import { startHotlineFeed, type HotlineFeed } from '../support/hotline-feed.ts';
import { readTopicUntil, testKafka, uniqueName } from '../support/kafka.ts';
import { waitFor } from '../support/wait-for.ts';

const AGENCY_KEY = 'agency-key-for-the-connector-api-test';

describe('connectors as configuration through /v1/connectors', () => {
  const prefix = uniqueName('test-conn');
  const tag = prefix.toUpperCase();
  const kafka = testKafka();
  const serde = createAvroSerde(loadConfig().schemaRegistry);
  const names = { gates: `${prefix}-gates`, apps: `${prefix}-apps`, hotline: `${prefix}-hotline`, pcReports: `${prefix}-pc-reports` };
  let root: string;
  let env: Record<string, string>;
  let pull: PullConnectors;
  let t: TestApi;
  let hotline: HotlineFeed;
  let pcReports: HotlineFeed;

  async function start(): Promise<void> {
    pull = await startPullConnectors(loadConfig({ ...process.env, ...env }), createLogger('test', 'silent'));
    t = await startTestApi(env, {
      api: { connectors: pull },
      access: { agencies: { 'conn-agency': { keys: [hashKey(AGENCY_KEY)], kinds: 'all', provinces: 'all', tier: 'identified' } } },
    });
  }

  async function stop(): Promise<void> {
    await t.close();
    await pull.close();
  }

  async function call(method: string, route: string, body?: unknown, key: string | null = t.operatorKey, contentType = 'application/json') {
    const response = await fetch(`${t.url}${route}`, {
      method,
      headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body === undefined ? {} : { 'content-type': contentType }) },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  }

  /** Writes under a temporary name and renames into place, as a drop folder asks of writers. */
  async function drop(folder: string, file: string, lines: Record<string, unknown>[]): Promise<void> {
    // The connector makes its folder when its session starts; a writer may come first.
    await mkdir(path.join(root, folder), { recursive: true });
    const target = path.join(root, folder, file);
    await writeFile(`${target}.part`, lines.map((line) => JSON.stringify(line)).join('\n') + '\n');
    await rename(`${target}.part`, target);
  }

  /** The record ids a connector published to `topic`, once at least `count` are there (and any repeat committed before them). */
  async function published(topic: string, connector: string, count: number, idField: string): Promise<string[]> {
    const messages = await readTopicUntil(kafka, topic, count, { keep: (message) => headerString(message.headers, HEADER.connector) === connector });
    return Promise.all(messages.map(async ({ message }) => String((await serde.decode(message.value!))[idField])));
  }

  const timesSeen = (ids: string[]) => ids.reduce((counts, id) => counts.set(id, (counts.get(id) ?? 0) + 1), new Map<string, number>());
  const passage = (n: number) => ({ ...rawExample('checkpoint-ops', 'checkpoint-passage'), readerId: `${tag}-reader-${n}` });
  const declaration = (n: number) => ({ ...rawExample('pccovid', 'health-declaration'), id: `${tag}-decl-${n}` });
  const pcReport = (feedTag: string, index: number) => ({ ...rawExample('pccovid', 'citizen-report'), id: `${feedTag}-${String(index).padStart(6, '0')}` });

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'truc-drop-root-'));
    hotline = await startHotlineFeed(`${tag}-H`, 300);
    pcReports = await startHotlineFeed(`${tag}-P`, 200, new Set(), pcReport);
    env = {
      CONNECT_CONFIG_TOPIC: `test-connect-configs-${prefix}`,
      CONNECT_DROP_ROOT: root,
      FILE_CONNECTOR_DIR: path.join(root, 'default'),
      FILE_CONNECTOR_NAME: `${prefix}-default`,
      POLL_CONNECTOR_URL: '',
      POLL_CONNECTOR_ALLOW_HOSTS: '127.0.0.1',
    };
    await start();
  });

  afterAll(async () => {
    await stop();
    await hotline?.close();
    await pcReports?.close();
    await rm(root, { recursive: true, force: true });
  });

  it('creates the default drop folder at first start, and describes each type field by field', async () => {
    const listed = await call('GET', '/v1/connectors');
    expect(listed.status).toBe(200);
    expect(listed.body.connectors.map((c: { name: string }) => c.name)).toEqual(['http-ingest', `${prefix}-default`]);
    expect(listed.body.connectors[1]).toMatchObject({ type: 'file', targetState: 'RUNNING', config: { source: 'checkpoint-ops', folder: 'default' } });
    const types = await call('GET', '/v1/connector-types');
    expect(types.body.types.map((type: { name: string }) => type.name)).toEqual(['file', 'http-poll']);
    expect(types.body.types[1].fields).toContainEqual({ name: 'pageSize', type: 'int', required: false, default_value: 500, documentation: expect.any(String) });
  });

  it('refuses invalid configurations field by field, and callers without an operator key', async () => {
    const validated = await call('PUT', '/v1/connector-types/file/config/validate', { source: 'pccovid', csvKind: 'health-declaration', folder: '../../etc', batchRecords: 0 });
    expect(validated.status).toBe(200);
    const errors = Object.fromEntries(validated.body.configs.map((field: { value: { name: string; errors: string[] } }) => [field.value.name, field.value.errors]));
    expect(errors).toMatchObject({ source: [], csvKind: [expect.stringContaining('cannot be read from CSV')], folder: [expect.stringContaining('".." is not allowed')], batchRecords: ['must be at least 1'] });
    expect(validated.body.error_count).toBe(3);
    expect((await call('PUT', '/v1/connector-types/ftp/config/validate', {})).status).toBe(404);

    // Refused creations store nothing, and say why field by field.
    const internal = await call('POST', '/v1/connectors', { name: `${prefix}-bad`, type: 'http-poll', config: { source: 'hotline-1022', kind: 'citizen-report', url: 'http://169.254.169.254/latest/meta-data' } });
    expect(internal).toMatchObject({ status: 400, body: { error: { code: 'invalid_config' } } });
    expect(internal.body.error.details.configs.find((field: { value: { name: string } }) => field.value.name === 'url').value.errors).toHaveLength(1);
    const notHttp = await call('POST', '/v1/connectors', { name: `${prefix}-bad`, type: 'http-poll', config: { source: 'hotline-1022', kind: 'citizen-report', url: 'file:///etc/passwd' } });
    expect(notHttp.status).toBe(400);
    const absolute = await call('POST', '/v1/connectors', { name: `${prefix}-bad`, type: 'file', config: { source: 'vhd', jsonKind: 'health-declaration', folder: '/etc' } });
    expect(absolute.status).toBe(400);
    expect((await call('POST', '/v1/connectors', { name: '../x', type: 'file', config: {} })).body.error.code).toBe('invalid_name');
    expect((await call('POST', '/v1/connectors', { name: `${prefix}-bad`, type: 'kafka', config: {} })).body.error.code).toBe('unknown_type');
    expect((await call('GET', `/v1/connectors/${prefix}-bad`)).status).toBe(404);

    const good = { name: `${prefix}-bad`, type: 'file', config: { source: 'vhd', jsonKind: 'health-declaration', folder: 'x' } };
    expect((await call('POST', '/v1/connectors', good, null)).status).toBe(401);
    expect((await call('POST', '/v1/connectors', good, AGENCY_KEY)).status).toBe(403);
    expect((await call('POST', '/v1/connectors', good, t.sourceKeys.vhd!)).status).toBe(403);
    expect((await call('GET', '/v1/connector-types', undefined, AGENCY_KEY)).status).toBe(403);
    expect((await call('DELETE', `/v1/connectors/${prefix}-default/offsets`, undefined, AGENCY_KEY)).status).toBe(403);
    expect((await call('POST', '/v1/connectors', { ...good, padding: 'x'.repeat(70 * 1024) })).status).toBe(413);
    expect((await call('POST', '/v1/connectors', '{"name": "x", "type": ')).status).toBe(400);
    expect((await call('GET', `/v1/connectors/${prefix}-bad`)).status).toBe(404);
  });

  it('runs two drop folders and two pollers of different (source, kind) pairs at once, created through the API', async () => {
    const created = await Promise.all([
      call('POST', '/v1/connectors', { name: names.gates, type: 'file', config: { source: 'checkpoint-ops', jsonKind: 'checkpoint-passage', folder: 'gates', pollIntervalMs: 100 } }),
      call('POST', '/v1/connectors', { name: names.apps, type: 'file', config: { source: 'pccovid', jsonKind: 'health-declaration', folder: 'apps/pccovid', pollIntervalMs: 100 } }),
      call('POST', '/v1/connectors', { name: names.hotline, type: 'http-poll', config: { source: 'hotline-1022', kind: 'citizen-report', url: hotline.url, token: 'hotline-token', pageSize: 100, intervalMs: 100 } }),
      call('POST', '/v1/connectors', { name: names.pcReports, type: 'http-poll', config: { source: 'pccovid', kind: 'citizen-report', url: pcReports.url, pageSize: 50, intervalMs: 100 } }),
    ]);
    expect(created.map((answer) => answer.status)).toEqual([201, 201, 201, 201]);
    expect(created[2]!.body).toMatchObject({ name: names.hotline, type: 'http-poll', config: { token: '[hidden]' } });
    expect((await call('POST', '/v1/connectors', { name: names.gates, type: 'file', config: { source: 'vhd', jsonKind: 'health-declaration', folder: 'g2' } })).status).toBe(409);
    // The same files of a folder are never read by two connectors.
    const clash = await call('POST', '/v1/connectors', { name: `${prefix}-clash`, type: 'file', config: { source: 'vhd', jsonKind: 'health-declaration', folder: 'gates' } });
    expect(clash.body.error.details.configs.find((field: { value: { name: string } }) => field.value.name === 'folder').value.errors).toEqual([`its NDJSON/JSON files are read by connector ${names.gates} already`]);

    await drop('gates', 'passages.ndjson', Array.from({ length: 40 }, (_, n) => passage(n)));
    await drop('apps/pccovid', 'declarations.ndjson', Array.from({ length: 30 }, (_, n) => declaration(n)));

    const [gates, apps, reports, pcs] = await Promise.all([
      published('raw.checkpoint-ops.checkpoint-passage', names.gates, 40, 'readerId'),
      published('raw.pccovid.health-declaration', names.apps, 30, 'id'),
      published('raw.hotline-1022.citizen-report', names.hotline, 300, 'ticketId'),
      published('raw.pccovid.citizen-report', names.pcReports, 200, 'id'),
    ]);
    expect(new Set(gates).size).toBe(40);
    expect(gates).toHaveLength(40);
    expect(apps).toHaveLength(30);
    expect(reports).toHaveLength(300);
    expect(new Set(reports).size).toBe(300);
    expect(pcs).toHaveLength(200);
    expect(hotline.requests.every((request) => request.authorization === 'Bearer hotline-token')).toBe(true);

    const listed = (await call('GET', '/v1/connectors')).body.connectors as { name: string; state: string }[];
    for (const name of Object.values(names)) expect(listed.find((c) => c.name === name)).toMatchObject({ state: 'RUNNING' });
  });

  it('reads offsets any time, and resets or moves them only while the connector is stopped', async () => {
    await waitFor(() => hotline.requests.some((request) => request.since === hotline.cursorOf(300)), 'the hotline poller to catch up');
    expect((await call('GET', `/v1/connectors/${names.hotline}/offsets`)).body).toEqual({ offsets: [{ partition: 'feed', offset: { cursor: hotline.cursorOf(300) } }] });
    expect((await call('DELETE', `/v1/connectors/${names.hotline}/offsets`)).status).toBe(409);
    expect((await call('PATCH', `/v1/connectors/${names.hotline}/offsets`, { offsets: [{ partition: 'feed', offset: { cursor: hotline.cursorOf(250) } }] })).status).toBe(409);
    expect((await call('DELETE', '/v1/connectors/http-ingest/offsets')).status).toBe(404);

    expect((await call('POST', `/v1/connectors/${names.hotline}/stop`)).body).toMatchObject({ state: 'STOPPED', targetState: 'STOPPED' });
    expect((await call('PATCH', `/v1/connectors/${names.hotline}/offsets`, { offsets: [{ partition: 'lines', offset: { cursor: 'x' } }] })).body.error).toMatchObject({
      code: 'invalid_offsets', details: [{ index: 0, problem: expect.stringContaining('one partition') }],
    });
    const moved = await call('PATCH', `/v1/connectors/${names.hotline}/offsets`, { offsets: [{ partition: 'feed', offset: { cursor: hotline.cursorOf(250) } }] });
    expect(moved).toEqual({ status: 200, body: { offsets: [{ partition: 'feed', offset: { cursor: hotline.cursorOf(250) } }] } });
    await call('POST', `/v1/connectors/${names.hotline}/resume`);
    // Items 250 to 299 once more, nothing else.
    const again = await published('raw.hotline-1022.citizen-report', names.hotline, 350, 'ticketId');
    expect(again).toHaveLength(350);
    const twice = [...timesSeen(again)].filter(([, times]) => times === 2).map(([id]) => id);
    expect(twice.map((id) => Number(id.slice(id.lastIndexOf('-') + 1))).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => 250 + i));

    await waitFor(async () => (await call('GET', `/v1/connectors/${names.hotline}/offsets`)).body.offsets[0]?.offset.cursor === hotline.cursorOf(300), 'the cursor back at the end');
    await call('POST', `/v1/connectors/${names.hotline}/stop`);
    expect((await call('DELETE', `/v1/connectors/${names.hotline}/offsets`)).body).toEqual({ offsets: [] });
    expect((await call('GET', `/v1/connectors/${names.hotline}/offsets`)).body).toEqual({ offsets: [] });
    await call('POST', `/v1/connectors/${names.hotline}/resume`);
    // The whole feed from its beginning, once.
    const all = await published('raw.hotline-1022.citizen-report', names.hotline, 650, 'ticketId');
    expect(all).toHaveLength(650);
    const seen = timesSeen(all);
    expect(seen.size).toBe(300);
    for (const [id, times] of seen) expect(times, id).toBe(Number(id.slice(id.lastIndexOf('-') + 1)) >= 250 ? 3 : 2);
  });

  it("moves a drop folder's position in a file while it is stopped", async () => {
    expect((await call('POST', `/v1/connectors/${names.gates}/stop`)).body.state).toBe('STOPPED');
    const lines = Array.from({ length: 20 }, (_, n) => passage(1000 + n));
    await drop('gates', 'later.ndjson', lines);
    const file = await stat(path.join(root, 'gates', 'later.ndjson'), { bigint: true });
    // Skip the first 15 records: start at the 16th line.
    const byte = Buffer.byteLength(lines.slice(0, 15).map((line) => `${JSON.stringify(line)}\n`).join(''));
    const offset = {
      file: { ino: String(file.ino), size: Number(file.size), mtimeMs: Number(file.mtimeMs) },
      position: { records: 15, byte, line: 16 },
      published: 15,
      rejected: 0,
      startedAt: new Date().toISOString(),
      finishedAt: null,
    };
    expect((await call('PATCH', `/v1/connectors/${names.gates}/offsets`, { offsets: [{ partition: 'later.ndjson', offset }] })).status).toBe(200);
    await call('POST', `/v1/connectors/${names.gates}/resume`);
    const gates = await published('raw.checkpoint-ops.checkpoint-passage', names.gates, 45, 'readerId');
    expect(gates).toHaveLength(45);
    const readers = gates.map((id) => Number(id.slice(id.lastIndexOf('-') + 1)));
    expect(readers.filter((n) => n >= 1000).sort((a, b) => a - b)).toEqual([1015, 1016, 1017, 1018, 1019]);
  });

  it('changes a configuration in place, and keeps instances, states, offsets and deletions across a restart', async () => {
    await waitFor(() => pcReports.requests.some((request) => request.since === pcReports.cursorOf(200)), 'the pccovid poller to catch up');
    const changed = await call('PUT', `/v1/connectors/${names.pcReports}`, { type: 'http-poll', config: { source: 'pccovid', kind: 'citizen-report', url: pcReports.url, pageSize: 25, intervalMs: 100 } });
    expect(changed).toMatchObject({ status: 200, body: { config: { pageSize: 25 } } });
    await call('POST', `/v1/connectors/${names.gates}/pause`);
    const offsetsBefore = (await call('GET', `/v1/connectors/${names.pcReports}/offsets`)).body;
    expect(offsetsBefore.offsets).toEqual([{ partition: 'feed', offset: { cursor: pcReports.cursorOf(200) } }]);

    await stop();
    await start();

    const listed = (await call('GET', '/v1/connectors')).body.connectors as { name: string; state: string; targetState: string; config: Record<string, unknown> }[];
    expect(listed.map((c) => c.name).sort()).toEqual(['http-ingest', `${prefix}-default`, ...Object.values(names)].sort());
    expect(listed.find((c) => c.name === names.gates)).toMatchObject({ state: 'PAUSED', targetState: 'PAUSED' });
    expect(listed.find((c) => c.name === names.pcReports)).toMatchObject({ state: 'RUNNING', config: { pageSize: 25 } });
    expect((await call('GET', `/v1/connectors/${names.pcReports}/offsets`)).body).toEqual(offsetsBefore);

    // Each connector carries on where it was: new items and files only.
    pcReports.total = 260;
    await drop('apps/pccovid', 'later.ndjson', Array.from({ length: 5 }, (_, n) => declaration(100 + n)));
    const [pcs, apps] = await Promise.all([
      published('raw.pccovid.citizen-report', names.pcReports, 260, 'id'),
      published('raw.pccovid.health-declaration', names.apps, 35, 'id'),
    ]);
    expect(pcs).toHaveLength(260);
    expect(new Set(pcs).size).toBe(260);
    expect(apps).toHaveLength(35);
    expect(pcReports.requests.filter((request) => request.since === pcReports.cursorOf(200) && request.limit === 25).length).toBeGreaterThan(0);

    // A deleted instance stops and stays deleted across a restart, a default one too; a default configured since is created.
    expect((await call('DELETE', `/v1/connectors/${names.apps}`)).status).toBe(204);
    expect((await call('DELETE', `/v1/connectors/${prefix}-default`)).status).toBe(204);
    expect((await call('GET', `/v1/connectors/${names.apps}`)).status).toBe(404);
    env = { ...env, POLL_CONNECTOR_URL: hotline.url, POLL_CONNECTOR_NAME: `${prefix}-default-poll` };
    await stop();
    await start();
    const after = (await call('GET', '/v1/connectors')).body.connectors as { name: string; type: string; config: Record<string, unknown> }[];
    expect(after.map((c) => c.name)).not.toContain(names.apps);
    expect(after.map((c) => c.name)).not.toContain(`${prefix}-default`);
    expect(after.find((c) => c.name === `${prefix}-default-poll`)).toMatchObject({ type: 'http-poll', config: { source: 'hotline-1022', kind: 'citizen-report' } });
  });
});
