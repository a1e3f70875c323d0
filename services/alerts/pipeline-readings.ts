/**
 * The figures alerts are judged on, read from what the running stages already publish: the
 * fan-out's delivery status trackers, the normalizer's metrics, the ClickHouse sink's status, the
 * connectors' status, the stages' last crashes (services/platform/stage-crash.ts) and the local
 * stack's health checks. Each source is optional (a process runs
 * only some stages). Nothing here carries record contents: states, counts and error classes only.
 */
import type { ConnectorStatus } from '../../connectors/runtime/managed-connector.ts';
import type { ClickHouseSinkStatus } from '../../connectors/clickhouse-sink/sink.ts';
import type { FanoutStatus } from '../fanout/fanout.ts';
import type { NormalizerMetrics } from '../normalizer/metrics.ts';
import type { NormalizerStatus } from '../normalizer/normalizer.ts';
import type { StageCrash } from '../platform/stage-crash.ts';
import type { DeliveryState } from '../subscriptions/delivery-status.ts';

export interface PipelineReadings {
  subscriptions: { id: string; state: DeliveryState; deadLetters: number; lag: number; lastError: string | null }[];
  /** Records behind, per stage. */
  lags: { where: string; records: number }[];
  /** Dead letters counted so far (cumulative), per stage. */
  deadLetters: { where: string; total: number }[];
  stages: { where: string; up: boolean; state: string }[];
  clickhouse: { failing: boolean; error: string | null; lag: number } | null;
}

/** A component of the local stack as last checked: what infra/stack's status says, as far as alerts read it. */
export interface ComponentReading {
  name: string;
  serving: boolean;
}

export interface ReadingSources {
  fanout?: { status(): FanoutStatus };
  normalizer?: { metrics: NormalizerMetrics; status(): Pick<NormalizerStatus, 'lastCrash'> };
  sink?: { status(): ClickHouseSinkStatus };
  connectors?: () => ConnectorStatus[];
  /** The local stack's components as last checked (Kafka, schema registry). */
  components?: () => ComponentReading[];
}

const sum = async (metric: { get(): Promise<{ values: { value: number }[] }> }) => (await metric.get()).values.reduce((total, v) => total + v.value, 0);

/** ClickHouse error classes (UPPER_CASE names) only: a free-text message may quote the rows it refused. */
function errorClass(error: string | null): string | null {
  if (error === null) return null;
  return /^[A-Z_0-9]+$/.test(error) ? error : 'see the log';
}

export function pipelineReadings(sources: ReadingSources): () => Promise<PipelineReadings> {
  return async () => {
    const readings: PipelineReadings = { subscriptions: [], lags: [], deadLetters: [], stages: [], clickhouse: null };
    for (const status of sources.fanout?.status().subscriptions ?? []) {
      readings.subscriptions.push({
        id: status.subscription,
        state: status.state,
        deadLetters: status.deadLetters,
        lag: status.lag,
        lastError: status.lastError?.message ?? null,
      });
    }
    if (sources.normalizer) {
      readings.lags.push({ where: 'normalizer', records: await sum(sources.normalizer.metrics.lag) });
      readings.deadLetters.push({ where: 'normalizer', total: await sum(sources.normalizer.metrics.deadLetters) });
    }
    if (sources.sink) {
      const sink = sources.sink.status();
      readings.lags.push({ where: 'clickhouse sink', records: sink.lag });
      readings.deadLetters.push({ where: 'clickhouse sink', total: sink.deadLetters });
      readings.clickhouse = { failing: sink.failing, error: errorClass(sink.lastError), lag: sink.lag };
    }
    for (const connector of sources.connectors?.() ?? []) {
      readings.stages.push({ where: `connector ${connector.name}`, up: connector.state !== 'FAILED', state: connector.state });
    }
    // A crash kafkajs restarts from is a blip (the lag shows if it lasts); one it does not restart stops the stage.
    const crashes: (StageCrash | null)[] = [
      sources.normalizer?.status().lastCrash ?? null,
      sources.sink?.status().lastCrash ?? null,
      sources.fanout?.status().lastCrash ?? null,
      ...(sources.connectors?.() ?? []).map((connector) => connector.lastCrash),
    ];
    for (const crash of crashes) {
      if (crash && !crash.restarting) readings.stages.push({ where: crash.stage, up: false, state: `stopped after a crash (${crash.errorClass})` });
    }
    for (const component of sources.components?.() ?? []) {
      readings.stages.push({ where: component.name, up: component.serving, state: component.serving ? 'serving' : 'not serving' });
    }
    return readings;
  };
}
