/**
 * Produce -> consume round trip through the local broker with kafkajs: Avro health declarations
 * written with an idempotent producer (acks=all) and read by a consumer group at the same time.
 * No target: this is the baseline later issues are measured against.
 */
import { CompressionTypes } from 'kafkajs';
import { createAvroSerde, valueSubject } from '../../services/platform/avro-serde.ts';
import { createKafka } from '../../services/platform/kafka.ts';
import { createLogger } from '../../services/platform/logger.ts';
import { readSchemaFile } from '../../services/platform/schema-files.ts';
import { ensureTopics } from '../../services/platform/topics.ts';
import { sampleHealthDeclaration } from '../fixtures/health-declaration.ts';
import { percentile, printFigure, withStack } from './support.ts';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 200_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 1_000);
const IN_FLIGHT = 4;
const PARTITIONS = 6;

await withStack(async (config) => {
  const logger = createLogger('bench', 'warn');
  const kafka = createKafka(config.kafka, logger, 'bench');
  const topic = `bench.roundtrip-${Date.now()}`;
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, [{ name: topic, partitions: PARTITIONS }], config.topics);

  const serde = createAvroSerde(config.schemaRegistry);
  const writer = await serde.writer(await serde.register(valueSubject(topic), readSchemaFile('schemas/kinds/health-declaration/canonical.avsc')));
  const messages = Array.from({ length: BATCH }, (_, i) => {
    const record = sampleHealthDeclaration({ source_record_id: `R${i}`, person_key: `person-${i}` });
    return { key: `person-${i}`, value: writer.encode(record) };
  });
  console.log(`kafkajs round trip: ${RECORDS.toLocaleString('en-US')} records of ${messages[0]!.value.length} bytes, ` +
    `${PARTITIONS} partitions, batches of ${BATCH}, ${IN_FLIGHT} batches in flight, acks=all, idempotent`);

  const consumer = kafka.consumer({ groupId: `${topic}-reader`, readUncommitted: false, maxBytes: 16 * 1024 * 1024 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let received = 0;
  const latencies: number[] = [];
  // Listen before run(): the group may be joined before run() resolves.
  const joined = new Promise((resolve) => consumer.on(consumer.events.GROUP_JOIN, resolve));
  let resolveDone: () => void = () => {};
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  await consumer.run({
    partitionsConsumedConcurrently: PARTITIONS,
    eachBatch: async ({ batch }) => {
      const now = Date.now();
      for (const message of batch.messages) {
        serde.decodeCached(message.value!);
        latencies.push(now - Number(message.timestamp));
      }
      received += batch.messages.length;
      if (received >= RECORDS) resolveDone();
    },
  });
  // Wait until the group owns the partitions, so the clock measures traffic, not the join.
  await joined;

  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 5 });
  await producer.connect();
  const start = performance.now();
  let sent = 0;
  const sendLoop = async () => {
    while (sent < RECORDS) {
      sent += BATCH;
      await producer.send({ topic, acks: -1, compression: CompressionTypes.None, messages });
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, sendLoop));
  const produced = performance.now();
  await done;
  const finished = performance.now();

  printFigure('produce (acked by the broker)', sent / ((produced - start) / 1000), 'records/s');
  printFigure('produce -> consume round trip', received / ((finished - start) / 1000), 'records/s',
    `${received.toLocaleString('en-US')} records in ${((finished - start) / 1000).toFixed(2)} s`);
  latencies.sort((a, b) => a - b);
  printFigure('produce -> consume latency p50 (under full load)', percentile(latencies, 50), 'ms');
  printFigure('produce -> consume latency p99 (under full load)', percentile(latencies, 99), 'ms');

  await Promise.all([producer.disconnect(), consumer.disconnect()]);
  await admin.deleteTopics({ topics: [topic] });
  await admin.disconnect();
});
