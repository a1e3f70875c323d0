import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { createAvroSerde } from '../../services/platform/avro-serde.ts';
import { KINDS } from '../../services/platform/catalog.ts';
import { REPO_ROOT, type Config } from '../../services/platform/config.ts';
import { PROJECTIONS } from '../../connectors/clickhouse-sink/projection.ts';
import { canonicalRecords, prefixedTopic, prepareCanonicalTopics, produceCanonical } from '../support/canonical-records.ts';
import { byKind, sinkTestConfig, VIEW_TOTALS_QUERY, viewPairs } from '../support/clickhouse-sink.ts';
import { testConfig, testKafka } from '../support/kafka.ts';

const children = new Set<ChildProcess>();

/** The sink in a process of its own, which owns the embedded ClickHouse folder while it runs. */
function startSink(config: Config, logLines: string[]): ChildProcess {
  const child = spawn(process.execPath, ['--disable-warning=TimeoutNegativeWarning', path.join(REPO_ROOT, 'connectors/clickhouse-sink/main.ts')], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      CLICKHOUSE_DATA_DIR: config.clickhouse.dataDir,
      CLICKHOUSE_DATABASE: config.clickhouse.database,
      CLICKHOUSE_SINK_GROUP_ID: config.clickhouseSink.groupId,
      CLICKHOUSE_SINK_TOPIC_PREFIX: config.clickhouseSink.topicPrefix,
      CLICKHOUSE_SINK_MAX_ROWS: String(config.clickhouseSink.maxRows),
      CLICKHOUSE_SINK_MAX_WAIT_MS: String(config.clickhouseSink.maxWaitMs),
      // The broker's minimum: a killed instance's partitions move to the next one within seconds.
      CLICKHOUSE_SINK_SESSION_TIMEOUT_MS: '6000',
      LOG_LEVEL: 'debug',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  createInterface({ input: child.stdout! }).on('line', (line) => logLines.push(line));
  return child;
}

async function kill(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}

/** Queries the folder from a process of its own (the test process holds no engine). */
function query(config: Config, queries: string[]): Record<string, string>[][] {
  const result = spawnSync(
    process.execPath,
    [path.join(REPO_ROOT, 'test/support/clickhouse-query.ts'), config.clickhouse.dataDir, config.clickhouse.database, ...queries],
    { encoding: 'utf8', timeout: 120_000 },
  );
  if (result.status !== 0) throw new Error(`clickhouse-query exited ${result.status}: ${result.stderr}`);
  return JSON.parse(result.stdout) as Record<string, string>[][];
}

describe('ClickHouse sink under SIGKILL', () => {
  const base = testConfig();
  const kafka = testKafka(base);
  const config = sinkTestConfig(base, { maxRows: 2_000 });

  afterAll(async () => {
    await Promise.all([...children].map((child) => kill(child, 'SIGKILL')));
    rmSync(config.clickhouse.dataDir, { recursive: true, force: true });
  });

  it('writes every record exactly once, in the tables and the views, whenever it is killed', async () => {
    const serde = createAvroSerde(config.schemaRegistry);
    const prefix = config.clickhouseSink.topicPrefix;
    const ids = await prepareCanonicalTopics(kafka, serde, prefix, { ...config.topics, partitions: 3 });
    const records = canonicalRecords(randomInt(2 ** 32 - 1), 24_000);
    const logLines: string[] = [];

    const written = () => logLines.filter((line) => line.includes('clickhouse batch written')).length;
    let child = startSink(config, logLines);
    let kills = 0;
    const chunks = 6;
    for (let chunk = 0; chunk < chunks; chunk++) {
      const before = written();
      await produceCanonical(kafka, serde, ids, prefix, records.slice((chunk * records.length) / chunks, ((chunk + 1) * records.length) / chunks));
      // Once this instance writes, kill it at a random moment of the batches that follow: inside an
      // insert, between the inserts of a batch, or between the inserts and the commit.
      await expect.poll(() => written() > before, { timeout: 120_000, interval: 50 }).toBe(true);
      await sleep(randomInt(600));
      await kill(child, 'SIGKILL');
      kills += 1;
      child = startSink(config, logLines);
    }
    expect(kills).toBeGreaterThanOrEqual(5);

    // Done when the group's committed offsets reach the end of every topic.
    const admin = kafka.admin();
    await admin.connect();
    try {
      const topics = KINDS.map((kind) => prefixedTopic(prefix, kind));
      const ends = new Map<string, number>();
      for (const topic of topics) for (const { partition, offset } of await admin.fetchTopicOffsets(topic)) ends.set(`${topic}/${partition}`, Number(offset));
      await expect
        .poll(
          async () => {
            const committed = await admin.fetchOffsets({ groupId: config.clickhouseSink.groupId, topics });
            return committed.every(({ topic, partitions }) => partitions.every(({ partition, offset }) => Math.max(Number(offset), 0) >= ends.get(`${topic}/${partition}`)!));
          },
          { timeout: 180_000, interval: 1_000 },
        )
        .toBe(true);
    } finally {
      await admin.disconnect();
    }
    await kill(child, 'SIGTERM');

    const groups = byKind(records);
    const counts = KINDS.map(
      (kind) => `SELECT '${kind}' AS kind, count() AS rows, (SELECT count() FROM ${PROJECTIONS[kind].table} FINAL) AS final, uniqExact(event_id) AS distinct FROM ${PROJECTIONS[kind].table}`,
    );
    const [views, ...perKind] = query(config, [VIEW_TOTALS_QUERY, ...counts]);
    for (const [row] of perKind) {
      const expected = String(groups.get(row!.kind as (typeof KINDS)[number])?.length ?? 0);
      // count() without FINAL: not even a repeat waiting for a merge.
      expect(row, row!.kind).toEqual({ kind: row!.kind, rows: expected, final: expected, distinct: expected });
    }
    for (const [name, [view, total]] of Object.entries(viewPairs(views![0]!))) expect(view, `${name}: view total vs base table`).toBe(total);
    const replays = logLines.filter((line) => line.includes('forming logged inserts again')).length;
    console.log(`clickhouse sink crash test: ${kills} SIGKILLs, ${records.length} records, ${replays} restarts formed logged inserts again`);
  }, 420_000);
});
