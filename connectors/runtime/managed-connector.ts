/**
 * What the management API sees of any connector, push (HTTP ingest) or pull (files, polling).
 */
import type { StageCrash } from '../../services/platform/stage-crash.ts';

export type ConnectorState = 'STARTING' | 'RUNNING' | 'PAUSED' | 'FAILED' | 'STOPPED';

export interface ConnectorStatus {
  name: string;
  type: string;
  state: ConnectorState;
  /** Records written to raw topics since start. */
  records: number;
  /** Records refused (answered as errors or dead-lettered) since start. */
  rejected: number;
  /** Failures of the connector itself (source unreachable, Kafka unavailable, ...). */
  errors: number;
  lastError: { at: string; message: string } | null;
  /** The last time its Kafka session (transactional producer) failed and was started again, with the cause. */
  lastCrash: StageCrash | null;
  /** Connector-specific figures (current file, cursor, ...); never record contents. */
  details?: Record<string, unknown>;
}

export interface ManagedConnector {
  readonly name: string;
  readonly type: string;
  status(): ConnectorStatus;
  pause(): Promise<void>;
  resume(): Promise<void>;
  restart(): Promise<void>;
}

/** Counts and last error, kept the same way by every connector. */
export class ConnectorCounters {
  records = 0;
  rejected = 0;
  errors = 0;
  lastError: ConnectorStatus['lastError'] = null;

  fail(error: unknown): void {
    this.errors += 1;
    this.lastError = { at: new Date().toISOString(), message: error instanceof Error ? error.message : String(error) };
  }
}
