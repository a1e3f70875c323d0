import { describe, expect, it } from 'vitest';
import { normalizerFigures } from '../../services/cli/status-command.ts';

describe('truc status', () => {
  it('sums the normalizer counters per source and kind from Prometheus text', () => {
    const text = [
      '# HELP truc_normalizer_records_in_total Raw records read.',
      'truc_normalizer_records_in_total{source="vhd",kind="health-declaration"} 10',
      'truc_normalizer_records_out_total{source="vhd",kind="health-declaration"} 7',
      'truc_normalizer_duplicates_total{source="vhd",kind="health-declaration",reason="replayed-event"} 1',
      'truc_normalizer_duplicates_total{source="vhd",kind="health-declaration",reason="same-declaration"} 1',
      'truc_normalizer_dead_letters_total{source="vhd",kind="health-declaration",error_class="UnknownProvince"} 1',
      'truc_normalizer_lag{topic="raw.vhd.health-declaration",partition="0"} 3',
    ].join('\n');
    expect(Object.fromEntries(normalizerFigures(text))).toEqual({
      'vhd/health-declaration': { records_in: 10, records_out: 7, duplicates: 2, dead_letters: 1 },
    });
  });
});
