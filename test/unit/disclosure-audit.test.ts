import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { auditRows } from '../../connectors/clickhouse-sink/audit-table.ts';
import { AUDIT_SCHEMA, actionRecord, deliveryAuditId, deliveryRecord } from '../../services/platform/audit-log.ts';
import { parseInstant } from '../../services/audit/audit-routes.ts';
import { deliveryLines } from '../../services/cli/audit-command.ts';
import { AccessFileError, parseAccessPolicy } from '../../services/platform/access.ts';
import { ConfigError, loadConfig, retentionOf } from '../../services/platform/config.ts';

const DAY = 86_400_000;

describe('audit records', () => {
  const disclosure = {
    agency: 'cdc-hanoi', subscription: 'sub-1', channel: 'webhook' as const, tier: 'identified', kind: 'health-declaration', batchId: 'msg_1',
    events: [{ eventId: 'e-1', personKey: 'p'.repeat(64) }, { eventId: 'e-2', personKey: null }],
  };

  it('are one per delivered batch on the topic, and one table row per event keyed by subscription and event', () => {
    const entry = deliveryRecord(disclosure, 1_000);
    expect(entry.events).toEqual([{ event_id: 'e-1', person_key: 'p'.repeat(64) }, { event_id: 'e-2', person_key: null }]);
    const rows = auditRows(entry);
    expect(rows.map((row) => [row.audit_id, row.event_id, row.person_key])).toEqual([
      [deliveryAuditId('sub-1', 'e-1'), 'e-1', 'p'.repeat(64)],
      [deliveryAuditId('sub-1', 'e-2'), 'e-2', null],
    ]);
    expect(rows[0]).toMatchObject({ action: 'delivery', actor: 'cdc-hanoi', channel: 'webhook', tier: 'identified', at: '1970-01-01 00:00:01.000' });
    // The same event in another batch (a resend cut differently) is the same row.
    const again = auditRows(deliveryRecord({ ...disclosure, batchId: 'msg_2', events: [disclosure.events[1]!] }, 9_000));
    expect(again[0]!.audit_id).toBe(rows[1]!.audit_id);
    expect(auditRows(deliveryRecord({ ...disclosure, subscription: 'sub-2' }, 1_000))[0]!.audit_id).not.toBe(rows[0]!.audit_id);
  });

  it('fit the audit schema, deliveries and other actions alike', () => {
    const type = avro.Type.forSchema(AUDIT_SCHEMA as avro.Schema);
    const delivery = deliveryRecord(disclosure, 1_000);
    expect(type.fromBuffer(type.toBuffer(delivery))).toEqual(delivery);
    const query = actionRecord({ audit_id: 'query/q', action: 'analyst_query', at: 2_000, actor: 'epi', statement: 'SELECT 1', rows_read: 1 });
    expect(type.isValid(query)).toBe(true);
    expect(query).toMatchObject({ subscription: null, channel: null, events: [], refused: false });
    expect(auditRows(query)).toHaveLength(1);
    expect(type.isValid({ ...query, action: 'delete_everything' })).toBe(false);
  });
});

describe('audit configuration', () => {
  it('keeps the audit longest, five years by default', () => {
    const { retention, audit } = loadConfig({});
    expect(retentionOf(retention, 'audit')).toBe(1825 * DAY);
    expect(Math.max(...(['raw', 'canonical', 'dead-letters', 'agency-topics', 'clickhouse'] as const).map((store) => retentionOf(retention, store)))).toBeLessThan(retentionOf(retention, 'audit'));
    expect(audit).toEqual({ topic: 'audit.disclosures', database: 'truc_audit', groupId: 'truc-audit-sink' });
    expect(retentionOf(loadConfig({ RETENTION_AUDIT: '3650d' }).retention, 'audit')).toBe(3650 * DAY);
  });

  it("refuses an audit database the analysts read, or one that is no plain name", () => {
    expect(() => loadConfig({ AUDIT_DATABASE: 'truc' })).toThrow(ConfigError);
    expect(() => loadConfig({ AUDIT_DATABASE: 'analytics', CLICKHOUSE_DATABASE: 'analytics' })).toThrow(/AUDIT_DATABASE.*other than CLICKHOUSE_DATABASE/);
    expect(() => loadConfig({ AUDIT_DATABASE: 'audit; DROP TABLE x' })).toThrow(/AUDIT_DATABASE/);
  });
});

describe('audit questions', () => {
  it('take dates or times with a zone, nothing ambiguous', () => {
    expect(parseInstant('2021-10-01')?.toISOString()).toBe('2021-10-01T00:00:00.000Z');
    expect(parseInstant('2021-10-01T07:00:00+07:00')?.toISOString()).toBe('2021-10-01T00:00:00.000Z');
    expect(parseInstant('2021-10-01T00:00:00')).toBeNull();
    expect(parseInstant('yesterday')).toBeNull();
    expect(parseInstant('2021-13-45')).toBeNull();
    expect(parseInstant(undefined)).toBeNull();
  });

  it('print one line per delivery and the count', () => {
    const lines = deliveryLines({
      deliveries: [{ at: '2021-10-01T00:00:00.000Z', agency: 'cdc-hanoi', subscription: 's', channel: 'topic', tier: 'pseudonymous', eventId: 'e', kind: 'health-declaration', personKey: null }],
      count: 1,
      truncated: true,
    });
    expect(lines[0]).toMatch(/^2021-10-01T00:00:00.000Z {2}cdc-hanoi +topic +pseudonymous +health-declaration +e {2}s$/);
    expect(lines[1]).toBe('1 delivery (more matched: ask about a shorter period)');
  });
});

describe("analysts' grants of the row-level tables", () => {
  const hash = `scrypt:16384:8:1:${'a'.repeat(22)}:${'b'.repeat(43)}`;
  const policy = (analysts: unknown) => parseAccessPolicy(JSON.stringify({ analysts }), 'access.json');

  it('are given per analyst with "rowLevel": true, and withheld by default', () => {
    const access = policy({ 'epi-lan': { passwords: [hash], rowLevel: true }, 'epi-mai': { passwords: [hash] }, 'epi-tu': { passwords: [hash], rowLevel: false } });
    expect(['epi-lan', 'epi-mai', 'epi-tu', 'nobody'].map((name) => access.analystRowLevel(name))).toEqual([true, false, false, false]);
    expect(loadConfig({}).clickhouseEndpoint.localRowLevel).toBe(false);
    expect(loadConfig({ CLICKHOUSE_ANALYST_ROW_LEVEL: 'true' }).clickhouseEndpoint.localRowLevel).toBe(true);
  });

  it('come with a small-cell threshold of at least 2 people, 5 by default', () => {
    expect(loadConfig({}).clickhouseSink.smallCellK).toBe(5);
    expect(loadConfig({ CLICKHOUSE_SMALL_CELL_K: '10' }).clickhouseSink.smallCellK).toBe(10);
    for (const value of ['1', '0', '-5', '2.5', 'five']) expect(() => loadConfig({ CLICKHOUSE_SMALL_CELL_K: value }), value).toThrow(/CLICKHOUSE_SMALL_CELL_K/);
  });

  it('refuse anything but true or false, naming the analyst', () => {
    expect(() => policy({ 'epi-lan': { passwords: [hash], rowLevel: 'yes' } })).toThrow(AccessFileError);
    expect(() => policy({ 'epi-lan': { passwords: [hash], rowLevel: 1 } })).toThrow(/analysts\.epi-lan\.rowLevel must be true or false/);
  });
});
