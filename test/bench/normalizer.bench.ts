/**
 * Sustained normalizer throughput with transactions, broker on the same machine (target >= 10,000
 * records/s), and a pass-through built like it (./pass-through.ts: the same consumer set-up and
 * transactions, each record copied to its kind's topic, no decoding, mapping, dedup or encoding) to
 * report the ratio normalizer / pass-through (target >= 0.7).
 * Runs on a private broker, so the backlog is exactly the generated records. The pass-through runs
 * before and after the normalizer and the ratio uses their mean: on two cores its figure alone
 * varies by a fifth from run to run, and the broker is warmer for later runs. Each engine first
 * works through a smaller warm-up backlog, untimed, so the measured runs are of code the JIT has
 * compiled and of a normalizer holding state, as in a process that has been running.
 */
import { createLogger } from '../../services/platform/logger.ts';
import { loadConfig, type Config } from '../../services/platform/config.ts';
import { createKafka } from '../../services/platform/kafka.ts';
import { preparePipeline } from '../../services/platform/pipeline-bootstrap.ts';
import { partitionKey } from '../../services/normalizer/mapping/index.ts';
import { ensureTopics } from '../../services/platform/topics.ts';
import { KINDS, type Kind } from '../../services/platform/catalog.ts';
import { generate } from '../../services/generator/index.ts';
import { startNormalizer } from '../../services/normalizer/normalizer.ts';
import { privateKafka } from '../support/private-kafka.ts';
import { produceRaw } from '../support/raw-producer.ts';
import { startPassThrough } from './pass-through.ts';
import { printFigure, withStack } from './support.ts';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 100_000);
const WARM_UP_RECORDS = Number(process.env.BENCH_WARM_UP_RECORDS ?? 20_000);
const MEASURED_SEED = 2021;
const WARM_UP_SEED = 2020;
const logger = createLogger('bench', 'warn');

/** A running engine: how many raw records it has read and committed, and how to stop it. */
interface Engine {
  processed(): Promise<number>;
  close(): Promise<void>;
}

async function startEngine(config: Config, passThroughTopic?: (kind: Kind) => string): Promise<Engine> {
  if (passThroughTopic) {
    const passThrough = await startPassThrough(createKafka(config.kafka, logger, 'bench-passthrough'), config.normalizer.groupId, passThroughTopic);
    return { processed: async () => passThrough.copied(), close: () => passThrough.close() };
  }
  const normalizer = await startNormalizer({ config, logger });
  return { processed: async () => (await normalizer.metrics.recordsIn.get()).values.reduce((sum, v) => sum + v.value, 0), close: () => normalizer.close() };
}

async function run(label: string, env: Record<string, string>, total: number, passThroughTopic?: (kind: Kind) => string): Promise<number> {
  const config = loadConfig({ ...process.env, ...env });
  const engine = await startEngine(config, passThroughTopic);
  const processed = () => engine.processed();
  // The clock starts with the first records read (after the group join and state restore).
  while ((await processed()) === 0) await new Promise((resolve) => setTimeout(resolve, 20));
  const start = performance.now();
  let done = await processed();
  while (done < total) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    done = await processed();
  }
  const seconds = (performance.now() - start) / 1000;
  await engine.close();
  const rate = total / seconds;
  printFigure(label, rate, 'records/s', `${total.toLocaleString('en-US')} in ${seconds.toFixed(2)} s`);
  return rate;
}

await withStack(async () => {
  const broker = await privateKafka();
  try {
    const env = { ...broker.env, PERSON_KEY_SECRET: 'bench-only-person-key-secret-0123456789abcdef' };
    const config = loadConfig({ ...process.env, ...env });
    const kafka = createKafka(config.kafka, logger, 'bench');
    const pipeline = await preparePipeline(config, kafka, logger, partitionKey);
    const admin = kafka.admin();
    await admin.connect();
    // One pass-through topic per kind, as the canonical topics: each transaction then spans as many
    // topics and partitions as the normalizer's, and the ratio is down to the mapping alone.
    const passThroughTopic = (kind: Kind) => `bench.passthrough.${kind}`;
    await ensureTopics(admin, KINDS.map((kind) => ({ name: passThroughTopic(kind) })), config.topics);
    await admin.disconnect();

    const items = (seed: number, count: number) =>
      generate({ seed, count, kinds: KINDS.filter((kind) => kind !== 'checkpoint'), invalid: 0.02, duplicates: 0.1 })
        .filter((item) => item.label.valid || item.label.stage === 'normalizer');
    // Only counts outlive each production: the generated items would otherwise stay on the heap and
    // make every full collection of the runs slower. The warm-up records share no event id with the
    // measured ones (they would be dropped as replays, and cost less): the measured records are
    // generated here for their ids, and again after the warm-up to be produced.
    const warmUpTotal = await (async () => {
      const measured = new Set(items(MEASURED_SEED, RECORDS).map((item) => item.eventId));
      const warmUp = items(WARM_UP_SEED, WARM_UP_RECORDS).filter((item) => !measured.has(item.eventId));
      await produceRaw(kafka, pipeline.rawCodecs, warmUp);
      return warmUp.length;
    })();

    // Each engine keeps its consumer group (and the normalizer its state) from its warm-up to its
    // measured run, so the measured runs read only the measured backlog.
    const engines = [
      { label: 'pass-through (same consumer and transactions), run 1', group: 'bench-passthrough-1', passThroughTopic },
      { label: 'normalizer (decode, map, dedup, encode)', group: 'bench-normalizer' },
      { label: 'pass-through (same consumer and transactions), run 2', group: 'bench-passthrough-2', passThroughTopic },
    ];
    console.log(`warm-up: ${warmUpTotal.toLocaleString('en-US')} other raw records through each engine first (JIT-compiled code, a normalizer with state)`);
    for (const engine of engines) await run(`  warm-up: ${engine.label}`, { ...env, NORMALIZER_GROUP_ID: engine.group }, warmUpTotal, engine.passThroughTopic);

    const total = await (async () => {
      const measured = items(MEASURED_SEED, RECORDS);
      await produceRaw(kafka, pipeline.rawCodecs, measured);
      return measured.length;
    })();
    console.log(`normalizer: ${total.toLocaleString('en-US')} raw records of every source and kind waiting, ${config.topics.partitions} partitions, one instance, transactions`);
    const rates: number[] = [];
    for (const engine of engines) rates.push(await run(engine.label, { ...env, NORMALIZER_GROUP_ID: engine.group }, total, engine.passThroughTopic));
    const [before, normalizing, after] = rates as [number, number, number];
    printFigure('ratio normalizer / pass-through (mean of its two runs)', normalizing / ((before + after) / 2), '');
  } finally {
    await broker.destroy();
  }
});
