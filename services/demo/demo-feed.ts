/**
 * `npm start`'s demo feed: the generator's records of every source and kind, posted through the
 * real HTTP ingest with each source's key at a steady rate, with the usual share of cross-source
 * duplicates and defective records, so every stage of a fresh installation has something to show.
 * Every kind is dated in the generator's window, August 2021 (the height of that year's wave), so
 * declarations, passages, reports and the checkpoint registry line up in the analysts' tables.
 */
import { CHECKPOINTS, generate, generateItems, type GeneratedItem } from '../generator/index.ts';
import { KINDS } from '../platform/catalog.ts';
import type { DemoFeedConfig } from '../platform/config.ts';
import type { Logger } from '../platform/logger.ts';
import { postItems } from './ingest-poster.ts';

export interface DemoFeedStats {
  /** Records posted. */
  posted: number;
  /** Records ingest accepted (202/207). */
  accepted: number;
  /** Records ingest refused with a problem (the feed's ingest-stage defects). */
  rejected: number;
  /** Requests that failed as a whole (429, 503, network): their records were not accepted. */
  failedRequests: number;
}

export interface DemoFeed {
  stats(): DemoFeedStats;
  close(): Promise<void>;
}

export interface DemoFeedOptions {
  apiUrl: string;
  /** API key per source. */
  sourceKeys: Readonly<Record<string, string>>;
  config: DemoFeedConfig;
  logger: Logger;
  seed?: number;
}

const TICK_MS = 200;
/** Items per generation: a new seed after that, so the feed never ends. */
const GENERATION = 50_000;

/** The checkpoint registry: posted first, so passages find their checkpoints. */
export function demoCheckpoints(seed: number): GeneratedItem[] {
  return generate({ seed, counts: { 'checkpoint-ops/checkpoint': CHECKPOINTS.length }, invalid: 0, duplicates: 0 });
}

/** One generation of the other kinds, dated in the generator's default window like the registry. */
export function demoGeneration(seed: number, config: DemoFeedConfig): Generator<GeneratedItem, void, undefined> {
  return generateItems({
    seed,
    count: GENERATION,
    kinds: KINDS.filter((kind) => kind !== 'checkpoint'),
    invalid: config.invalidPercent / 100,
    duplicates: config.duplicatePercent / 100,
  });
}

export function startDemoFeed(options: DemoFeedOptions): DemoFeed {
  const { apiUrl, sourceKeys, config, logger } = options;
  const stats: DemoFeedStats = { posted: 0, accepted: 0, rejected: 0, failedRequests: 0 };
  let seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  let stopped = false;

  const nextGeneration = () => demoGeneration(seed++, config);

  async function post(items: GeneratedItem[]): Promise<void> {
    for (const result of await postItems(apiUrl, sourceKeys, items)) {
      stats.posted += result.records;
      if (result.status === 202 || result.status === 207 || result.status === 422) {
        stats.accepted += result.accepted.length;
        stats.rejected += result.rejected;
      } else {
        stats.failedRequests += 1;
        logger.warn({ pair: result.pair, status: result.status, err: result.error }, 'demo feed: ingest did not take a request');
      }
    }
  }

  const running = (async () => {
    await post(demoCheckpoints(seed++));
    let items = nextGeneration();
    let owed = 0;
    let last = performance.now();
    while (!stopped) {
      await new Promise((resolve) => setTimeout(resolve, TICK_MS));
      const now = performance.now();
      // A slow ingest lowers the rate rather than piling requests up: at most one second is owed.
      owed = Math.min(owed + ((now - last) / 1000) * config.ratePerSecond, config.ratePerSecond);
      last = now;
      const batch: GeneratedItem[] = [];
      while (batch.length < Math.floor(owed)) {
        const next = items.next();
        if (next.done) items = nextGeneration();
        else batch.push(next.value);
      }
      owed -= batch.length;
      if (batch.length > 0) await post(batch);
    }
  })().catch((error) => logger.error({ err: (error as Error).message }, 'demo feed stopped'));

  return {
    stats: () => ({ ...stats }),
    async close() {
      stopped = true;
      await running;
    },
  };
}
