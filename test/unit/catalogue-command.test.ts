import { describe, expect, it } from 'vitest';
import { catalogueMarkdown } from '../../services/cli/catalogue-command.ts';
import { KINDS, SOURCES, canonicalTopic, rawTopic, sourceKinds } from '../../services/platform/catalog.ts';

describe('truc catalogue', () => {
  it('lists every kind, every source and every pair of the registries, with route, topic and subject', async () => {
    const markdown = await catalogueMarkdown();
    for (const kind of KINDS) expect(markdown).toContain(`| \`${kind}\` | \`schemas/kinds/${kind}/\` | \`${canonicalTopic(kind)}\` |`);
    for (const source of SOURCES) expect(markdown).toContain(`| \`${source}\` |`);
    const pairs = sourceKinds();
    for (const { source, kind } of pairs) {
      expect(markdown).toContain(`| \`POST /v1/ingest/${source}/${kind}\` | \`${rawTopic(source, kind)}\` | \`${rawTopic(source, kind)}-value\` |`);
    }
    // The demo feed's shares are of all pairs together.
    const shares = [...markdown.matchAll(/\| ([\d.]+) % \|/g)].map((match) => Number(match[1]));
    expect(shares).toHaveLength(pairs.length);
    expect(shares.reduce((sum, share) => sum + share, 0)).toBeCloseTo(100, 0);
  });
});
