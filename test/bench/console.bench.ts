/**
 * The operator console in headless Chromium while the demo feed runs through the API, the
 * normalizer and the ClickHouse sink: per load, first paint of /console (a fresh page each time)
 * and the time from pressing "Sign in" to the pipeline's figures on screen. Prints the median
 * and the worst of BENCH_LOADS loads; the target is under 1 s for both.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startClickHouseSink } from '../../connectors/clickhouse-sink/sink.ts';
import { startApi } from '../../services/api/api-service.ts';
import { startDemoFeed } from '../../services/demo/demo-feed.ts';
import { startNormalizer } from '../../services/normalizer/normalizer.ts';
import { issueKeys } from '../../services/platform/access.ts';
import { canonicalTopic, KINDS } from '../../services/platform/catalog.ts';
import { loadConfig } from '../../services/platform/config.ts';
import { createKafka } from '../../services/platform/kafka.ts';
import { createLogger } from '../../services/platform/logger.ts';
import { launchBrowser } from '../support/browser.ts';
import { percentile, printFigure, withStack } from './support.ts';

const LOADS = Number(process.env.BENCH_LOADS ?? 10);
process.env.PERSON_KEY_SECRET ??= 'bench-only-person-key-secret-0123456789abcdef';

/** Runs in the page: presses "Sign in" and resolves with the ms until the stages' figures are drawn. */
const SIGN_IN_TO_DATA = `new Promise((resolve) => {
  const started = performance.now();
  const drawn = () => document.querySelector('#stages tbody tr') && document.querySelector('#pipeline [data-stage]');
  new MutationObserver((_changes, observer) => {
    if (drawn()) {
      observer.disconnect();
      resolve(performance.now() - started);
    }
  }).observe(document.body, { childList: true, subtree: true });
  document.querySelector('#sign-in button[type=submit]').click();
})`;

/** Runs in the page: the first contentful paint's time since navigation start, once the browser reports it. */
const FIRST_PAINT = `new Promise((resolve) => {
  setTimeout(() => resolve(null), 5000);
  new PerformanceObserver((list) => {
    const paint = list.getEntries().find((entry) => entry.name === 'first-contentful-paint');
    if (paint) resolve(paint.startTime);
  }).observe({ type: 'paint', buffered: true });
})`;

await withStack(async () => {
  const id = randomUUID().slice(0, 8);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'truc-console-bench-'));
  const { keys, file } = issueKeys();
  const accessFile = path.join(dir, 'access.json');
  writeFileSync(accessFile, JSON.stringify(file));
  const config = loadConfig({
    ...process.env,
    TRUC_ACCESS_FILE: accessFile,
    CLICKHOUSE_DATABASE: `bench_console_${id}`,
    CLICKHOUSE_SINK_GROUP_ID: `bench-console-sink-${id}`,
    CLICKHOUSE_DATA_DIR: path.join(dir, 'clickhouse'),
    LOG_LEVEL: 'warn',
  });
  const logger = createLogger('bench-console', 'warn');
  // The sink starts at the canonical topics' ends: the figures are about the console, not a backlog.
  const admin = createKafka(config.kafka, logger, 'bench').admin();
  await admin.connect();
  for (const kind of KINDS.filter((k) => k !== 'checkpoint')) {
    const ends = await admin.fetchTopicOffsets(canonicalTopic(kind)).catch(() => []);
    if (ends.length > 0) await admin.setOffsets({ groupId: config.clickhouseSink.groupId, topic: canonicalTopic(kind), partitions: ends.map(({ partition, high }) => ({ partition, offset: high })) });
  }
  await admin.disconnect();

  const normalizer = await startNormalizer({ config, logger });
  const sink = await startClickHouseSink({ config, logger });
  const api = await startApi({ config, logger, port: 0, operations: { normalizer: normalizer.metrics, sink: () => sink.status() } });
  const feed = startDemoFeed({ apiUrl: api.url, sourceKeys: keys.sources, config: config.demoFeed, logger });
  const browser = await launchBrowser();
  try {
    // Measure with records flowing through every stage.
    const deadline = Date.now() + 120_000;
    while (Object.values(sink.status().rowsWritten).reduce((sum, n) => sum + n, 0) === 0) {
      if (Date.now() > deadline) throw new Error('no rows reached ClickHouse in 120 s');
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    console.log(`operator console: ${LOADS} loads (after one not counted) in headless Chromium, demo feed at ${config.demoFeed.ratePerSecond} records/s through ingest, normalizer and ClickHouse sink`);
    const paints: number[] = [];
    const data: number[] = [];
    // One load first, not counted: it starts the browser's renderer and network processes.
    await (await browser.context.newPage()).goto(`${api.url}/console`).then((response) => response?.frame().page().close());
    for (let i = 0; i < LOADS; i++) {
      const page = await browser.context.newPage();
      await page.goto(`${api.url}/console`, { waitUntil: 'load' });
      const paint = (await page.evaluate(FIRST_PAINT)) as number | null;
      if (paint === null) throw new Error('the browser reported no paint');
      paints.push(paint);
      await page.fill('#key', keys.operator);
      data.push((await page.evaluate(SIGN_IN_TO_DATA)) as number);
      await page.close();
    }
    paints.sort((a, b) => a - b);
    data.sort((a, b) => a - b);
    printFigure('console first paint, median', percentile(paints, 50), 'ms');
    printFigure('console first paint, worst', paints.at(-1)!, 'ms');
    printFigure('console sign-in to data, median', percentile(data, 50), 'ms');
    printFigure('console sign-in to data, worst', data.at(-1)!, 'ms', 'target: under 1,000 ms');
  } finally {
    await browser.close();
    await feed.close();
    await api.close();
    await normalizer.close();
    await sink.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
