/**
 * ClickHouse sink throughput into the embedded engine (issue 16: >= 200,000 rows/s, and >= 0.5 of
 * its ceiling): canonical health declarations preloaded on fresh topics, the sink started on a
 * fresh ClickHouse folder, the clock running from the first records read until every record is in
 * ClickHouse. Then its ceiling in the same run: the same rows, already projected, inserted straight
 * into the engine in the sink's binary (Arrow) form, batches of the sink's size, into a database of
 * their own; the ratio is printed. BENCH_RECORDS sets the count (default 300,000).
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ArrowInserter } from '../../connectors/clickhouse-sink/arrow-insert.ts';
import { PROJECTIONS } from '../../connectors/clickhouse-sink/projection.ts';
import { startClickHouseSink } from '../../connectors/clickhouse-sink/sink.ts';
import { migrate } from '../../services/clickhouse/migrations.ts';
import { createClickHouse } from '../../services/platform/clickhouse.ts';
import { createAvroSerde } from '../../services/platform/avro-serde.ts';
import { KINDS } from '../../services/platform/catalog.ts';
import type { Config } from '../../services/platform/config.ts';
import { createKafka } from '../../services/platform/kafka.ts';
import { createLogger } from '../../services/platform/logger.ts';
import { canonicalRecords, prefixedTopic, prepareCanonicalTopics, produceCanonical } from '../support/canonical-records.ts';
import { printFigure, withStack } from './support.ts';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 300_000);
const logger = createLogger('bench', 'warn');

/** Rows/s of ArrowInserter writing `rows` in the sink's batch size into a fresh database of the same folder. */
async function directInsertRate(config: Config, rows: Record<string, unknown>[]): Promise<number> {
  const handle = await createClickHouse({ ...config.clickhouse, database: 'bench_ceiling' });
  await migrate(handle, { cluster: null });
  const inserter = new ArrowInserter(handle.dataDir!, handle.database);
  try {
    const table = PROJECTIONS['health-declaration'].table;
    const columns = Object.keys(rows[0]!);
    const started = performance.now();
    for (let from = 0; from < rows.length; from += config.clickhouseSink.maxRows) {
      const batch = rows.slice(from, from + config.clickhouseSink.maxRows);
      if (!(await inserter.insert({ table, columns, rows: batch, token: `ceiling-${from}` }))) throw new Error('the rows have no Arrow form');
    }
    return rows.length / ((performance.now() - started) / 1000);
  } finally {
    inserter.close();
    await handle.close();
  }
}

await withStack(async (base) => {
  const id = randomUUID().slice(0, 8);
  const config: Config = {
    ...base,
    clickhouse: { ...base.clickhouse, url: null, database: 'bench', dataDir: path.join(tmpdir(), `truc-ch-bench-${id}`) },
    clickhouseSink: { ...base.clickhouseSink, groupId: `bench-ch-sink-${id}`, topicPrefix: `bench-${id}.` },
  };
  const kafka = createKafka(config.kafka, logger, 'bench');
  const serde = createAvroSerde(config.schemaRegistry);
  const topics = KINDS.map((kind) => prefixedTopic(config.clickhouseSink.topicPrefix, kind));
  try {
    const ids = await prepareCanonicalTopics(kafka, serde, config.clickhouseSink.topicPrefix, config.topics);
    let records = canonicalRecords(2021, Math.ceil(RECORDS * 1.02), ['health-declaration']).slice(0, RECORDS);
    // The ceiling's rows: what the sink makes of these records, made before any clock runs.
    const rows = records.map((record) => PROJECTIONS['health-declaration'].project(record));
    await produceCanonical(kafka, serde, ids, config.clickhouseSink.topicPrefix, records);
    const total = records.length;
    records = [];
    console.log(
      `clickhouse sink: ${total.toLocaleString('en-US')} canonical health declarations waiting on ${config.topics.partitions} partitions; embedded engine; batches of up to ${config.clickhouseSink.maxRows.toLocaleString('en-US')} rows or ${config.clickhouseSink.maxWaitMs} ms`,
    );

    const started = performance.now();
    const sink = await startClickHouseSink({ config, logger });
    const written = () => sink.status().rowsWritten['health-declaration'];
    // The clock starts with the first records read (after migrations and the group join).
    while (sink.status().buffered === 0 && written() === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    const first = performance.now();
    while (written() < total) await new Promise((resolve) => setTimeout(resolve, 20));
    const done = performance.now();
    const [row] = await (await sink.clickhouse.client.query({ query: 'SELECT count() AS n FROM health_declarations', format: 'JSONEachRow' })).json<{ n: string }>();
    const batches = sink.status().batches;
    await sink.close();
    if (Number(row!.n) !== total) throw new Error(`expected ${total} rows in ClickHouse, found ${row!.n}`);

    // The clock starts when a poll first sees work; one that first saw it all done measured nothing.
    if (written() > 0 && done - first < 50) throw new Error('the start of the work was not observed (the poll first saw it finished): run again');
    const seconds = (done - first) / 1000;
    const sinkRate = total / seconds;
    printFigure('sink throughput (first read → all in ClickHouse)', sinkRate, 'rows/s', `${total.toLocaleString('en-US')} rows in ${seconds.toFixed(2)} s, ${batches} batches`);
    printFigure('including start (migrations, group join)', total / ((done - started) / 1000), 'rows/s', `${((done - started) / 1000).toFixed(2)} s`);
    const ceiling = await directInsertRate(config, rows);
    printFigure('ceiling: the same rows straight into the engine (Arrow)', ceiling, 'rows/s', `batches of ${config.clickhouseSink.maxRows.toLocaleString('en-US')}`);
    printFigure('ratio sink / ceiling (target >= 0.5)', sinkRate / ceiling, '');
  } finally {
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics }).catch(() => {});
    await admin.deleteGroups([config.clickhouseSink.groupId]).catch(() => {});
    await admin.disconnect();
    rmSync(config.clickhouse.dataDir, { recursive: true, force: true });
  }
});
