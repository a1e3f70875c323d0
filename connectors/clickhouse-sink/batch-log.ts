/**
 * The sink's batch log (`sink_batches`): the ranges of every insert, logged before the insert, and
 * read back after a (re)assignment to form again the inserts whose commit is not known to have
 * happened (see flush-plan.ts).
 */
import { hash } from 'node:crypto';
import type { ClickHouseHandle } from '../../services/platform/clickhouse.ts';
import { singleRangeToken, type LoggedGroup, type OffsetRange } from './flush-plan.ts';

export interface GroupToLog {
  topic: string;
  token: string;
  ranges: readonly OffsetRange[];
}

interface LoggedRow {
  partition: number;
  first_offset: string;
  last_offset: string;
  flush_token: string;
  logged_ms: string;
}

/**
 * Logs the groups of one flush in one insert, in their order (logged_at grows by a millisecond per
 * group, which is how a later start knows the order). A retry of the same flush repeats the token.
 */
export async function logGroups(clickhouse: ClickHouseHandle, groups: readonly GroupToLog[]): Promise<void> {
  if (groups.length === 0) return;
  const at = Date.now();
  const values = groups.flatMap((group, index) =>
    group.ranges.map((range) => ({
      topic: group.topic,
      partition: range.partition,
      first_offset: range.first,
      last_offset: range.last,
      flush_token: group.token,
      logged_at: at + index,
    })),
  );
  await clickhouse.client.insert({
    table: 'sink_batches',
    format: 'JSONEachRow',
    values,
    clickhouse_settings: { insert_deduplication_token: `log:${hash('sha256', groups.map((group) => group.token).join(','), 'hex')}` },
  });
}

/**
 * The groups of `topic` logged at or after the committed offsets (per partition; -1 when none), in
 * the order they were logged. A group with a range before its partition's committed offset was
 * acknowledged by ClickHouse (commits follow inserts): it keeps only its uncommitted ranges, to be
 * committed without an insert.
 */
export async function loadLoggedGroups(clickhouse: ClickHouseHandle, topic: string, committed: ReadonlyMap<number, number>): Promise<LoggedGroup[]> {
  const size = Math.max(0, ...[...committed.keys()].map((partition) => partition + 1));
  const from = Array.from({ length: size }, (_, partition) => Math.max(0, committed.get(partition) ?? 0));
  const recent = await selectRanges(
    clickhouse,
    'topic = {topic:String} AND first_offset >= {from:Array(UInt64)}[partition + 1]',
    { topic, from },
  );
  if (recent.length === 0) return [];
  const tokens = [...new Set(recent.map((row) => row.flush_token).filter((token) => token !== ''))];
  // The other ranges of the same inserts, committed or not.
  const siblings = tokens.length === 0 ? [] : await selectRanges(clickhouse, 'topic = {topic:String} AND flush_token IN {tokens:Array(String)}', { topic, tokens });

  const groups = new Map<string, { ranges: OffsetRange[]; at: number; inserted: boolean }>();
  const seen = new Set<string>();
  for (const row of [...recent, ...siblings]) {
    const range = { partition: Number(row.partition), first: Number(row.first_offset), last: Number(row.last_offset) };
    const id = `${range.partition}:${range.first}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const token = row.flush_token === '' ? singleRangeToken(topic, range) : row.flush_token;
    const group = groups.get(token) ?? { ranges: [], at: Number(row.logged_ms), inserted: false };
    groups.set(token, group);
    if (range.first < (committed.get(range.partition) ?? 0)) group.inserted = true;
    else group.ranges.push(range);
  }
  return [...groups]
    .filter(([, group]) => group.ranges.length > 0)
    .sort(([tokenA, a], [tokenB, b]) => a.at - b.at || Math.min(...a.ranges.map((r) => r.first)) - Math.min(...b.ranges.map((r) => r.first)) || tokenA.localeCompare(tokenB))
    .map(([token, group]) => ({ token, ranges: group.ranges.sort((a, b) => a.partition - b.partition), inserted: group.inserted }));
}

async function selectRanges(clickhouse: ClickHouseHandle, where: string, params: Record<string, unknown>): Promise<LoggedRow[]> {
  const result = await clickhouse.client.query({
    query: `SELECT partition, first_offset, last_offset, flush_token, toUnixTimestamp64Milli(logged_at) AS logged_ms FROM sink_batches FINAL WHERE ${where} ORDER BY logged_ms, partition, first_offset`,
    query_params: params,
    format: 'JSONEachRow',
  });
  return result.json<LoggedRow>();
}
