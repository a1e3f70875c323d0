/**
 * The operator console's picture of the pipeline, built from the live status the API process
 * already holds (connectors, the normalizer's counters, the ClickHouse sink, subscriptions'
 * delivery status from the status topic): stages with records/s and the lag on each edge, per
 * (source, kind) figures, sink health, subscriptions, connectors, recent warnings, the last crash
 * of each stage, the alerts firing and recently resolved, and the last hour's throughput. Counts and states only: never record contents.
 */
import type { ClickHouseSinkStatus } from '../../connectors/clickhouse-sink/sink.ts';
import type { ConnectorStatus } from '../../connectors/runtime/managed-connector.ts';
import type { AlertMessage } from '../alerts/alert-message.ts';
import type { AlertsReadout } from '../alerts/alert-board.ts';
import type { NormalizerMetrics } from '../normalizer/metrics.ts';
import type { StageCrash } from '../platform/stage-crash.ts';
import type { DeliveryStatus } from '../subscriptions/delivery-status.ts';
import type { Subscription } from '../subscriptions/model.ts';
import type { RecentWarning, RecentWarnings } from './recent-warnings.ts';
import { ThroughputHistory, type ThroughputSample } from './throughput-history.ts';

/** Where the figures come from; the normalizer and the sink only when they run in this process. */
export interface OperationsFeeds {
  connectors(): ConnectorStatus[];
  subscriptions(): { subscription: Subscription; status: DeliveryStatus | undefined }[];
  normalizer?: NormalizerMetrics | undefined;
  sink?: (() => ClickHouseSinkStatus) | undefined;
  /**
   * Last crashes of stages in this process other than the sink and connectors (whose statuses carry
   * theirs). Read at each snapshot, so a stage started after the API is seen once it runs.
   */
  crashes?: (() => readonly (StageCrash | null)[]) | undefined;
  alerts?: AlertsReadout | undefined;
}

export type StageName = 'ingest' | 'normalizer' | 'clickhouse' | 'fan-out';

export interface StageFigures {
  name: StageName;
  /** Records through the stage since its start. */
  total: number;
  ratePerSecond: number;
}

export interface EdgeFigures {
  from: StageName;
  to: StageName;
  ratePerSecond: number;
  /** Records written to the edge's topics and not yet taken by `to`. */
  lag: number;
}

export interface PairFigures {
  source: string;
  kind: string;
  in: number;
  out: number;
  duplicates: number;
  deadLetters: Record<string, number>;
}

export interface SinkHealth {
  lag: number;
  buffered: number;
  failing: boolean;
  lastError: string | null;
  retries: number;
  lastInsertAt: string | null;
  deadLetters: number;
  rowsWritten: number;
}

export interface SubscriptionFigures {
  id: string;
  agency: string;
  delivery: 'webhook' | 'topic';
  /** The subscription's own state (active, paused) and its delivery's (delivering, retrying, failing, ...). */
  state: string;
  deliveryState: string;
  delivered: number;
  lag: number;
  lastSuccessAt: string | null;
  lastError: { at: string; message: string } | null;
  retries: number;
  deadLetters: number;
}

export interface OperationsSnapshot {
  at: string;
  stages: StageFigures[];
  edges: EdgeFigures[];
  pairs: PairFigures[];
  sink: SinkHealth | null;
  subscriptions: SubscriptionFigures[];
  connectors: ConnectorStatus[];
  warnings: RecentWarning[];
  /** The last crash of each stage and connector that crashed since the process started, newest first. */
  crashes: StageCrash[];
  alerts: { firing: AlertMessage[]; resolved: AlertMessage[] };
  history: { stepSeconds: number; samples: ThroughputSample[] };
}

export interface OperationsViewOptions {
  /** How often totals are read for the current rates and the history. */
  sampleMs?: number;
  /** Current rates are the mean over this window (a steadier figure than one sample's change). */
  rateWindowMs?: number;
  historyStepMs?: number;
}

interface CounterLike {
  get(): Promise<{ values: { value: number; labels: Record<string, string | number | undefined> }[] }>;
}

async function sumOf(metric: CounterLike): Promise<number> {
  return (await metric.get()).values.reduce((sum, v) => sum + v.value, 0);
}

