/**
 * The ceilings HTTP ingest is measured against (issue 16), on the same broker in the same run:
 *  - kafkajs producing the very messages ingest would write (the raw Avro records with their keys
 *    and headers), idempotent, acks=all, batches of the same size, the same number in flight;
 *  - Kafka's own ProducerPerformance from the project's Kafka jars: records of the same size,
 *    acks=all, idempotent, as fast as it can.
 * Each writes to a topic of its own (the raw topic's partitions and replication), deleted after.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { Partitioners, type Kafka, type Message } from 'kafkajs';
import { LOG4J, adminPropertiesFile, ensureKafkaJars, javaBinary } from '../../infra/stack/kafka-broker.ts';
import { formatBroker, type Config } from '../../services/platform/config.ts';
import { ensureTopics } from '../../services/platform/topics.ts';

const run = promisify(execFile);

async function withTopic<T>(kafka: Kafka, config: Config, work: (topic: string) => Promise<T>): Promise<T> {
  const topic = `bench.ceiling-${randomUUID().slice(0, 8)}`;
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, [{ name: topic }], config.topics);
    return await work(topic);
  } finally {
    await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    await admin.disconnect();
  }
}

/** Records/s kafkajs writes `batches` (cycled) in `seconds`, `inFlight` sends at a time. */
export async function kafkajsCeiling(kafka: Kafka, config: Config, batches: Message[][], inFlight: number, seconds: number): Promise<number> {
  return withTopic(kafka, config, async (topic) => {
    const producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    try {
      let written = 0;
      let next = 0;
      const started = performance.now();
      const deadline = started + seconds * 1000;
      const lane = async () => {
        while (performance.now() < deadline) {
          const messages = batches[next++ % batches.length]!;
          await producer.send({ topic, acks: -1, messages });
          written += messages.length;
        }
      };
      await Promise.all(Array.from({ length: inFlight }, lane));
      return written / ((performance.now() - started) / 1000);
    } finally {
      await producer.disconnect();
    }
  });
}

/** Records/s of Kafka's ProducerPerformance writing `records` of `recordBytes` each, acks=all, idempotent. */
export async function producerPerformanceCeiling(kafka: Kafka, config: Config, records: number, recordBytes: number): Promise<number> {
  return withTopic(kafka, config, async (topic) => {
    const { stdout } = await run(javaBinary(), [
      '-Xmx512m', '-cp', ensureKafkaJars(), LOG4J,
      'org.apache.kafka.tools.ProducerPerformance',
      '--topic', topic, '--num-records', String(records), '--record-size', String(recordBytes), '--throughput', '-1',
      '--producer.config', adminPropertiesFile(config),
      '--producer-props', `bootstrap.servers=${config.kafka.brokers.map(formatBroker).join(',')}`, 'acks=all', 'enable.idempotence=true',
    ], { maxBuffer: 16 * 1024 * 1024 });
    // The last line sums the run: "<n> records sent, <rate> records/sec (…)".
    const summary = stdout.trim().split('\n').at(-1) ?? '';
    const match = /records sent, ([\d.]+) records\/sec/.exec(summary);
    if (!match) throw new Error(`ProducerPerformance printed no summary: ${summary}`);
    return Number(match[1]);
  });
}
