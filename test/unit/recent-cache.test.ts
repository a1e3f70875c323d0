import { describe, expect, it } from 'vitest';
import { RecentCache } from '../../services/platform/recent-cache.ts';
import { foldKey } from '../../services/source-vocabulary/text-key.ts';

describe('recent cache', () => {
  it('gives back what was set, and nothing for what was not', () => {
    const cache = new RecentCache<string, number>(3);
    cache.set('a', 1);
    expect(cache.get('a')).toBe(1);
    expect(cache.get('b')).toBeUndefined();
  });

  it('stays within two generations however many entries pass through it', () => {
    const cache = new RecentCache<number, number>(10);
    for (let i = 0; i < 1_000; i++) cache.set(i, i * 2);
    expect(cache.size).toBeLessThanOrEqual(20);
    expect(cache.get(999)).toBe(1_998);
    // Long gone: the oldest entries were dropped with their generation.
    expect(cache.get(0)).toBeUndefined();
  });

  it('keeps an entry in use while others come and go', () => {
    const cache = new RecentCache<string, number>(4);
    cache.set('kept', 42);
    for (let i = 0; i < 100; i++) {
      cache.set(`other-${i}`, i);
      expect(cache.get('kept')).toBe(42);
    }
    expect(cache.size).toBeLessThanOrEqual(8);
  });

  it('refuses a generation of no entries', () => {
    expect(() => new RecentCache(0)).toThrow(/at least one entry/);
  });
});

describe('foldKey with its memo of recent words', () => {
  it('folds the same however often, and after its memo has turned over', () => {
    const words = Array.from({ length: 5_000 }, (_, i) => `TP. Hồ Chí Minh ${i} Đà`);
    for (let round = 0; round < 2; round++) {
      words.forEach((word, i) => expect(foldKey(word)).toBe(`tp ho chi minh ${i} da`));
    }
  });
});
