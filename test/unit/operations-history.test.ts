import { describe, expect, it } from 'vitest';
import { RecentWarnings } from '../../services/operations/recent-warnings.ts';
import { ThroughputHistory } from '../../services/operations/throughput-history.ts';

describe('throughput history', () => {
  it('closes a step every stepMs with the mean records/s of each stage', () => {
    const history = new ThroughputHistory({ stepMs: 10_000 });
    history.observe(0, { ingest: 0, normalizer: 0 });
    history.observe(5_000, { ingest: 100, normalizer: 50 });
    expect(history.samples()).toEqual([]);
    history.observe(10_000, { ingest: 200, normalizer: 100 });
    history.observe(20_000, { ingest: 200, normalizer: 400 });
    expect(history.samples()).toEqual([
      { at: new Date(10_000).toISOString(), rates: { ingest: 20, normalizer: 10 } },
      { at: new Date(20_000).toISOString(), rates: { ingest: 0, normalizer: 30 } },
    ]);
  });

  it('counts a total that went down (a restarted counter) from zero', () => {
    const history = new ThroughputHistory({ stepMs: 1_000 });
    history.observe(0, { ingest: 500 });
    history.observe(1_000, { ingest: 40 });
    expect(history.samples()[0]!.rates.ingest).toBe(40);
  });

  it('keeps the last span only, oldest first', () => {
    const history = new ThroughputHistory({ stepMs: 1_000, spanMs: 3_000 });
    for (let i = 0; i <= 10; i++) history.observe(i * 1_000, { ingest: i * i });
    const samples = history.samples();
    expect(samples.map((s) => s.at)).toEqual([8_000, 9_000, 10_000].map((ms) => new Date(ms).toISOString()));
    expect(samples.map((s) => s.rates.ingest)).toEqual([15, 17, 19]);
  });
});

describe('recent warnings', () => {
  it('keeps the newest first, folds a repeat of the newest into a count, and forgets the oldest past its capacity', () => {
    const warnings = new RecentWarnings(3);
    warnings.add('clickhouse', 'refuses inserts', 1_000);
    warnings.add('clickhouse', 'refuses inserts', 2_000);
    warnings.add('http-poll', 'connector failed', 3_000);
    warnings.add('log', 'a', 4_000);
    expect(warnings.recent()).toEqual([
      { at: new Date(4_000).toISOString(), where: 'log', message: 'a', count: 1 },
      { at: new Date(3_000).toISOString(), where: 'http-poll', message: 'connector failed', count: 1 },
      { at: new Date(2_000).toISOString(), where: 'clickhouse', message: 'refuses inserts', count: 2 },
    ]);
    warnings.add('log', 'b', 5_000);
    expect(warnings.recent().map((w) => w.message)).toEqual(['b', 'a', 'connector failed']);
  });

  it('cuts long messages and hands out copies', () => {
    const warnings = new RecentWarnings();
    warnings.add('log', 'x'.repeat(2_000));
    const [first] = warnings.recent();
    expect(first!.message).toHaveLength(500);
    first!.count = 99;
    expect(warnings.recent()[0]!.count).toBe(1);
  });
});
