import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoFeed } from '../../services/demo/demo-feed.ts';
import { createLogger } from '../../services/platform/logger.ts';
import { startTestApi, type TestApi } from '../support/api.ts';

describe('demo feed', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startTestApi();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('posts generated records through the real ingest, the defective ones refused', async () => {
    const feed = startDemoFeed({
      apiUrl: t.url,
      sourceKeys: t.sourceKeys,
      config: { ratePerSecond: 400, invalidPercent: 20, duplicatePercent: 10 },
      logger: createLogger('test', 'silent'),
      seed: 7,
    });
    await expect.poll(() => feed.stats().posted, { timeout: 30_000, interval: 100 }).toBeGreaterThan(1_000);
    await feed.close();
    const stats = feed.stats();
    expect(stats.failedRequests).toBe(0);
    expect(stats.accepted + stats.rejected).toBe(stats.posted);
    expect(stats.rejected).toBeGreaterThan(0);
    expect(stats.accepted).toBeGreaterThan(stats.rejected);
    // What ingest counted as written to Kafka is what the feed saw accepted.
    const response = await fetch(`${t.url}/v1/connectors/http-ingest`, { headers: { authorization: `Bearer ${t.operatorKey}` } });
    expect(((await response.json()) as { records: number }).records).toBe(stats.accepted);
  });
});
