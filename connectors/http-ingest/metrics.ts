/**
 * HTTP ingest's figures for Prometheus (the API's `/metrics`), per source and kind: records
 * accepted (Kafka acknowledged them), rejected (invalid, or too large) and not acknowledged
 * (answered 503: the sender sends them again). Each API instance counts its own requests.
 */
import { Counter, Registry } from 'prom-client';

export class IngestMetrics {
  readonly accepted: Counter<'source' | 'kind'>;
  readonly rejected: Counter<'source' | 'kind'>;
  readonly unacknowledged: Counter<'source' | 'kind'>;

  constructor(registry = new Registry()) {
    const registers = [registry];
    const labelNames = ['source', 'kind'] as const;
    this.accepted = new Counter({ name: 'truc_ingest_records_accepted_total', help: 'Records written to Kafka and answered 2xx.', labelNames, registers });
    this.rejected = new Counter({ name: 'truc_ingest_records_rejected_total', help: 'Records refused (invalid or too large).', labelNames, registers });
    this.unacknowledged = new Counter({
      name: 'truc_ingest_records_unacknowledged_total',
      help: 'Valid records answered 503 because Kafka did not acknowledge them in time.',
      labelNames,
      registers,
    });
  }
}
