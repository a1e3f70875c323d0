/**
 * HTTP ingest throughput with the broker on the same machine. The API runs in its own process (as
 * in production) and autocannon loads it from this one:
 *   A. batches of 500 records per request   (target >= 20,000 records/s accepted)
 *   B. one record per request, 64 connections (target >= 3,000 requests/s, p99 <= 100 ms)
 * Every response must be 2xx; the figures count only acknowledged records. Then its ceilings on the
 * same broker (issue 16): C. kafkajs producing the messages ingest writes for scenario A's records,
 * directly (target: A >= 0.5 of C), and D. Kafka's ProducerPerformance with records of their size;
 * the ratios are printed.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import type { Message } from 'kafkajs';
import { partitionKey } from '../../services/normalizer/mapping/index.ts';
import { issueKeys } from '../../services/platform/access.ts';
import { rawTopic } from '../../services/platform/catalog.ts';
import { REPO_ROOT, type Config } from '../../services/platform/config.ts';
import { createKafka } from '../../services/platform/kafka.ts';
import { createLogger } from '../../services/platform/logger.ts';
import { preparePipeline } from '../../services/platform/pipeline-bootstrap.ts';
import { rawExample } from '../fixtures/raw-examples.ts';
import { freePort } from '../support/ports.ts';
import { kafkajsCeiling, producerPerformanceCeiling } from './ingest-ceilings.ts';
import { printFigure, withStack } from './support.ts';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 15);
const PRODUCER_PERFORMANCE_RECORDS = Number(process.env.BENCH_PRODUCER_PERFORMANCE_RECORDS ?? 1_000_000);
const DISTINCT_BODIES = 50;

function record(): Record<string, unknown> {
  return { ...rawExample('vhd', 'health-declaration'), id: randomUUID() };
}

async function load(
  url: string,
  key: string,
  connections: number,
  bodies: string[],
): Promise<autocannon.Result> {
  let next = 0;
  return autocannon({
    url,
    connections,
    duration: DURATION_S,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length] }),
      },
    ],
  });
}

function report(label: string, result: autocannon.Result, recordsPerRequest: number): number {
  const ok = result['2xx'];
  printFigure(`${label}: requests/s (2xx)`, ok / result.duration, 'req/s');
  printFigure(`${label}: records/s accepted`, (ok * recordsPerRequest) / result.duration, 'records/s');
  printFigure(`${label}: latency p50`, result.latency.p50, 'ms');
  printFigure(`${label}: latency p99`, result.latency.p99, 'ms');
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    console.log(`  !! ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
  }
  return (ok * recordsPerRequest) / result.duration;
}

/** The messages HTTP ingest writes for these records: the raw topic's codec, as the API uses it. */
async function ingestMessages(config: Config, bodies: Record<string, unknown>[][]): Promise<Message[][]> {
  const logger = createLogger('bench', 'warn');
  const pipeline = await preparePipeline(config, createKafka(config.kafka, logger, 'bench'), logger, partitionKey);
  const codec = pipeline.rawCodecs.get(rawTopic('vhd', 'health-declaration'))!;
  return bodies.map((records) => records.map((record) => {
    const conversion = codec.convert(record, Date.now(), 'bench');
    if (!conversion.ok) throw new Error(`bench record refused: ${JSON.stringify(conversion.problems)}`);
    return conversion.record.message;
  }));
}

await withStack(async (config) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'truc-bench-'));
  const { keys, file } = issueKeys();
  writeFileSync(path.join(dir, 'access.json'), JSON.stringify(file));
  const port = await freePort();
  const api = spawn(process.execPath, [path.join(REPO_ROOT, 'services/api/main.ts')], {
    env: {
      ...process.env,
      TRUC_ACCESS_FILE: path.join(dir, 'access.json'),
      API_PORT: String(port),
      LOG_LEVEL: 'warn',
      INGEST_RATE_PER_SOURCE: '10000000',
      INGEST_RATE_BURST: '10000000',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; i < 120; i++) {
      if (await fetch(`${base}/health`).then((r) => r.ok, () => false)) break;
      await sleep(500);
    }
    const url = `${base}/v1/ingest/vhd/health-declaration`;
    console.log(`HTTP ingest, API in its own process, broker on this machine, ${DURATION_S} s per scenario`);

    const records = Array.from({ length: DISTINCT_BODIES }, () => Array.from({ length: 500 }, record));
    const batches = records.map((batch) => JSON.stringify(batch));
    const ingest = report('A. batches of 500, 8 connections', await load(url, keys.sources.vhd!, 8, batches), 500);

    const singles = Array.from({ length: DISTINCT_BODIES * 20 }, () => JSON.stringify(record()));
    report('B. single records, 64 connections', await load(url, keys.sources.vhd!, 64, singles), 1);

    const messages = await ingestMessages(config, records);
    const kafka = createKafka(config.kafka, createLogger('bench', 'warn'), 'bench');
    const direct = await kafkajsCeiling(kafka, config, messages, 8, DURATION_S);
    printFigure('C. kafkajs, the same messages, 500 × 8 in flight', direct, 'records/s');
    // ProducerPerformance's records are values alone: the size of ingest's values.
    const sizes = messages.flat().map((message) => (message.value as Buffer).length);
    const recordBytes = Math.round(sizes.reduce((sum, size) => sum + size, 0) / sizes.length);
    const broker = await producerPerformanceCeiling(kafka, config, PRODUCER_PERFORMANCE_RECORDS, recordBytes);
    printFigure(`D. ProducerPerformance, ${recordBytes}-byte records`, broker, 'records/s', `${PRODUCER_PERFORMANCE_RECORDS.toLocaleString('en-US')} records, acks=all, idempotent`);
    printFigure('ratio A / C (target >= 0.5)', ingest / direct, '');
    printFigure('ratio A / D', ingest / broker, '');
  } finally {
    api.kill('SIGTERM');
    await new Promise((resolve) => api.once('exit', resolve));
    rmSync(dir, { recursive: true, force: true });
  }
});
