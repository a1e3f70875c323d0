import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../services/platform/backoff.ts';

describe('back-off', () => {
  it('doubles from the initial wait up to the cap, and stays there', () => {
    const policy = { initialMs: 250, maxMs: 30_000 };
    expect([1, 2, 3, 4, 5, 6, 7, 8, 1000].map((failures) => backoffDelay(failures, policy))).toEqual([
      250, 500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000,
    ]);
  });
});
