import { describe, expect, it } from 'vitest';
import { LiveStatus } from '../../services/live-status.ts';
import { latestCrash, type StageCrash } from '../../services/platform/stage-crash.ts';

describe('npm start live status', () => {
  it('shows each stage with its total and its rate since the previous render, and the last warning', async () => {
    let ingested = 100;
    let warning: string | null = null;
    const status = new LiveStatus({
      stages: [
        { name: 'ingested', total: () => ingested },
        { name: 'in ClickHouse', total: async () => 40, detail: () => '2 dead letters' },
      ],
      out: process.stdout,
      lastProblem: () => warning,
    });
    const first = await status.render(0);
    expect(first[0]).toMatch(/ingested +100 +0\/s$/);
    expect(first[2]).toMatch(/last warning +none/);
    ingested = 2_600;
    warning = 'kafka slow';
    const second = await status.render(2_000);
    expect(second[0]).toMatch(/ingested +2,600 +1,250\/s$/);
    expect(second[1]).toMatch(/in ClickHouse +40 +0\/s +2 dead letters$/);
    expect(second[2]).toMatch(/last warning +kafka slow/);
  });

  it('shows the latest crash of any stage with its cause, or none', async () => {
    let crash: StageCrash | null = null;
    const status = new LiveStatus({ stages: [], out: process.stdout, lastCrash: () => crash });
    expect(await status.render(0)).toEqual([expect.stringMatching(/last warning +none/), expect.stringMatching(/last crash +none$/)]);
    const normalizer = { at: '2026-01-01T00:00:01.000Z', stage: 'normalizer', errorClass: 'KafkaJSProtocolError', message: 'CONCURRENT_TRANSACTIONS: busy', restarts: 2, restarting: true };
    const sink = { ...normalizer, at: '2026-01-01T00:00:02.000Z', stage: 'sink.clickhouse', errorClass: 'KafkaJSConnectionError', message: 'Connection timeout', restarting: false };
    crash = latestCrash([normalizer, null, sink]);
    expect((await status.render(1_000))[1]).toBe(
      '  last crash       2026-01-01T00:00:02.000Z sink.clickhouse: KafkaJSConnectionError: Connection timeout; STOPPED',
    );
    crash = normalizer;
    expect((await status.render(2_000))[1]).toMatch(/normalizer: KafkaJSProtocolError: CONCURRENT_TRANSACTIONS: busy; restarted \(2×\)$/);
  });
});