export class OperationsView {
  private readonly feeds: OperationsFeeds;
  private readonly warnings: RecentWarnings;
  private readonly sampleMs: number;
  private readonly history: ThroughputHistory;
  private timer: NodeJS.Timeout | null = null;
  private readonly rateWindowMs: number;
  /** Samples of the rate window, oldest first; the last is the latest. */
  private readonly window: { atMs: number; totals: Record<StageName, number> }[] = [];
  private rates: Partial<Record<StageName, number>> = {};
  /** Last states seen, so a change is warned about once. */
  private readonly states = new Map<string, string>();

  constructor(feeds: OperationsFeeds, warnings: RecentWarnings, options: OperationsViewOptions = {}) {
    this.feeds = feeds;
    this.warnings = warnings;
    this.sampleMs = options.sampleMs ?? 1_000;
    this.rateWindowMs = options.rateWindowMs ?? 5_000;
    this.history = new ThroughputHistory({ stepMs: options.historyStepMs ?? 10_000 });
  }

  start(): void {
    void this.sample();
    this.timer = setInterval(() => void this.sample(), this.sampleMs);
    // The console must not keep a stopping process alive.
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private stageNames(): StageName[] {
    return ['ingest', ...(this.feeds.normalizer ? (['normalizer'] as const) : []), ...(this.feeds.sink ? (['clickhouse'] as const) : []), 'fan-out'];
  }

  private async totals(): Promise<Record<StageName, number>> {
    const { normalizer, sink } = this.feeds;
    const sinkStatus = sink?.();
    return {
      ingest: this.feeds.connectors().reduce((sum, c) => sum + c.records, 0),
      normalizer: normalizer ? await sumOf(normalizer.recordsIn) : 0,
      clickhouse: sinkStatus ? Object.values(sinkStatus.rowsWritten).reduce((sum, n) => sum + n, 0) : 0,
      'fan-out': this.feeds.subscriptions().reduce((sum, { status }) => sum + (status?.delivered ?? 0), 0),
    };
  }

  /** Reads the totals: current rates, a history step, and warnings for changes of state. */
  async sample(atMs = Date.now()): Promise<void> {
    const totals = await this.totals();
    this.window.push({ atMs, totals });
    // Keep one sample at or before the window's start, so the rate spans the whole window.
    while (this.window.length > 2 && this.window[1]!.atMs <= atMs - this.rateWindowMs) this.window.shift();
    const oldest = this.window[0]!;
    if (atMs > oldest.atMs) {
      const elapsed = atMs - oldest.atMs;
      for (const name of Object.keys(totals) as StageName[]) {
        const change = totals[name] - oldest.totals[name];
        // A total that went down (a restarted counter) counts from zero rather than as a negative rate.
        this.rates[name] = ((change >= 0 ? change : totals[name]) * 1000) / elapsed;
      }
    }
    const names = this.stageNames();
    this.history.observe(atMs, Object.fromEntries(names.map((name) => [name, totals[name]])));
    this.noteChanges(atMs);
  }

  private noteChange(key: string, state: string, bad: boolean, where: string, message: () => string, atMs: number): void {
    const before = this.states.get(key);
    this.states.set(key, state);
    if (before === undefined ? bad : before !== state && (bad || this.wasBad(before))) this.warnings.add(where, message(), atMs);
  }

  private wasBad(state: string): boolean {
    return state === 'FAILED' || state === 'failing' || state === 'sink-failing';
  }

  private noteChanges(atMs: number): void {
    for (const c of this.feeds.connectors()) {
      this.noteChange(`connector:${c.name}`, c.state, c.state === 'FAILED', c.name, () =>
        c.state === 'FAILED' ? `connector failed: ${c.lastError?.message ?? 'no error recorded'}` : `connector ${c.state.toLowerCase()} again`, atMs);
    }
    const sink = this.feeds.sink?.();
    if (sink) {
      const state = sink.failing ? 'sink-failing' : 'sink-ok';
      this.noteChange('sink', state, sink.failing, 'clickhouse', () => (sink.failing ? `ClickHouse refuses inserts: ${sink.lastError ?? 'unknown error'}` : 'ClickHouse takes inserts again'), atMs);
    }
    for (const { subscription, status } of this.feeds.subscriptions()) {
      if (!status) continue;
      this.noteChange(`subscription:${subscription.id}`, status.state, status.state === 'failing', subscription.id, () =>
        status.state === 'failing' ? `subscription failing: ${status.lastError?.message ?? 'no error recorded'}` : `subscription ${status.state} again`, atMs);
    }
  }

  private async pairs(): Promise<PairFigures[]> {
    const { normalizer } = this.feeds;
    if (!normalizer) return [];
    const byPair = new Map<string, PairFigures>();
    const pairOf = (labels: Record<string, string | number | undefined>) => {
      const source = String(labels.source ?? '');
      const kind = String(labels.kind ?? '');
      const key = `${source}/${kind}`;
      let pair = byPair.get(key);
      if (!pair) {
        pair = { source, kind, in: 0, out: 0, duplicates: 0, deadLetters: {} };
        byPair.set(key, pair);
      }
      return pair;
    };
    for (const v of (await normalizer.recordsIn.get()).values) pairOf(v.labels).in += v.value;
    for (const v of (await normalizer.recordsOut.get()).values) pairOf(v.labels).out += v.value;
    for (const v of (await normalizer.duplicates.get()).values) pairOf(v.labels).duplicates += v.value;
    for (const v of (await normalizer.deadLetters.get()).values) {
      const pair = pairOf(v.labels);
      const errorClass = String(v.labels.error_class ?? 'unknown');
      pair.deadLetters[errorClass] = (pair.deadLetters[errorClass] ?? 0) + v.value;
    }
    return [...byPair.values()].sort((a, b) => a.source.localeCompare(b.source) || a.kind.localeCompare(b.kind));
  }

  async snapshot(): Promise<OperationsSnapshot> {
    const totals = this.window.at(-1)?.totals ?? (await this.totals());
    const names = this.stageNames();
    const rate = (name: StageName) => this.rates[name] ?? 0;
    const subscriptions = this.feeds.subscriptions();
    const sinkStatus = this.feeds.sink?.() ?? null;
    const connectors = this.feeds.connectors();
    const crashes = [...(this.feeds.crashes?.() ?? []), sinkStatus?.lastCrash, ...connectors.map((c) => c.lastCrash)]
      .filter((crash): crash is StageCrash => crash != null)
      .sort((a, b) => b.at.localeCompare(a.at));
    const edges: EdgeFigures[] = [];
    if (this.feeds.normalizer) {
      edges.push({ from: 'ingest', to: 'normalizer', ratePerSecond: rate('normalizer'), lag: await sumOf(this.feeds.normalizer.lag) });
    }
    const upstream: StageName = this.feeds.normalizer ? 'normalizer' : 'ingest';
    if (sinkStatus) edges.push({ from: upstream, to: 'clickhouse', ratePerSecond: rate('clickhouse'), lag: sinkStatus.lag });
    edges.push({ from: upstream, to: 'fan-out', ratePerSecond: rate('fan-out'), lag: subscriptions.reduce((sum, { status }) => sum + (status?.lag ?? 0), 0) });
    return {
      at: new Date().toISOString(),
      stages: names.map((name) => ({ name, total: totals[name], ratePerSecond: rate(name) })),
      edges,
      pairs: await this.pairs(),
      sink: sinkStatus && {
        lag: sinkStatus.lag,
        buffered: sinkStatus.buffered,
        failing: sinkStatus.failing,
        lastError: sinkStatus.lastError,
        retries: sinkStatus.retries,
        lastInsertAt: sinkStatus.lastInsertAt,
        deadLetters: sinkStatus.deadLetters,
        rowsWritten: totals.clickhouse,
      },
      subscriptions: subscriptions.map(({ subscription, status }) => ({
        id: subscription.id,
        agency: subscription.agency,
        delivery: subscription.delivery.type,
        state: subscription.state,
        deliveryState: status?.state ?? 'starting',
        delivered: status?.delivered ?? 0,
        lag: status?.lag ?? 0,
        lastSuccessAt: status?.lastSuccessAt ?? null,
        lastError: status?.lastError ?? null,
        retries: status?.retries ?? 0,
        deadLetters: status?.deadLetters ?? 0,
      })),
      connectors,
      warnings: this.warnings.recent(),
      crashes,
      alerts: { firing: this.feeds.alerts?.firing() ?? [], resolved: this.feeds.alerts?.resolved() ?? [] },
      history: { stepSeconds: this.history.stepMs / 1000, samples: this.history.samples() },
    };
  }
}
