import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomInt } from 'node:crypto';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import avro from 'avsc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKPOINTS, generate, type GeneratedItem } from '../../services/generator/index.ts';
import { canonicalTopic, KINDS, rawSchema, rawTopic, sourceKinds, type Kind } from '../../services/platform/catalog.ts';
import { canonicalJson, createContentId, eventId } from '../../services/platform/event-id.ts';
import { consumerGroupLag } from '../../services/platform/consumer-lag.ts';
import { REPO_ROOT } from '../../services/platform/config.ts';
import { createLogger } from '../../services/platform/logger.ts';
import { preparePipeline, type Pipeline } from '../../services/platform/pipeline-bootstrap.ts';
import { HEADER, headerString } from '../../services/platform/record-headers.ts';
import { mapRecord, partitionKey } from '../../services/normalizer/mapping/index.ts';
import { startNormalizer, type RunningNormalizer } from '../../services/normalizer/normalizer.ts';
import { DLQ_NORMALIZER_TOPIC } from '../../services/platform/topics.ts';
import { readTopicToEnd, testConfig, testKafka, type TopicMessage } from '../support/kafka.ts';
import { expectedCanonical } from '../support/expected-canonical.ts';
import { produceRaw } from '../support/raw-producer.ts';
import { runTruc, truc } from '../support/truc-cli.ts';
import { deploymentContentId } from '../support/content-id.ts';

const logger = createLogger('test', 'silent');

type Found = Map<string, TopicMessage[]>;

/** Reads `topic` (the messages of the wanted event ids, by event id) until `complete` or the time is up. */
async function readEvents(
  kafka: ReturnType<typeof testKafka>,
  topic: string,
  wanted: Set<string>,
  complete: (found: Found) => boolean = (found) => found.size >= wanted.size,
  timeoutMs = 180_000,
): Promise<Found> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const messages = await readTopicToEnd(kafka, topic, (m) => wanted.has(headerString(m.headers, HEADER.eventId)!));
    const found: Found = Map.groupBy(messages, (message) => headerString(message.message.headers, HEADER.eventId)!);
    if (complete(found) || Date.now() > deadline) return found;
    await sleep(1_000);
  }
}

const errorClassOf = (defect: string) => defect.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase());

/**
 * Checks the canonical topics and the dead letters against the generator's labels: every valid
 * record exactly once and equal to its truth, one record of each group of cross-source copies,
 * every defective record dead-lettered once with its error class.
 */
async function expectNormalized(kafka: ReturnType<typeof testKafka>, pipeline: Pipeline, items: GeneratedItem[], options = { minimum: 1_500 }): Promise<void> {
  // A declaration and its copies through other apps reach the normalizer through different raw
  // topics, in no fixed order: whichever comes first is emitted, the others dropped.
  const { singles, groups: pairs, defects } = expectedCanonical(items);
  expect(singles.length).toBeGreaterThan(options.minimum);
  expect(pairs.length).toBeGreaterThan(50);
  expect(defects.length).toBeGreaterThan(50);

  const problems: string[] = [];
  for (const kind of KINDS.filter((k) => k !== 'checkpoint')) {
    const ofKind = singles.filter((item) => item.kind === kind);
    const pairsOfKind = pairs.filter((group) => group[0]!.kind === kind);
    const wanted = new Set([...ofKind, ...pairsOfKind.flat()].map((item) => item.eventId!));
    const emitted = await readEvents(kafka, canonicalTopic(kind as Kind), wanted, (found) =>
      ofKind.every((item) => found.has(item.eventId!)) && pairsOfKind.every((pair) => pair.some((item) => found.has(item.eventId!))),
    );
    for (const pair of pairsOfKind) {
      const present = pair.filter((item) => emitted.has(item.eventId!));
      if (present.length !== 1) problems.push(`${kind}: ${present.length} of a group of ${pair.length} copies (${pair.map((i) => `${i.source} ${i.eventId}`).join(', ')})`);
      else ofKind.push(present[0]!);
    }
    for (const item of ofKind) {
      const messages = emitted.get(item.eventId!) ?? [];
      if (messages.length !== 1) {
        problems.push(`${kind}: ${messages.length} records for ${item.source} ${item.eventId}`);
        continue;
      }
      const record = await pipeline.serde.decode(messages[0]!.message.value!);
      expect(record).toMatchObject({ ...(item.truth as object), event_id: item.eventId });
    }
  }
  expect(problems.slice(0, 10), `${problems.length} problems`).toEqual([]);

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
}

