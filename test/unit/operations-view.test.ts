import { describe, expect, it } from 'vitest';
import type { ClickHouseSinkStatus } from '../../connectors/clickhouse-sink/sink.ts';
import type { ConnectorStatus } from '../../connectors/runtime/managed-connector.ts';
import { AlertBoard } from '../../services/alerts/alert-board.ts';
import { alertMessage } from '../../services/alerts/alert-message.ts';
import { NormalizerMetrics } from '../../services/normalizer/metrics.ts';
import { OperationsView } from '../../services/operations/operations-view.ts';
import { RecentWarnings } from '../../services/operations/recent-warnings.ts';
import { emptyStatus, type DeliveryStatus } from '../../services/subscriptions/delivery-status.ts';
import type { Subscription } from '../../services/subscriptions/model.ts';
import { KINDS, type Kind } from '../../services/platform/catalog.ts';

function connector(records: number, state: ConnectorStatus['state'] = 'RUNNING'): ConnectorStatus {
  return { name: 'http-ingest', type: 'http-ingest', state, records, rejected: 0, errors: state === 'FAILED' ? 1 : 0, lastError: state === 'FAILED' ? { at: '2021-08-14T00:00:00.000Z', message: 'Kafka unavailable' } : null, lastCrash: null };
}

function sinkStatus(rows: number, failing = false): ClickHouseSinkStatus {
  return {
    rowsWritten: { ...(Object.fromEntries(KINDS.map((kind) => [kind, 0])) as Record<Kind, number>), 'health-declaration': rows },
    batches: 1, deadLetters: 2, lag: 7, buffered: 3, failing, lastError: failing ? 'NETWORK_ERROR' : null, retries: failing ? 4 : 0, lastInsertAt: '2021-08-14T00:00:00.000Z', lastCrash: null,
  };
}

const subscription = { id: 'sub-1', agency: 'hcdc', delivery: { type: 'webhook' }, state: 'active' } as Subscription;

function rig() {
  const state = { records: 0, rows: 0, delivered: 0, connectorState: 'RUNNING' as ConnectorStatus['state'], sinkFailing: false, delivery: 'delivering' as DeliveryStatus['state'] };
  const metrics = new NormalizerMetrics();
  const warnings = new RecentWarnings();
  const view = new OperationsView(
    {
      connectors: () => [connector(state.records, state.connectorState)],
      subscriptions: () => [{ subscription, status: { ...emptyStatus('sub-1'), state: state.delivery, delivered: state.delivered, lag: 5, retries: 2, deadLetters: 1 } }],
      normalizer: metrics,
      sink: () => sinkStatus(state.rows, state.sinkFailing),
    },
    warnings,
    { historyStepMs: 10_000 },
  );
  return { state, metrics, warnings, view };
}

