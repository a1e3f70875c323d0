/**
 * A crash of the normalizer's consumer, forced by taking its (private) broker away under it after
 * records flowed, until kafkajs gives up and crashes the consumer; then the broker comes back. The
 * log says which stage crashed, with the error's class and message, the normalizer's status shows
 * the crash, and the consumer comes back by itself. (In `npm start` such a crash once left only
 * "Restarting the consumer in …" in the log.)
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNormalizer, type RunningNormalizer } from '../../services/normalizer/normalizer.ts';
import { KINDS } from '../../services/platform/catalog.ts';
import { loadConfig } from '../../services/platform/config.ts';
import { createKafka } from '../../services/platform/kafka.ts';
import { preparePipeline } from '../../services/platform/pipeline-bootstrap.ts';
import { partitionKey } from '../../services/normalizer/mapping/index.ts';
import { generate } from '../../services/generator/index.ts';
import { privateKafka, type PrivateKafka } from '../support/private-kafka.ts';
import { produceRaw } from '../support/raw-producer.ts';
import { deploymentContentId } from '../support/content-id.ts';

interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

const ERROR = 50;

async function waitFor<T>(probe: () => T | null | undefined | false, what: string, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe('the normalizer when its broker restarts under it', () => {
  let broker: PrivateKafka;
  let normalizer: RunningNormalizer | undefined;
  const lines: LogLine[] = [];
  // The normalizer's own log, as the service writes it (JSON lines), kept to be read by the test.
  const logger = pino({ level: 'info', base: { service: 'normalizer' } }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });

  beforeAll(async () => {
    broker = await privateKafka();
  }, 120_000);

  afterAll(async () => {
    await normalizer?.close().catch(() => {});
    await broker?.destroy();
  });

  it('logs the crash with the stage, the error class and message, and shows it in status', async () => {
    const config = loadConfig({ ...process.env, ...broker.env, PERSON_KEY_SECRET: 'test-only-person-key-secret-0123456789abcdef' });
    const kafka = createKafka(config.kafka, pino({ level: 'silent' }), 'test');
    const pipeline = await preparePipeline(config, kafka, pino({ level: 'silent' }), partitionKey);
    // (A broker that just started may already crash the first join: "the coordinator is loading".)
    normalizer = await startNormalizer({ config, logger });

    const items = generate({ seed: 13, count: 2_000, kinds: KINDS.filter((kind) => kind !== 'checkpoint'), invalid: 0, duplicates: 0, contentId: deploymentContentId() });
    await produceRaw(kafka, pipeline.rawCodecs, items);
    const recordsIn = async () => (await normalizer!.metrics.recordsIn.get()).values.reduce((sum, v) => sum + v.value, 0);
    await expect.poll(recordsIn, { timeout: 60_000, interval: 250 }).toBeGreaterThan(0);

    const killedAt = Date.now();
    await broker.kill();
    // kafkajs retries the lost connections for about a minute before it crashes the consumer.
    const crashSinceKill = () => {
      const crash = normalizer!.status().lastCrash;
      return crash !== null && Date.parse(crash.at) >= killedAt && crash;
    };
    const crash = await waitFor(crashSinceKill, 'a crash of the normalizer consumer', 180_000);
    const crashedAfterMs = Date.now() - killedAt;
    await broker.start();

    // Restarted, by kafkajs or (for an error kafkajs deems final) by the normalizer itself.
    expect(crash).toMatchObject({ stage: 'normalizer', restarting: true });
    expect(crash.restarts).toBeGreaterThanOrEqual(1);
    // A lost connection, no broker, no group coordinator, … (which one depends on the moment).
    expect(crash.errorClass).toMatch(/^KafkaJS\w+$/);
    expect(crash.message.length).toBeGreaterThan(0);

    // The crash's own line: stage, class and message, at error level.
    const told = lines.find((line) => line.level === ERROR && line.stage === 'normalizer' && line.err === crash.message);
    expect(told).toMatchObject({ errorClass: crash.errorClass, restarting: true });
    expect(told!.msg).toBe(`normalizer crashed: ${crash.errorClass}: ${crash.message}; restarting`);
    // kafkajs' own crash line stays at error level, whatever the cause.
    expect(lines.some((line) => line.level === ERROR && line.msg.startsWith('Crash: ') && line.groupId === config.normalizer.groupId)).toBe(true);

    // …and the consumer comes back: records produced after the restart are normalised.
    const before = await recordsIn();
    await produceRaw(kafka, pipeline.rawCodecs, generate({ seed: 14, count: 200, kinds: ['health-declaration'], invalid: 0, duplicates: 0, contentId: deploymentContentId() }));
    await expect.poll(recordsIn, { timeout: 90_000, interval: 250 }).toBeGreaterThan(before);
    console.info(`crash ${crashedAfterMs} ms after the broker went away, consuming again ${Date.now() - killedAt} ms after: ${told!.msg}`);
  }, 420_000);
});