describe('normalizer', () => {
  const config = testConfig();
  // One generation for the whole file, cut into the tests' slices: record ids are unique within a
  // generation (several would repeat some sources' sequence numbers, hence event ids).
  const seed = randomInt(2 ** 32 - 1);
  const stream = generate({ seed: seed + 1, count: 66_000, kinds: KINDS.filter((kind) => kind !== 'checkpoint'), invalid: 0.05, duplicates: 0.1, flagged: 0.05, contentId: deploymentContentId() })
    .filter((item) => item.label.valid || item.label.stage === 'normalizer');
  const slice = (from: number, to: number) => keepGroups(stream, from, to);
  const kafka = testKafka(config);
  let pipeline: Pipeline;
  let normalizer: RunningNormalizer;

  beforeAll(async () => {
    pipeline = await preparePipeline(config, kafka, logger, partitionKey);
    normalizer = await startNormalizer({ config, logger });
  });
  afterAll(async () => {
    await normalizer?.close();
  });

  it('turns a mixed stream of every source and kind into exactly the expected canonical records', async () => {
    // The whole checkpoint registry goes first, so passages find their checkpoints (as the
    // generator's truth assumes). Registry rows cycle through the generator's CHECKPOINTS.
    const registry = generate({ seed, counts: { 'checkpoint-ops/checkpoint': CHECKPOINTS.length }, invalid: 0, duplicates: 0, contentId: deploymentContentId() });
    await produceRaw(kafka, pipeline.rawCodecs, registry);
    await expect
      .poll(() => CHECKPOINTS.every((c) => normalizer.checkpoints.get(c.code)?.name === c.name), { timeout: 60_000, interval: 250 })
      .toBe(true);
    // Rows carry no id of their own: their event id is a keyed hash of their content, so an unchanged row
    // sent again (here: by an earlier run on the same Kafka) is recognised, and written at most once.
    const registryIds = new Set(registry.map((item) => item.eventId!));
    const registryOnTopic = await readTopicToEnd(kafka, canonicalTopic('checkpoint'), (m) => registryIds.has(headerString(m.headers, HEADER.eventId)!));
    expect(new Set(registryOnTopic.map((m) => headerString(m.message.headers, HEADER.eventId))).size).toBe(registryOnTopic.length);

    const items = slice(0, 3_000);
    await produceRaw(kafka, pipeline.rawCodecs, items);

    await expectNormalized(kafka, pipeline, items);
    // Caught up: the lag, read from the group's committed offsets, is zero for every source and kind.
    await expect
      .poll(async () => (await normalizer.metrics.lag.get()).values.map((v) => `${v.labels.source}/${v.labels.kind} ${v.value}`).sort(), { timeout: 60_000, interval: 1_000 })
      .toEqual(sourceKinds().map(({ source, kind }) => `${source}/${kind} 0`).sort());

    // The operator's view of the same dead letters.
    const defect = items.find((item) => !item.label.valid && item.label.defect === 'unknown-province')!;
    const [letter] = await readTopicToEnd(kafka, DLQ_NORMALIZER_TOPIC, (m) => headerString(m.headers, HEADER.eventId) === defect.eventId);
    const origin = `${headerString(letter!.message.headers, HEADER.dlqTopic)}/${headerString(letter!.message.headers, HEADER.dlqPartition)}@${headerString(letter!.message.headers, HEADER.dlqOffset)}`;
    const list = truc(['dlq', 'list', '--error-class', 'UnknownProvince', '--source', defect.source, '--limit', '100000']);
    expect(list.stdout).toContain(origin);
    expect(list.stdout).not.toMatch(/MalformedQrPayload/);
    const show = JSON.parse(truc(['dlq', 'show', `${letter!.partition}:${letter!.message.offset}`]).stdout);
    expect(show.headers[HEADER.eventId]).toBe(defect.eventId);
    expect(show.record).toEqual(expect.objectContaining(Object.fromEntries(Object.entries(defect.record).filter(([, v]) => typeof v === 'string'))));
    expect(truc(['dlq', 'replay', '--error-class', 'UnknownProvince', '--source', defect.source, '--dry-run']).stdout).toMatch(
      new RegExp(`would replay \\d+ to raw\\.${defect.source}\\.${defect.kind}`),
    );
  }, 300_000);

  it('keys the ids of rows that carry none: no unkeyed hash of a row anywhere, and an unchanged row sent again is dropped', async () => {
    const rows = generate({ seed: seed + 2, counts: { 'checkpoint-ops/checkpoint-passage': 40 }, invalid: 0, duplicates: 0, contentId: deploymentContentId() });
    await produceRaw(kafka, pipeline.rawCodecs, rows);
    // The same file uploaded again, unchanged.
    await produceRaw(kafka, pipeline.rawCodecs, rows);
    const ids = new Set(rows.map((row) => row.eventId!));
    expect(ids.size).toBe(rows.length);
    await expect
      .poll(async () => (await normalizer.metrics.lag.get()).values.every((v) => v.value === 0), { timeout: 60_000, interval: 1_000 })
      .toBe(true);

    const raw = await readTopicToEnd(kafka, rawTopic('checkpoint-ops', 'checkpoint-passage'), (m) => ids.has(headerString(m.headers, HEADER.eventId)!));
    expect(raw).toHaveLength(2 * rows.length);
    const canonical = await readTopicToEnd(kafka, canonicalTopic('checkpoint-passage'), (m) => ids.has(headerString(m.headers, HEADER.eventId)!));
    expect(canonical).toHaveLength(rows.length);
    const recordIds = [
      ...raw.map((m) => headerString(m.message.headers, HEADER.sourceRecordId)!),
      ...(await Promise.all(canonical.map(async (m) => (await pipeline.serde.decode<{ source_record_id: string }>(m.message.value!)).source_record_id))),
    ];
    expect(new Set(recordIds)).toEqual(new Set(rows.map((row) => row.sourceRecordId!)));

    // What the ids were before they were keyed: SHA-256 of the row (defaults filled in) as canonical
    // JSON, which anyone who guesses a row's CCCD, name and phone can recompute. None is left.
    const type = avro.Type.forSchema(rawSchema('checkpoint-ops', 'checkpoint-passage') as avro.Schema);
    const filled = rows.map((row) => type.clone(row.record, { wrapUnions: false }));
    const unkeyed = new Set(filled.map((row) => createHash('sha256').update(canonicalJson(row)).digest('hex')));
    expect(unkeyed.size).toBe(rows.length);
    expect(recordIds.filter((id) => unkeyed.has(id))).toEqual([]);
    const unkeyedEventIds = new Set([...unkeyed].map((id) => eventId('checkpoint-ops', 'checkpoint-passage', id)));
    expect(canonical.map((m) => headerString(m.message.headers, HEADER.eventId)!).filter((id) => unkeyedEventIds.has(id))).toEqual([]);
    // Nor does a key other than the deployment's make them.
    const guess = createContentId('a-guessed-secret-0123456789abcdefghijklmnop');
    expect(filled.filter((row, i) => guess(row) === rows[i]!.sourceRecordId)).toEqual([]);
  }, 120_000);

  it('gives the same result with two instances splitting the partitions', async () => {
    const second = await startNormalizer({ config, logger });
    try {
      // Wait until the second instance holds partitions and the two together hold them all.
      await expect
        .poll(() => second.status().indices.length > 0 && normalizer.status().indices.length + second.status().indices.length === config.topics.partitions, {
          timeout: 60_000,
        })
        .toBe(true);
      const items = slice(3_000, 6_000);
      await produceRaw(kafka, pipeline.rawCodecs, items);
      await expectNormalized(kafka, pipeline, items);
    } finally {
      await second.close();
    }
  }, 300_000);

  it('replays dead letters after a fix: each record emitted once, under its original event id', async () => {
    // A faulty release: valid NCOVI declarations fail to map, and VHD's health declarations come
    // out of the mapping breaking their canonical schema.
    await normalizer.close();
    const faulty = await startNormalizer({
      config,
      logger,
      mapping: (input, context) => {
        const outcome = mapRecord(input, context);
        if (!outcome.ok) return outcome;
        if (input.source === 'ncovi') return { ok: false, failure: { errorClass: 'SimulatedMappingBug', path: '', message: 'a faulty release rejected this record' } };
        if (input.source === 'vhd' && input.kind === 'health-declaration') return { ok: true, record: { ...outcome.record, declaration_type: 'NOT_A_DECLARATION_TYPE' } };
        return outcome;
      },
    });
    const items = slice(6_000, 9_000);
    const rejected = items.filter((item) => item.source === 'ncovi' && item.label.valid);
    const broken = items.filter((item) => item.source === 'vhd' && item.kind === 'health-declaration' && item.label.valid);
    expect(rejected.length).toBeGreaterThan(50);
    expect(broken.length).toBeGreaterThan(50);
    try {
      await produceRaw(kafka, pipeline.rawCodecs, items);
      const letters = await readEvents(kafka, DLQ_NORMALIZER_TOPIC, new Set([...rejected, ...broken].map((item) => item.eventId!)));
      expect(letters.size).toBe(rejected.length + broken.length);
      for (const item of broken) expect(headerString(letters.get(item.eventId!)![0]!.message.headers, HEADER.dlqErrorClass)).toBe('CanonicalSchemaViolation');
    } finally {
      await faulty.close();
    }

    // The fix is deployed; the operator replays what the bug dead-lettered, twice by mistake.
    normalizer = await startNormalizer({ config, logger });
    expect(truc(['dlq', 'replay', '--error-class', 'SimulatedMappingBug', '--source', 'ncovi']).stdout).toMatch(/replaying \d+ to raw\.ncovi\.health-declaration/);
    truc(['dlq', 'replay', '--error-class', 'SimulatedMappingBug', '--source', 'ncovi']);
    expect(truc(['dlq', 'replay', '--error-class', 'CanonicalSchemaViolation', '--source', 'vhd']).stdout).toMatch(/replaying \d+ to raw\.vhd\.health-declaration/);
    await expectNormalized(kafka, pipeline, items, { minimum: 1_000 });
    // The second replay was read too (no lag left) and added nothing: every event still appears once.
    const admin = kafka.admin();
    await admin.connect();
    try {
      const rawTopics = sourceKinds().map(({ source, kind }) => rawTopic(source, kind));
      await expect.poll(async () => [...(await consumerGroupLag(admin, config.normalizer.groupId, rawTopics)).values()].every((lag) => lag === 0), { timeout: 60_000, interval: 1_000 }).toBe(true);
    } finally {
      await admin.disconnect();
    }
    await expectNormalized(kafka, pipeline, items, { minimum: 1_000 });
  }, 300_000);

  it('loses and repeats nothing when killed with SIGKILL at random moments', async () => {
    await normalizer.close();
    const items = slice(9_000, stream.length);
    expect(items.length).toBeGreaterThanOrEqual(50_000);

    // While no normalizer runs, the operator sees the backlog grow in truc status (lag from Kafka).
    const backlog = items.slice(0, items.length / 10);
    await produceRaw(kafka, pipeline.rawCodecs, backlog);
    const status = runTruc(['status', '--api', 'http://127.0.0.1:9']);
    const lagged = [...status.stdout.matchAll(/lag (\d+)/g)].map((match) => Number(match[1]));
    expect(lagged.reduce((sum, lag) => sum + lag, 0)).toBeGreaterThanOrEqual(backlog.length);

    let child = startChild();
    let kills = 0;
    const chunks = 10;
    for (let chunk = 0; chunk < chunks; chunk++) {
      if (chunk > 0) await produceRaw(kafka, pipeline.rawCodecs, items.slice((chunk * items.length) / chunks, ((chunk + 1) * items.length) / chunks));
      if (chunk % 2 === 1 || chunk === chunks - 1) {
        // Somewhere while it starts, restores or commits: the moment is random.
        await sleep(1_000 + randomInt(3_000));
        child.kill('SIGKILL');
        await new Promise((resolve) => child.once('exit', resolve));
        kills += 1;
        child = startChild();
      }
    }
    expect(kills).toBeGreaterThanOrEqual(5);
    try {
      await expectNormalized(kafka, pipeline, items, { minimum: 40_000 });
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  }, 600_000);
});

/** Items `from` to `to` of the stream, moving copies to the slice that holds their original. */
function keepGroups(stream: GeneratedItem[], from: number, to: number): GeneratedItem[] {
  const index = new Map(stream.map((item, i) => [`${item.source}:${item.sourceRecordId}`, i]));
  const home = (i: number) => {
    const item = stream[i]!;
    return item.duplicateOf ? index.get(`${item.duplicateOf.source}:${item.duplicateOf.sourceRecordId}`)! : i;
  };
  return stream.filter((_, i) => home(i) >= from && home(i) < to);
}

function startChild(): ChildProcess {
  return spawn(process.execPath, ['--disable-warning=TimeoutNegativeWarning', path.join(REPO_ROOT, 'services/normalizer/main.ts')], {
    env: { ...process.env, NORMALIZER_METRICS_PORT: '0', LOG_LEVEL: 'error' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
