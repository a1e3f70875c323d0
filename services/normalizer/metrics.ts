/**
 * The normalizer's figures for Prometheus (`/metrics`) and `truc status`: per source and kind,
 * records in, records out, duplicates dropped, dead letters and the lag (raw records not yet read).
 */
import { Counter, Gauge, Registry } from 'prom-client';

export class NormalizerMetrics {
  readonly registry: Registry;
  readonly recordsIn: Counter<'source' | 'kind'>;
  readonly recordsOut: Counter<'source' | 'kind'>;
  readonly duplicates: Counter<'source' | 'kind' | 'reason'>;
  readonly deadLetters: Counter<'source' | 'kind' | 'error_class'>;
  readonly lag: Gauge<'source' | 'kind'>;
  readonly unknownCheckpoints: Counter;

  constructor(registry = new Registry()) {
    this.registry = registry;
    const registers = [registry];
    this.recordsIn = new Counter({ name: 'truc_normalizer_records_in_total', help: 'Raw records read.', labelNames: ['source', 'kind'], registers });
    this.recordsOut = new Counter({ name: 'truc_normalizer_records_out_total', help: 'Canonical records written.', labelNames: ['source', 'kind'], registers });
    this.duplicates = new Counter({
      name: 'truc_normalizer_duplicates_total',
      help: 'Records dropped as duplicates: replayed-event (seen before) or same-declaration (another source).',
      labelNames: ['source', 'kind', 'reason'],
      registers,
    });
    this.deadLetters = new Counter({
      name: 'truc_normalizer_dead_letters_total',
      help: 'Raw records sent to dlq.normalizer.',
      labelNames: ['source', 'kind', 'error_class'],
      registers,
    });
    this.lag = new Gauge({ name: 'truc_normalizer_lag', help: 'Raw records not yet normalised (committed offsets behind the raw topic ends).', labelNames: ['source', 'kind'], registers });
    this.unknownCheckpoints = new Counter({
      name: 'truc_normalizer_unknown_checkpoint_passages_total',
      help: 'Passages emitted at a checkpoint not (yet) in canonical.checkpoint.',
      registers,
    });
  }
}
