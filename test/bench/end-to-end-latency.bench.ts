/**
 * End-to-end latency, HTTP ingest acknowledged → row visible in ClickHouse, at a steady rate
 * (default 2,000 records/s for 30 s; target p99 <= 3 s): the API, the normalizer and the ClickHouse
 * sink (embedded engine) in this process, on a private broker, as `npm start` runs them. Records
 * of every source and kind; no defects or duplicates, so every acknowledged record becomes a row.
 * A poller looks for new rows every 50 ms, so figures are at most that much late.
 * BENCH_BROKERS=3 runs it on a private cluster of three brokers (replication 3, two in sync) to
 * set its figures beside the single broker's (issue 16).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { startClickHouseSink } from '../../connectors/clickhouse-sink/sink.ts';
import { PROJECTIONS } from '../../connectors/clickhouse-sink/projection.ts';
import { startApi } from '../../services/api/api-service.ts';
import { postItems } from '../../services/demo/ingest-poster.ts';
import { ReadOnlyEngine } from '../../services/clickhouse-endpoint/readonly-engine.ts';
import { CHECKPOINTS, generate, generateItems, type GeneratedItem } from '../../services/generator/index.ts';
import { startNormalizer } from '../../services/normalizer/normalizer.ts';
import { issueKeys } from '../../services/platform/access.ts';
import { KINDS } from '../../services/platform/catalog.ts';
import { loadConfig } from '../../services/platform/config.ts';
import { createLogger } from '../../services/platform/logger.ts';
import { privateKafka } from '../support/private-kafka.ts';
import { percentile, printFigure, withStack } from './support.ts';

const RATE = Number(process.env.BENCH_RATE ?? 2_000);
const BROKERS = process.env.BENCH_BROKERS === '3' ? 3 : 1;
const SECONDS = Number(process.env.BENCH_DURATION_S ?? 30);
const WARM_UP_S = 5;
const TICK_MS = 100;
const POLL_MS = 50;
const GIVE_UP_MS = 60_000;
const logger = createLogger('bench', 'warn');

await withStack(async () => {
  const broker = await privateKafka({ brokers: BROKERS });
  try {
    const env = { ...broker.env, PERSON_KEY_SECRET: 'bench-only-person-key-secret-0123456789abcdef', API_PORT: '0' };
    const { keys, file } = issueKeys();
    const config = loadConfig({ ...process.env, ...env });
    writeFileSync(config.api.accessFile, JSON.stringify(file));
    const sink = await startClickHouseSink({ config, logger });
    const normalizer = await startNormalizer({ config, logger });
    const api = await startApi({ config, logger, port: 0 });
    // The poller reads on sessions of its own (as analysts do), not on the sink's.
    const reader = await ReadOnlyEngine.open(config.clickhouse.dataDir, config.clickhouseEndpoint);

    const acknowledged = new Map<string, number>();
    // Acknowledgements in order, and the first one not yet seen: the poller asks only for rows
    // received since then, so its own work stays small however long the run (reading every row
    // since the start at each poll took a growing share of the machine from the pipeline).
    const ackOrder: { id: string; wallClock: number }[] = [];
    let firstUnseen = 0;
    const post = async (items: GeneratedItem[]) => {
      for (const result of await postItems(api.url, keys.sources, items)) {
        if (result.status !== 202) throw new Error(`ingest answered ${result.status} for ${result.pair}`);
        const wallClock = Date.now();
        for (const eventId of result.accepted) {
          acknowledged.set(eventId, result.at);
          ackOrder.push({ id: eventId, wallClock });
        }
      }
    };

    // The registry first, so passages find their checkpoints; then the clock.
    await post(generate({ seed: 1, counts: { 'checkpoint-ops/checkpoint': CHECKPOINTS.length }, invalid: 0, duplicates: 0 }));
    while (normalizer.checkpoints.size < CHECKPOINTS.length) await new Promise((resolve) => setTimeout(resolve, 50));
    acknowledged.clear();
    ackOrder.length = 0;

    const now = Date.now();
    const source = generateItems({ seed: 2, count: RATE * (SECONDS + 5), kinds: KINDS.filter((kind) => kind !== 'checkpoint'), invalid: 0, duplicates: 0, window: { from: now - 7 * 24 * 3_600_000, to: now - 60_000 } });
    const latencies: number[] = [];
    // Where the time goes: received → normalized_at (ingest and normalizer), then → seen in ClickHouse (sink).
    const normalizing: number[] = [];
    const sinking: number[] = [];
    const seen = new Set<string>();
    const tables = KINDS.filter((kind) => kind !== 'checkpoint').map((kind) => PROJECTIONS[kind].table);
    const union = tables.map((table) => `SELECT toString(event_id) AS id, toUnixTimestamp64Milli(received_at) AS received, toUnixTimestamp64Milli(normalized_at) AS normalized FROM ${table} WHERE received_at >= fromUnixTimestamp64Milli({since:Int64})`).join(' UNION ALL ');
    const measuredFrom = performance.now() + WARM_UP_S * 1000;
    let posting = true;

    const poller = (async () => {
      let lastProgress = performance.now();
      // A record the normalizer drops (the generator's people now and then declare the same thing
      // twice within the tolerance) never becomes a row.
      const dropped = async () => (await normalizer.metrics.duplicates.get()).values.reduce((sum, v) => sum + v.value, 0);
      while (posting || seen.size < acknowledged.size - (await dropped())) {
        if (performance.now() - lastProgress > GIVE_UP_MS) {
          const dropped = { duplicates: (await normalizer.metrics.duplicates.get()).values, deadLetters: (await normalizer.metrics.deadLetters.get()).values };
          // Where the missing records are: in ClickHouse after all (the poll window missed them), or not.
          const missing = [...acknowledged.keys()].filter((id) => !seen.has(id));
          const lookup = tables.map((table) => `SELECT toString(event_id) AS id, '${table}' AS t, toUnixTimestamp64Milli(received_at) AS received, toUnixTimestamp64Milli(normalized_at) AS normalized FROM ${table} WHERE event_id IN ({ids:Array(UUID)})`).join(' UNION ALL ');
          const found = await reader.query({ sql: lookup, database: config.clickhouse.database, format: 'JSONEachRow', settings: {}, params: { ids: `[${missing.map((id) => `'${id}'`).join(',')}]` }, rowLevel: true });
          throw new Error(`${missing.length} acknowledged records not seen in ClickHouse after ${GIVE_UP_MS / 1000} s; normalizer: ${JSON.stringify(dropped)}; found by id: ${found.body.toString('utf8').slice(0, 3000)}`);
        }
        while (firstUnseen < ackOrder.length && seen.has(ackOrder[firstUnseen]!.id)) firstUnseen += 1;
        // Received before acknowledged: a margin covers the clock steps between the two. A record
        // the normalizer dropped as a duplicate is never seen: the window reaches back 30 s at most.
        const since = Math.max(ackOrder[firstUnseen]?.wallClock ?? Date.now(), Date.now() - 30_000) - 2_000;
        const result = await reader.query({ sql: union, database: config.clickhouse.database, format: 'JSONEachRow', settings: {}, params: { since: String(since) }, rowLevel: true });
        const rows = result.body
          .toString('utf8')
          .split('\n')
          .filter((line) => line !== '')
          .map((line) => JSON.parse(line) as { id: string; received: string; normalized: string });
        const at = performance.now();
        const wallClock = Date.now();
        for (const { id, received, normalized } of rows) {
          if (seen.has(id)) continue;
          seen.add(id);
          lastProgress = at;
          const ack = acknowledged.get(id);
          if (ack !== undefined && ack >= measuredFrom) {
            latencies.push(at - ack);
            normalizing.push(Number(normalized) - Number(received));
            sinking.push(wallClock - Number(normalized));
          }
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    })();

    const start = performance.now();
    for (let tick = 0; tick < (SECONDS * 1000) / TICK_MS; tick++) {
      const items: GeneratedItem[] = [];
      for (let i = 0; i < (RATE * TICK_MS) / 1000; i++) items.push(source.next().value as GeneratedItem);
      void post(items).catch((error) => logger.error({ err: (error as Error).message }, 'post failed'));
      const next = start + (tick + 1) * TICK_MS;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now())));
    }
    posting = false;
    await poller;

    for (const list of [latencies, normalizing, sinking]) list.sort((a, b) => a - b);
    console.log(
      `end-to-end latency: ${RATE.toLocaleString('en-US')} records/s for ${SECONDS} s through HTTP ingest (batches per source and kind every ${TICK_MS} ms), normalizer, ClickHouse sink (up to ${config.clickhouseSink.maxWaitMs} ms per batch); ${BROKERS === 3 ? 'three brokers (replication 3, two in sync)' : 'one broker'}; first ${WARM_UP_S} s not measured`,
    );
    printFigure('rows visible in ClickHouse per second (measured part)', latencies.length / (SECONDS - WARM_UP_S), 'rows/s');
    printFigure('ingest acknowledged → row in ClickHouse, p50', percentile(latencies, 50), 'ms', `${latencies.length.toLocaleString('en-US')} records`);
    printFigure('ingest acknowledged → row in ClickHouse, p99', percentile(latencies, 99), 'ms');
    printFigure('ingest acknowledged → row in ClickHouse, max', latencies[latencies.length - 1] ?? Number.NaN, 'ms');
    printFigure('  of which received → normalized, p50 / p99', percentile(normalizing, 50), 'ms', `p99 ${Math.round(percentile(normalizing, 99))} ms`);
    printFigure('  of which normalized → in ClickHouse, p50 / p99', percentile(sinking, 50), 'ms', `p99 ${Math.round(percentile(sinking, 99))} ms`);
    await reader.close();
    await api.close();
    await normalizer.close();
    await sink.close();
  } finally {
    await broker.destroy();
  }
});
