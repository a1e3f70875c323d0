/**
 * Starts Truc's API for a test on the run's stack, with a fresh access file: one key per source and
 * an operator key, handed back in clear so the test can present them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startApi, type RunningApi, type StartApiOptions } from '../../services/api/api-service.ts';
import { issueKeys, type AccessFile } from '../../services/platform/access.ts';
import { loadConfig, type Config } from '../../services/platform/config.ts';
import { createLogger } from '../../services/platform/logger.ts';

export interface TestApi {
  url: string;
  api: RunningApi;
  config: Config;
  sourceKeys: Record<string, string>;
  operatorKey: string;
  close(): Promise<void>;
}

export interface TestApiExtras {
  /** More entries of the access file (agencies, ...) beside the issued source and operator keys. */
  access?: Omit<AccessFile, 'sources' | 'operators'>;
  /** More options of the API (figures of stages started by the test, ...). */
  api?: Pick<StartApiOptions, 'operations' | 'connectors' | 'clickhouse' | 'sunset'>;
}

export async function startTestApi(env: Record<string, string> = {}, extras: TestApiExtras = {}): Promise<TestApi> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'truc-api-'));
  const { keys, file } = issueKeys();
  const accessFile = path.join(dir, 'access.json');
  writeFileSync(accessFile, JSON.stringify({ ...extras.access, ...file }));
  const config = loadConfig({ ...process.env, TRUC_ACCESS_FILE: accessFile, ...env });
  const api = await startApi({ config, logger: createLogger('test-api', 'silent'), port: 0, ...extras.api });
  return {
    url: api.url,
    api,
    config,
    sourceKeys: keys.sources,
    operatorKey: keys.operator,
    close: async () => {
      await api.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function postRecords(
  url: string,
  key: string | null,
  body: unknown,
  contentType = 'application/json',
): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': contentType, ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null, headers: response.headers };
}
