import { describe, expect, it } from 'vitest';
import { demoCheckpoints, demoGeneration } from '../../services/demo/demo-feed.ts';
import type { GeneratedItem } from '../../services/generator/index.ts';
import { KINDS } from '../../services/platform/catalog.ts';

/** What README says of the demo data: dated August 2021 (Vietnam time). */
const AUGUST_2021 = { from: Date.parse('2021-08-01T00:00:00+07:00'), to: Date.parse('2021-09-01T00:00:00+07:00') };

function take(items: Iterable<GeneratedItem>, count: number): GeneratedItem[] {
  const taken: GeneratedItem[] = [];
  for (const item of items) {
    if (taken.length === count) break;
    taken.push(item);
  }
  return taken;
}

describe('demo feed dates', () => {
  it('dates every kind in August 2021, the registry and the live kinds alike', () => {
    const config = { ratePerSecond: 300, invalidPercent: 3, duplicatePercent: 10 };
    const items = [...demoCheckpoints(1), ...take(demoGeneration(2, config), 5_000)];
    const byKind = new Map<string, number[]>();
    for (const item of items) {
      // Defective items have no canonical truth: ingest or the normalizer refuses them.
      if (item.truth === null) continue;
      byKind.set(item.kind, [...(byKind.get(item.kind) ?? []), item.truth.occurred_at]);
    }
    expect([...byKind.keys()].sort()).toEqual([...KINDS].sort());
    for (const [kind, dates] of byKind) {
      const outside = dates.filter((date) => date < AUGUST_2021.from || date >= AUGUST_2021.to);
      expect({ kind, outside: outside.map((date) => new Date(date).toISOString()) }).toEqual({ kind, outside: [] });
    }
  });
});
