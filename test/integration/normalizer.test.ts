import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKPOINTS, generate, type GeneratedItem } from '../../services/generator/index.ts';
import { canonicalTopic, KINDS, type Kind } from '../../services/platform/catalog.ts';
import { createLogger } from '../../services/platform/logger.ts';
import { preparePipeline, type Pipeline } from '../../services/platform/pipeline-bootstrap.ts';
import { HEADER, headerString } from '../../services/platform/record-headers.ts';
import { startNormalizer, type RunningNormalizer } from '../../services/normalizer/normalizer.ts';
import { DLQ_NORMALIZER_TOPIC } from '../../services/platform/topics.ts';
import { readTopicToEnd, testConfig, testKafka, type TopicMessage } from '../support/kafka.ts';
import { produceRaw } from '../support/raw-producer.ts';

const logger = createLogger('test', 'silent');

type Found = Map<string, TopicMessage[]>;

/** Reads `topic` (the messages of the wanted event ids, by event id) until `complete` or the time is up. */
async function readEvents(
  kafka: ReturnType<typeof testKafka>,
  topic: string,
  wanted: Set<string>,
  complete: (found: Found) => boolean = (found) => found.size >= wanted.size,
  timeoutMs = 90_000,
): Promise<Found> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found: Found = new Map();
    for (const message of await readTopicToEnd(kafka, topic, (m) => wanted.has(headerString(m.headers, HEADER.eventId)!))) {
      const id = headerString(message.message.headers, HEADER.eventId)!;
      found.set(id, [...(found.get(id) ?? []), message]);
    }
    if (complete(found) || Date.now() > deadline) return found;
    await sleep(1_000);
  }
}

const errorClassOf = (defect: string) => defect.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase());

describe('normalizer', () => {
  const config = testConfig();
  const kafka = testKafka(config);
  let pipeline: Pipeline;
  let normalizer: RunningNormalizer;

  beforeAll(async () => {
    pipeline = await preparePipeline(config, kafka, logger);
    normalizer = await startNormalizer({ config, logger });
  });
  afterAll(async () => {
    await normalizer?.close();
  });

  it('turns a mixed stream of every source and kind into exactly the expected canonical records', async () => {
    const seed = randomInt(2 ** 32 - 1);
    // The whole checkpoint registry goes first, so passages find their checkpoints (as the
    // generator's truth assumes). Registry rows cycle through the generator's CHECKPOINTS.
    const registry = generate({ seed, counts: { 'checkpoint-ops/checkpoint': CHECKPOINTS.length }, invalid: 0, duplicates: 0 });
    await produceRaw(kafka, pipeline.rawCodecs, registry);
    await expect
      .poll(() => CHECKPOINTS.every((c) => normalizer.checkpoints.get(c.code)?.name === c.name), { timeout: 60_000, interval: 250 })
      .toBe(true);
    // Rows carry no id of their own: their event id is a hash of their content, so an unchanged row
    // sent again (here: by an earlier run on the same Kafka) is recognised, and written at most once.
    const registryIds = new Set(registry.map((item) => item.eventId!));
    const registryOnTopic = await readTopicToEnd(kafka, canonicalTopic('checkpoint'), (m) => registryIds.has(headerString(m.headers, HEADER.eventId)!));
    expect(new Set(registryOnTopic.map((m) => headerString(m.message.headers, HEADER.eventId))).size).toBe(registryOnTopic.length);

    const items = generate({
      seed: seed + 1,
      count: 3_000,
      kinds: KINDS.filter((kind) => kind !== 'checkpoint'),
      invalid: 0.08,
      duplicates: 0.1,
      flagged: 0.05,
    }).filter((item) => item.label.valid || item.label.stage === 'normalizer');
    await produceRaw(kafka, pipeline.rawCodecs, items);

    // A declaration and its copies through other apps reach the normalizer through different raw
    // topics, in no fixed order: whichever comes first is emitted, the others dropped. Exactly one
    // of each group.
    const groups = new Map<string, GeneratedItem[]>();
    for (const item of items) {
      const original = item.duplicateOf ? `${item.duplicateOf.source}:${item.duplicateOf.sourceRecordId}` : `${item.source}:${item.sourceRecordId}`;
      groups.set(original, [...(groups.get(original) ?? []), item]);
    }
    const pairs = [...groups.values()].filter((group) => group.length > 1);
    const paired = new Set(pairs.flatMap((pair) => pair.map((item) => item.eventId)));
    const singles = items.filter((item) => item.truth && !paired.has(item.eventId));
    const defects = items.filter((item) => !item.label.valid);
    expect(singles.length).toBeGreaterThan(1_500);
    expect(pairs.length).toBeGreaterThan(50);
    expect(defects.length).toBeGreaterThan(50);

    for (const kind of KINDS.filter((k) => k !== 'checkpoint')) {
      const ofKind = singles.filter((item) => item.kind === kind);
      const pairsOfKind = pairs.filter((group) => group[0]!.kind === kind);
      const wanted = new Set([...ofKind, ...pairsOfKind.flat()].map((item) => item.eventId!));
      const emitted = await readEvents(kafka, canonicalTopic(kind as Kind), wanted, (found) =>
        ofKind.every((item) => found.has(item.eventId!)) && pairsOfKind.every((pair) => pair.some((item) => found.has(item.eventId!))),
      );
      for (const pair of pairsOfKind) {
        const present = pair.filter((item) => emitted.has(item.eventId!));
        expect(present.map((item) => item.source), `${kind} pair ${pair.map((i) => i.eventId).join(' / ')}`).toHaveLength(1);
        ofKind.push(present[0]!);
      }
      for (const item of ofKind) {
        const messages = emitted.get(item.eventId!);
        expect(messages, `${kind} ${item.source} ${item.eventId}`).toHaveLength(1);
        const record = await pipeline.serde.decode(messages![0]!.message.value!);
        expect(record).toMatchObject({ ...(item.truth as object), event_id: item.eventId });
      }
    }

    const dead = await readEvents(kafka, DLQ_NORMALIZER_TOPIC, new Set(defects.map((item) => item.eventId!)));
    for (const item of defects) {
      const messages = dead.get(item.eventId!);
      expect(messages, `dead letter of ${item.source}/${item.kind} ${item.label.valid ? '' : item.label.defect}`).toHaveLength(1);
      const headers = messages![0]!.message.headers;
      if (!item.label.valid) expect(headerString(headers, HEADER.dlqErrorClass)).toBe(errorClassOf(item.label.defect));
      expect(headerString(headers, HEADER.dlqStage)).toBe('normalizer');
      expect(headerString(headers, HEADER.dlqSource)).toBe(item.source);
      expect(headerString(headers, HEADER.dlqTopic)).toMatch(/^raw\./);
      expect(headerString(headers, HEADER.dlqOffset)).toMatch(/^\d+$/);
      expect(headerString(headers, HEADER.dlqReason)).toBeTruthy();
    }
  }, 300_000);
});
