import { describe, expect, it } from 'vitest';
import { tableRetentions, ttlExpression } from '../../connectors/clickhouse-sink/table-retention.ts';
import { formatKeepFor, retentionLines, retentionRows } from '../../services/cli/retention-lines.ts';
import { canonicalTopic, rawTopic } from '../../services/platform/catalog.ts';
import { ConfigError, loadConfig, retentionOf } from '../../services/platform/config.ts';
import { DLQ_INGEST_TOPIC, DLQ_NORMALIZER_TOPIC, DLQ_SINK_CLICKHOUSE_TOPIC, pipelineTopics } from '../../services/platform/topics.ts';

const DAY = 86_400_000;

describe('retention settings', () => {
  it('keep each store for its documented default, and a kind for its own time where one is set', () => {
    const { retention } = loadConfig({ RETENTION_CLICKHOUSE_TEST_RESULT: '365d', RETENTION_RAW_CHECKPOINT_PASSAGE: '36h' });
    expect(retentionOf(retention, 'raw', 'health-declaration')).toBe(7 * DAY);
    expect(retentionOf(retention, 'raw', 'checkpoint-passage')).toBe(36 * 3_600_000);
    expect(retentionOf(retention, 'canonical', 'citizen-report')).toBe(30 * DAY);
    expect(retentionOf(retention, 'dead-letters')).toBe(14 * DAY);
    expect(retentionOf(retention, 'agency-topics', 'test-result')).toBe(7 * DAY);
    expect(retentionOf(retention, 'clickhouse', 'health-declaration')).toBe(730 * DAY);
    expect(retentionOf(retention, 'clickhouse', 'test-result')).toBe(365 * DAY);
  });

  it('refuse a value that is no number of days or hours, or under an hour, naming the variable', () => {
    for (const [name, value] of [
      ['RETENTION_RAW', '7'],
      ['RETENTION_CANONICAL', '30m'],
      ['RETENTION_CLICKHOUSE', '0d'],
      ['RETENTION_DEAD_LETTERS', '-1d'],
      ['RETENTION_CLICKHOUSE_CHECKPOINT_PASSAGE', '1 year'],
      ['RETENTION_AGENCY_TOPICS', '99999999999999999d'],
    ] as const) {
      expect(() => loadConfig({ [name]: value }), `${name}=${value}`).toThrow(ConfigError);
      expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`${name}=`));
    }
  });

  it('give every pipeline topic the retention of its store, and registry kinds compaction', () => {
    const { retention } = loadConfig({ RETENTION_RAW: '2d', RETENTION_CANONICAL_TEST_RESULT: '90d', RETENTION_DEAD_LETTERS: '21d' });
    const specs = new Map(pipelineTopics(retention).map((spec) => [spec.name, spec]));
    expect(specs.get(rawTopic('lis', 'test-result'))).toMatchObject({ retentionMs: 2 * DAY });
    expect(specs.get(canonicalTopic('test-result'))).toMatchObject({ retentionMs: 90 * DAY });
    expect(specs.get(canonicalTopic('health-declaration'))).toMatchObject({ retentionMs: 30 * DAY });
    expect(specs.get(canonicalTopic('checkpoint'))).toEqual({ name: canonicalTopic('checkpoint'), compacted: true });
    for (const topic of [DLQ_INGEST_TOPIC, DLQ_NORMALIZER_TOPIC, DLQ_SINK_CLICKHOUSE_TOPIC]) expect(specs.get(topic)).toMatchObject({ retentionMs: 21 * DAY });
  });

  it("set a TTL on every kind's table but the registry's", () => {
    const { retention } = loadConfig({ RETENTION_CLICKHOUSE_CHECKPOINT_PASSAGE: '90d' });
    const tables = new Map(tableRetentions(retention).map((entry) => [entry.table, entry.seconds]));
    expect(tables.has('checkpoints')).toBe(false);
    expect(tables.get('checkpoint_passages')).toBe(90 * 86_400);
    expect(tables.get('test_results')).toBe(730 * 86_400);
    expect(ttlExpression(3_600)).toBe('toDateTime(received_at) + toIntervalSecond(3600)');
  });
});

describe("truc status's retention section", () => {
  it('shows each store and kind as configured and as Kafka applies it, marking a difference', () => {
    const { retention } = loadConfig({ RETENTION_CANONICAL_HEALTH_DECLARATION: '3d' });
    const applied = new Map([
      [canonicalTopic('health-declaration'), 30 * DAY],
      [canonicalTopic('test-result'), 30 * DAY],
      [rawTopic('vhd', 'health-declaration'), 7 * DAY],
      [rawTopic('ncovi', 'health-declaration'), 7 * DAY],
      ['out.cdc-hanoi.test-result', 7 * DAY],
      ['out.cdc-hanoi.health-declaration', 2 * DAY],
      ['audit.disclosures', 1825 * DAY],
    ]);
    const rows = retentionRows(retention, applied, 'audit.disclosures');
    const row = (store: string, kind: string | null) => rows.find((r) => r.store === store && r.kind === kind);
    expect(row('canonical', 'health-declaration')).toEqual({ store: 'canonical', kind: 'health-declaration', configured: '3d', inForce: '30d' });
    expect(row('canonical', 'test-result')).toMatchObject({ configured: '30d', inForce: '30d' });
    expect(row('canonical', 'checkpoint')).toMatchObject({ configured: 'while current', inForce: 'compacted' });
    expect(row('raw', 'health-declaration')).toMatchObject({ configured: '7d', inForce: '7d' });
    expect(row('agency-topics', 'health-declaration')).toMatchObject({ configured: '7d', inForce: '2d' });
    expect(row('agency-topics', 'citizen-report')).toMatchObject({ inForce: 'no topic yet' });
    expect(row('clickhouse', 'checkpoint')).toMatchObject({ configured: 'while current' });
    expect(row('clickhouse', 'test-result')).toMatchObject({ configured: '730d' });
    expect(row('dead-letters', null)).toMatchObject({ configured: '14d', inForce: 'no topic yet' });
    expect(row('audit', null)).toEqual({ store: 'audit', kind: null, configured: '1825d', inForce: '1825d' });
    expect(rows.filter((r) => r.store === 'audit')).toHaveLength(1);

    const lines = retentionLines(rows);
    expect(lines.filter((line) => line.includes('DIFFERS'))).toHaveLength(2);
    expect(lines.find((line) => line.includes('canonical') && line.includes('health-declaration'))).toMatch(/configured 3d .* in force 30d\s+DIFFERS/);
    expect(retentionRows(retention, null, 'audit.disclosures').find((r) => r.store === 'raw')!.inForce).toMatch(/Kafka not reachable/);
  });

  it('writes durations in days, hours or milliseconds', () => {
    expect([formatKeepFor(14 * DAY), formatKeepFor(36 * 3_600_000), formatKeepFor(90_000)]).toEqual(['14d', '36h', '90000ms']);
  });
});
