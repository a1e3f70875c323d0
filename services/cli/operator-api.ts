/**
 * A CLI command's request to the operator routes of the API: the operator key presented, an
 * unreachable API said as such, and the API's own error message passed on.
 */
import type { Config } from '../platform/config.ts';
import { UsageError } from './command.ts';
import { operatorKey } from './operator-key.ts';

export type ApiAnswer<T> = { ok: true; body: T } | { ok: false; status: number; message: string };

/** The API's base URL: --api, else API_HOST:API_PORT of the configuration. */
export function apiBase(config: Config, override: string | undefined): string {
  return override ?? `http://${config.api.host}:${config.api.port}`;
}

export async function askApi<T>(config: Config, api: string, route: string, init: RequestInit = {}): Promise<ApiAnswer<T>> {
  const key = operatorKey(config);
  if (key === null) throw new UsageError('no operator key: set TRUC_OPERATOR_KEY');
  const response = await fetch(`${api}${route}`, { ...init, headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${key}` } }).catch((error: Error) => {
    throw new Error(`the API at ${api} is not reachable (${error.message})`);
  });
  const body = (await response.json().catch(() => null)) as (T & { error?: { message: string } }) | null;
  if (!response.ok || body === null) return { ok: false, status: response.status, message: body?.error?.message ?? 'no readable answer' };
  return { ok: true, body };
}
