import { describe, expect, it } from 'vitest';
import { LiveStatus } from '../../services/live-status.ts';

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
});