describe('operations view', () => {
  it('gives each stage its rate since the previous sample and each edge its rate and lag', async () => {
    const { state, metrics, view } = rig();
    await view.sample(0);
    state.records = 200;
    metrics.recordsIn.inc({ source: 'vhd', kind: 'health-declaration' }, 150);
    metrics.lag.set({ source: 'vhd', kind: 'health-declaration' }, 50);
    state.rows = 100;
    state.delivered = 20;
    await view.sample(2_000);
    const snapshot = await view.snapshot();
    expect(snapshot.stages).toEqual([
      { name: 'ingest', total: 200, ratePerSecond: 100 },
      { name: 'normalizer', total: 150, ratePerSecond: 75 },
      { name: 'clickhouse', total: 100, ratePerSecond: 50 },
      { name: 'fan-out', total: 20, ratePerSecond: 10 },
    ]);
    expect(snapshot.edges).toEqual([
      { from: 'ingest', to: 'normalizer', ratePerSecond: 75, lag: 50 },
      { from: 'normalizer', to: 'clickhouse', ratePerSecond: 50, lag: 7 },
      { from: 'normalizer', to: 'fan-out', ratePerSecond: 10, lag: 5 },
    ]);
    expect(snapshot.sink).toEqual({ lag: 7, buffered: 3, failing: false, lastError: null, retries: 0, lastInsertAt: '2021-08-14T00:00:00.000Z', deadLetters: 2, rowsWritten: 100 });
    expect(snapshot.subscriptions).toEqual([
      { id: 'sub-1', agency: 'hcdc', delivery: 'webhook', state: 'active', deliveryState: 'delivering', delivered: 20, lag: 5, lastSuccessAt: null, lastError: null, retries: 2, deadLetters: 1 },
    ]);
  });

  it('gives current rates as the mean over the last 5 s, steadier than one sample\'s change', async () => {
    const { state, view } = rig();
    for (let second = 0; second <= 10; second++) {
      state.records = second * 100;
      await view.sample(second * 1_000);
    }
    expect((await view.snapshot()).stages[0]).toEqual({ name: 'ingest', total: 1_000, ratePerSecond: 100 });
    state.records = 1_600;
    await view.sample(11_000);
    // 1,000 records since the sample of 6 s.
    expect((await view.snapshot()).stages[0]!.ratePerSecond).toBe(200);
  });

  it('counts per source and kind: in, out, duplicates of every reason, dead letters by error class', async () => {
    const { metrics, view } = rig();
    metrics.recordsIn.inc({ source: 'vhd', kind: 'health-declaration' }, 10);
    metrics.recordsOut.inc({ source: 'vhd', kind: 'health-declaration' }, 6);
    metrics.duplicates.inc({ source: 'vhd', kind: 'health-declaration', reason: 'replayed-event' }, 1);
    metrics.duplicates.inc({ source: 'vhd', kind: 'health-declaration', reason: 'same-declaration' }, 1);
    metrics.deadLetters.inc({ source: 'vhd', kind: 'health-declaration', error_class: 'UnknownProvince' }, 1);
    metrics.deadLetters.inc({ source: 'vhd', kind: 'health-declaration', error_class: 'FutureDate' }, 1);
    metrics.recordsIn.inc({ source: 'c06', kind: 'health-declaration' }, 3);
    expect((await view.snapshot()).pairs).toEqual([
      { source: 'c06', kind: 'health-declaration', in: 3, out: 0, duplicates: 0, deadLetters: {} },
      { source: 'vhd', kind: 'health-declaration', in: 10, out: 6, duplicates: 2, deadLetters: { UnknownProvince: 1, FutureDate: 1 } },
    ]);
  });

  it('warns once when a connector fails, ClickHouse refuses inserts or a subscription fails, and once when each recovers', async () => {
    const { state, warnings, view } = rig();
    await view.sample(0);
    expect(warnings.recent()).toEqual([]);
    state.connectorState = 'FAILED';
    state.sinkFailing = true;
    state.delivery = 'failing';
    await view.sample(1_000);
    await view.sample(2_000);
    expect(warnings.recent().map((w) => [w.where, w.message, w.count])).toEqual([
      ['sub-1', 'subscription failing: no error recorded', 1],
      ['clickhouse', 'ClickHouse refuses inserts: NETWORK_ERROR', 1],
      ['http-ingest', 'connector failed: Kafka unavailable', 1],
    ]);
    state.connectorState = 'RUNNING';
    state.sinkFailing = false;
    state.delivery = 'delivering';
    await view.sample(3_000);
    expect(warnings.recent().slice(0, 3).map((w) => w.message)).toEqual(['subscription delivering again', 'ClickHouse takes inserts again', 'connector running again']);
    state.delivery = 'retrying';
    await view.sample(4_000);
    expect(warnings.recent()).toHaveLength(6);
  });

  it('keeps a history of the stages\' throughput', async () => {
    const { state, view } = rig();
    await view.sample(0);
    state.records = 1_000;
    await view.sample(10_000);
    const { history } = await view.snapshot();
    expect(history.stepSeconds).toBe(10);
    expect(history.samples).toEqual([{ at: new Date(10_000).toISOString(), rates: { ingest: 100, normalizer: 0, clickhouse: 0, 'fan-out': 0 } }]);
  });

  it('shows only the stages running in the process', async () => {
    const view = new OperationsView({ connectors: () => [connector(5)], subscriptions: () => [] }, new RecentWarnings());
    const snapshot = await view.snapshot();
    expect(snapshot.stages.map((s) => s.name)).toEqual(['ingest', 'fan-out']);
    expect(snapshot.edges).toEqual([{ from: 'ingest', to: 'fan-out', ratePerSecond: 0, lag: 0 }]);
    expect(snapshot.sink).toBeNull();
    expect(snapshot.pairs).toEqual([]);
  });

  it('lists the last crash of each stage and connector, newest first, and the alerts firing and resolved', async () => {
    const crash = (stage: string, at: string) => ({ at, stage, errorClass: 'KafkaJSProtocolError', message: 'GROUP_COORDINATOR_NOT_AVAILABLE', restarts: 1, restarting: true });
    const board = new AlertBoard();
    const transition = (key: string, state: 'firing' | 'resolved', at: number) =>
      alertMessage({ key, what: 'lag above 1000', where: key, severity: 'warning', state, since: 0, at, values: { lag: 5_000 } });
    board.record(transition('lag:normalizer', 'firing', 1_000));
    board.record(transition('lag:clickhouse', 'firing', 2_000));
    board.record(transition('lag:clickhouse', 'resolved', 3_000));
    const view = new OperationsView(
      {
        connectors: () => [{ ...connector(0), lastCrash: crash('connector gate-reader', '2021-08-14T00:00:02.000Z') }],
        subscriptions: () => [],
        sink: () => ({ ...sinkStatus(0), lastCrash: crash('clickhouse-sink', '2021-08-14T00:00:03.000Z') }),
        crashes: () => [crash('normalizer', '2021-08-14T00:00:01.000Z'), null],
        alerts: board,
      },
      new RecentWarnings(),
    );
    const snapshot = await view.snapshot();
    expect(snapshot.crashes.map((c) => c.stage)).toEqual(['clickhouse-sink', 'connector gate-reader', 'normalizer']);
    expect(snapshot.crashes[2]).toEqual(crash('normalizer', '2021-08-14T00:00:01.000Z'));
    expect(snapshot.alerts.firing).toEqual([expect.objectContaining({ alert: 'lag:normalizer', state: 'firing', severity: 'warning', at: '1970-01-01T00:00:01.000Z' })]);
    expect(snapshot.alerts.resolved).toEqual([expect.objectContaining({ alert: 'lag:clickhouse', state: 'resolved', at: '1970-01-01T00:00:03.000Z' })]);
  });

  it('gives no crashes and no alerts when none happened or no feed gives them', async () => {
    const snapshot = await rig().view.snapshot();
    expect(snapshot.crashes).toEqual([]);
    expect(snapshot.alerts).toEqual({ firing: [], resolved: [] });
  });
});
