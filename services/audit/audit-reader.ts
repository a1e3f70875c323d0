/**
 * Answers a privacy officer's questions from the audit table (connectors/clickhouse-sink/audit-table.ts):
 * which agencies received a person's records, and what an agency received in a period. Reads with
 * FINAL (one row per delivery however often it was written); values reach the engine as query
 * parameters, never inside the SQL text.
 */
import type { ClickHouseHandle } from '../platform/clickhouse.ts';
import { AUDIT_TABLE } from '../../connectors/clickhouse-sink/audit-table.ts';

/** One delivery as the audit answers it. */
export interface AuditedDelivery {
  at: string;
  agency: string;
  subscription: string;
  channel: string;
  tier: string;
  eventId: string;
  kind: string;
  personKey: string | null;
}

export interface DeliveryAnswer {
  deliveries: AuditedDelivery[];
  /** More deliveries matched than `limit`: narrow the question. */
  truncated: boolean;
}

interface DeliveryRow {
  /** Epoch milliseconds (quoted: a 64-bit integer). */
  at_ms: string;
  actor: string;
  subscription: string;
  channel: string;
  tier: string;
  event_id: string;
  kind: string;
  person_key: string | null;
}

export class AuditReader {
  private readonly clickhouse: ClickHouseHandle;
  private readonly table: string;
  private readonly limit: number;

  /** `database` is validated as a plain identifier in config.ts. */
  constructor(clickhouse: ClickHouseHandle, database: string, limit = 10_000) {
    this.clickhouse = clickhouse;
    this.table = `${database}.${AUDIT_TABLE}`;
    this.limit = limit;
  }

  /** Every delivery of the person's records, oldest first. */
  person(personKey: string): Promise<DeliveryAnswer> {
    return this.deliveries('person_key = {person_key:String}', { person_key: personKey });
  }

  /** What the agency received from `from` (inclusive) to `to` (exclusive), oldest first. */
  agency(agency: string, from: Date, to: Date): Promise<DeliveryAnswer> {
    return this.deliveries(
      'actor = {agency:String} AND at >= fromUnixTimestamp64Milli({from:Int64}) AND at < fromUnixTimestamp64Milli({to:Int64})',
      { agency, from: from.getTime(), to: to.getTime() },
    );
  }

  private async deliveries(condition: string, params: Record<string, unknown>): Promise<DeliveryAnswer> {
    const result = await this.clickhouse.client.query({
      query: `SELECT toUnixTimestamp64Milli(at) AS at_ms, actor, subscription, channel, tier, event_id, kind, person_key
        FROM ${this.table} FINAL
        WHERE action = 'delivery' AND ${condition}
        ORDER BY at, audit_id
        LIMIT {limit:UInt32}`,
      query_params: { ...params, limit: this.limit + 1 },
      format: 'JSONEachRow',
    });
    const rows = await result.json<DeliveryRow>();
    return {
      truncated: rows.length > this.limit,
      deliveries: rows.slice(0, this.limit).map((row) => ({
        at: new Date(Number(row.at_ms)).toISOString(),
        agency: row.actor,
        subscription: row.subscription,
        channel: row.channel,
        tier: row.tier,
        eventId: row.event_id,
        kind: row.kind,
        personKey: row.person_key,
      })),
    };
  }
}
