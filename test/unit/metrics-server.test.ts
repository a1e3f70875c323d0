/** A standalone stage's /metrics: its figures on GET /metrics, nothing else, and the stage stopped with it. */
import { Counter, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { withMetricsServed } from '../../services/platform/metrics-server.ts';
import { createLogger } from '../../services/platform/logger.ts';

describe('withMetricsServed', () => {
  it('serves the registry on GET /metrics only, and closes the endpoint before the stage', async () => {
    const registry = new Registry();
    new Counter({ name: 'truc_test_things_total', help: 'Things.', registers: [registry] }).inc(3);
    const closed: string[] = [];
    const logger = createLogger('test', 'silent');
    const running = await withMetricsServed({ close: async () => void closed.push('stage') }, registry, { host: '127.0.0.1', port: 0, stage: 'test stage', logger });
    const { url } = running;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);

    const answer = await fetch(url);
    expect(answer.status).toBe(200);
    expect(await answer.text()).toContain('truc_test_things_total 3');
    for (const [method, path] of [['POST', '/metrics'], ['GET', '/'], ['GET', '/metrics/../metrics?x'], ['GET', '/Metrics']] as const) {
      expect((await fetch(new URL(path, url), { method })).status, `${method} ${path}`).toBe(404);
    }

    await running.close();
    expect(closed).toEqual(['stage']);
    await expect(fetch(url)).rejects.toThrow();
  });
});
