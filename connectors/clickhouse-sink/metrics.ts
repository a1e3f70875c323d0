/**
 * The ClickHouse sink's figures for Prometheus (`/metrics`) and status lines: rows written per kind,
 * batches, dead letters per kind and class, lag, and whether ClickHouse is failing right now.
 */
import { Counter, Gauge, Registry } from 'prom-client';

export class ClickHouseSinkMetrics {
  readonly registry: Registry;
  readonly rowsWritten: Counter<'kind'>;
  readonly batches: Counter;
  readonly deadLetters: Counter<'kind' | 'error_class'>;
  readonly failures: Counter;
  readonly lag: Gauge<'topic' | 'partition'>;
  readonly failing: Gauge;

  constructor(registry = new Registry()) {
    this.registry = registry;
    const registers = [registry];
    this.rowsWritten = new Counter({ name: 'truc_clickhouse_sink_rows_written_total', help: 'Rows inserted into ClickHouse (acknowledged).', labelNames: ['kind'], registers });
    this.batches = new Counter({ name: 'truc_clickhouse_sink_batches_total', help: 'Batches inserted and committed.', registers });
    this.deadLetters = new Counter({
      name: 'truc_clickhouse_sink_dead_letters_total',
      help: 'Canonical records sent to dlq.sink.clickhouse.',
      labelNames: ['kind', 'error_class'],
      registers,
    });
    this.failures = new Counter({ name: 'truc_clickhouse_sink_failures_total', help: 'Failed attempts to write a batch (retried with back-off).', registers });
    this.lag = new Gauge({ name: 'truc_clickhouse_sink_lag', help: 'Canonical records not yet in ClickHouse, per partition.', labelNames: ['topic', 'partition'], registers });
    this.failing = new Gauge({ name: 'truc_clickhouse_sink_failing', help: '1 while ClickHouse or Kafka fails and the sink retries (consumption stopped).', registers });
  }
}
