import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { REPO_ROOT } from '../../services/platform/config.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawExample } from '../fixtures/raw-examples.ts';
import { postRecords, startTestApi, type TestApi } from '../support/api.ts';

const run = promisify(execFile);

async function call(url: string, key: string | null, method = 'GET') {
  const response = await fetch(url, { method, headers: key ? { authorization: `Bearer ${key}` } : {} });
  return { status: response.status, body: (await response.json()) as any };
}

describe('API operations', () => {
  let t: TestApi;
  const record = () => ({ ...rawExample('vhd', 'health-declaration'), id: randomUUID() });

  beforeAll(async () => {
    // A small rate limit, so the 429 case is reachable with a few records.
    // A slow refill (1 record/s): the 429 test must not depend on how fast this machine answers its
    // first request (at 20/s, a loaded machine's half second between two requests refilled enough).
    t = await startTestApi({ INGEST_RATE_PER_SOURCE: '1', INGEST_RATE_BURST: '20', INGEST_MAX_RECORDS: '20' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('lists connectors with their status for operators only', async () => {
    expect((await call(`${t.url}/v1/connectors`, null)).status).toBe(401);
    expect((await call(`${t.url}/v1/connectors`, t.sourceKeys.vhd!)).status).toBe(403);
    const listed = await call(`${t.url}/v1/connectors`, t.operatorKey);
    expect(listed.status).toBe(200);
    expect(listed.body.connectors).toEqual([
      expect.objectContaining({ name: 'http-ingest', type: 'http-ingest', state: 'RUNNING', errors: 0, lastError: null }),
    ]);
    expect((await call(`${t.url}/v1/connectors/nope`, t.operatorKey)).status).toBe(404);
    expect((await call(`${t.url}/v1/connectors/http-ingest/explode`, t.operatorKey, 'POST')).status).toBe(404);
  });

  it('pauses ingest (503 with Retry-After, nothing accepted) and resumes it', async () => {
    const paused = await call(`${t.url}/v1/connectors/http-ingest/pause`, t.operatorKey, 'POST');
    expect(paused.body.state).toBe('PAUSED');
    const refused = await postRecords(`${t.url}/v1/ingest/vhd/health-declaration`, t.sourceKeys.vhd!, record());
    expect(refused.status).toBe(503);
    expect(refused.body.error.code).toBe('paused');
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    const resumed = await call(`${t.url}/v1/connectors/http-ingest/resume`, t.operatorKey, 'POST');
    expect(resumed.body.state).toBe('RUNNING');
    const accepted = await postRecords(`${t.url}/v1/ingest/vhd/health-declaration`, t.sourceKeys.vhd!, record());
    expect(accepted.status).toBe(202);
    const status = await call(`${t.url}/v1/connectors/http-ingest`, t.operatorKey);
    expect(status.body.records).toBeGreaterThanOrEqual(1);
  });

  it('answers 429 with Retry-After when a source goes over its rate, and counts per source', async () => {
    const url = `${t.url}/v1/ingest/vhd/health-declaration`;
    const first = await postRecords(url, t.sourceKeys.vhd!, Array.from({ length: 15 }, record));
    expect(first.status).toBe(202);
    const over = await postRecords(url, t.sourceKeys.vhd!, Array.from({ length: 15 }, record));
    expect(over.status).toBe(429);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const otherSource = await postRecords(`${t.url}/v1/ingest/ncovi/health-declaration`, t.sourceKeys.ncovi!, {
      ...rawExample('ncovi', 'health-declaration'),
      ma_to_khai: randomUUID(),
    });
    expect(otherSource.status).toBe(202);
  });

  it('shows stack and connectors in truc status', async () => {
    // Asynchronously: this process serves the API the command asks.
    const { stdout } = await run(process.execPath, [path.join(REPO_ROOT, 'services/cli/truc.ts'), 'status', '--api', t.url], {
      env: { ...process.env, TRUC_OPERATOR_KEY: t.operatorKey },
      timeout: 30_000,
    });
    expect(stdout).toMatch(/kafka\s+up/);
    expect(stdout).toMatch(/http-ingest\s+RUNNING\s+records \d+/);
  });

  it('answers unknown routes in the error shape', async () => {
    const response = await call(`${t.url}/v2/nothing`, null);
    expect(response.status).toBe(404);
    expect(response.body.error).toMatchObject({ status: 404, code: 'not_found' });
  });
});
