/**
 * ClickHouse sink throughput into the embedded engine (target >= 50,000 rows/s): canonical health
 * declarations preloaded on fresh topics, the sink started on a fresh ClickHouse folder, the clock
 * running from the first records read until every record is in ClickHouse.
 * BENCH_RECORDS sets the count (default 300,000).
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startClickHouseSink } from '../../connectors/clickhouse-sink/sink.ts';
import { createAvroSerde } from '../../services/platform/avro-serde.ts';
import { KINDS } from '../../services/platform/catalog.ts';
import type { Config } from '../../services/platform/config.ts';
import { createKafka } from '../../services/platform/kafka.ts';
import { createLogger } from '../../services/platform/logger.ts';
import { canonicalRecords, prefixedTopic, prepareCanonicalTopics, produceCanonical } from '../support/canonical-records.ts';
import { printFigure, withStack } from './support.ts';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 300_000);
const logger = createLogger('bench', 'warn');

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

    const seconds = (done - first) / 1000;
    printFigure('sink throughput (first read → all in ClickHouse)', total / seconds, 'rows/s', `${total.toLocaleString('en-US')} rows in ${seconds.toFixed(2)} s, ${batches} batches`);
    printFigure('including start (migrations, group join)', total / ((done - started) / 1000), 'rows/s', `${((done - started) / 1000).toFixed(2)} s`);
  } finally {
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics }).catch(() => {});
    await admin.deleteGroups([config.clickhouseSink.groupId]).catch(() => {});
    await admin.disconnect();
    rmSync(config.clickhouse.dataDir, { recursive: true, force: true });
  }
});
