import { mkdtemp, mkdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileConnectorType, folderProblem } from '../../connectors/file/file-connector-type.ts';
import { pollConnectorType } from '../../connectors/http-poll/poll-connector-type.ts';
import { validateConfig, withDefaults, type ValidationContext } from '../../connectors/runtime/config-spec.ts';
import type { ConnectorType } from '../../connectors/runtime/connector-type.ts';

const alone: ValidationContext = { name: null, others: [] };

async function errorsOf(type: ConnectorType, config: unknown, context = alone): Promise<Record<string, string[]>> {
  const { report } = await validateConfig(type.name, type.fields, config, context);
  return Object.fromEntries(report.configs.filter((field) => field.value.errors.length > 0).map((field) => [field.value.name, field.value.errors]));
}

describe('connector config specs', () => {
  let root: string;
  let file: ConnectorType;
  const poll = pollConnectorType({ allowHosts: ['feeds.internal'] });

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'truc-drop-root-'));
    file = fileConnectorType({ dropRoot: root });
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('accepts a drop folder of a (source, kind) whose format it reads, and fills in the defaults', async () => {
    const config = { source: 'checkpoint-ops', csvKind: 'checkpoint', folder: 'province-01' };
    const { report, config: stored } = await validateConfig('file', file.fields, config, alone);
    expect(report.error_count).toBe(0);
    expect(stored).toEqual(config);
    expect(withDefaults(file.fields, stored!)).toEqual({ ...config, jsonKind: null, pollIntervalMs: 1000, batchRecords: 500 });
    expect(report.configs.find((field) => field.value.name === 'folder')!.definition).toMatchObject({ type: 'string', required: true });
  });

  it('answers field by field: catalogue, formats, ranges, unknown fields', async () => {
    expect(await errorsOf(file, { source: 'nope', jsonKind: 'checkpoint', folder: 'a', pollIntervalMs: 10, batchRecords: 'many', extra: 1 })).toEqual({
      source: [expect.stringContaining('is not a source of the catalogue')],
      pollIntervalMs: ['must be at least 50'],
      batchRecords: ['must be an integer'],
      extra: [expect.stringContaining('is not a field of file connectors')],
    });
    // pccovid publishes health declarations, but has no CSV header mapping for them; nor does it publish checkpoints.
    expect(await errorsOf(file, { source: 'pccovid', csvKind: 'health-declaration', jsonKind: 'checkpoint', folder: 'a' })).toEqual({
      csvKind: [expect.stringContaining('cannot be read from CSV')],
      jsonKind: [expect.stringContaining('pccovid does not publish checkpoint')],
    });
    expect(await errorsOf(file, { source: 'vhd', folder: 'a' })).toEqual({ source: [expect.stringContaining('set csvKind, jsonKind or both')] });
    expect(await errorsOf(file, { csvKind: 'checkpoint' })).toEqual({ source: ['is required'], folder: ['is required'] });
    expect(await errorsOf(file, ['not', 'an', 'object'])).toMatchObject({ '(config)': ['must be a JSON object of field values'] });
  });

  it('keeps every drop folder inside the drop root', async () => {
    for (const folder of ['../etc', 'a/../../b', '/etc', 'C:\\Windows', '.', '', 'a/done', '.hidden', 'a\0b']) {
      expect(folderProblem(folder), folder).not.toBeNull();
    }
    expect(folderProblem('provinces/01')).toBeNull();
    // A folder that leads out of the root through a link.
    await mkdir(path.join(root, 'inside'));
    await symlink(tmpdir(), path.join(root, 'escape'));
    expect(await errorsOf(file, { source: 'vhd', jsonKind: 'health-declaration', folder: 'escape' })).toEqual({ folder: [expect.stringContaining('through a link')] });
    expect(await errorsOf(file, { source: 'vhd', jsonKind: 'health-declaration', folder: 'inside' })).toEqual({});
  });

  it('refuses a second reader of the same files of a folder, not of its other format', async () => {
    const others = [{ name: 'gates', type: 'file', config: { source: 'checkpoint-ops', jsonKind: 'checkpoint-passage', folder: 'shared/' } }];
    const context = { name: 'new', others };
    expect(await errorsOf(file, { source: 'vhd', jsonKind: 'health-declaration', folder: 'shared' }, context)).toEqual({
      folder: ['its NDJSON/JSON files are read by connector gates already'],
    });
    expect(await errorsOf(file, { source: 'checkpoint-ops', csvKind: 'checkpoint', folder: 'shared' }, context)).toEqual({});
  });

  it('lets a poller reach only http(s) feeds on public addresses, unless allow-listed', async () => {
    const config = (url: string) => ({ source: 'hotline-1022', kind: 'citizen-report', url, token: 'secret' });
    for (const url of ['ftp://feeds.example/x', 'file:///etc/passwd', 'http://93.184.216.34/feed', 'https://127.0.0.1/feed', 'https://169.254.169.254/latest', 'https://[::1]/', 'https://0x7f000001/', 'https://user:pw@93.184.216.34/']) {
      expect(Object.keys(await errorsOf(poll, config(url))), url).toEqual(['url']);
    }
    expect(await errorsOf(poll, config('http://feeds.internal:8080/feed'))).toEqual({});
    expect(await errorsOf(poll, { ...config('https://93.184.216.34/feed'), kind: 'health-declaration' })).toEqual({
      kind: [expect.stringContaining('hotline-1022 does not publish health-declaration')],
    });
    // The token is never echoed.
    const { report } = await validateConfig('http-poll', poll.fields, config('https://93.184.216.34/feed'), alone);
    expect(report.configs.find((field) => field.value.name === 'token')!.value.value).toBe('[hidden]');
  });

  it('checks the offsets an operator writes', () => {
    expect(poll.offsetProblem('feed', { cursor: 'abc' })).toBeNull();
    expect(poll.offsetProblem('other', { cursor: 'abc' })).toContain('one partition');
    expect(poll.offsetProblem('feed', { cursor: 3 })).toContain('cursor');
    const offset = { file: { ino: '12', size: 10, mtimeMs: 1 }, position: { records: 1, byte: 5, line: 2 }, published: 1, rejected: 0, startedAt: '2021-08-14T00:00:00Z', finishedAt: null };
    expect(file.offsetProblem('gates.ndjson', offset)).toBeNull();
    expect(file.offsetProblem('../gates.ndjson', offset)).toContain('not a file name');
    expect(file.offsetProblem('gates.ndjson', { ...offset, position: { records: -1, byte: 0, line: 1 } })).toContain('position');
  });
});
