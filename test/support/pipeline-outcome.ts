/**
 * The cluster tests' verdict on a run of steadyIngest: every acknowledged record exactly once on its
 * canonical topic (read_committed), in ClickHouse (FINAL) and on the agency's topic, and at least
 * once at the webhook receiver; a record whose request was not acknowledged at most once, and one
 * nobody sent never. Waits for each store to catch up first.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kafka } from 'kafkajs';
import { expect } from 'vitest';
import { PROJECTIONS } from '../../connectors/clickhouse-sink/projection.ts';
import { canonicalTopic, type Kind } from '../../services/platform/catalog.ts';
import type { ClickHouseHandle } from '../../services/platform/clickhouse.ts';
import { HEADER, headerString } from '../../services/platform/record-headers.ts';
import { readTopicToEnd } from '../../services/platform/topic-ends.ts';
import { eventually } from './fanout.ts';
import type { SteadyIngest } from './steady-ingest.ts';

export interface PipelineOutcomeOptions {
  kafka: Kafka;
  clickhouse: ClickHouseHandle;
  agency: string;
  /** The runs of steadyIngest whose records the stores hold. */
  ingests: SteadyIngest[];
  /** Event ids the webhook receiver got so far (each batch's events, resends included). */
  atReceiver: () => Set<string>;
  /** What to print when a store does not catch up (the stages' status). */
  context?: () => string;
}

/** Checks every store; returns the event ids written per kind. */
export async function expectPipelineExactlyOnce(options: PipelineOutcomeOptions): Promise<Map<Kind, Set<string>>> {
  const { kafka, clickhouse, agency, ingests } = options;
  const unacknowledged = new Set(ingests.flatMap((ingest) => [...ingest.unacknowledged]));
  const kinds = [...new Set(ingests.flatMap((ingest) => [...ingest.accepted.keys()]))];
  const context = options.context ?? (() => '');
  /** A topic's records by event id, read_committed. */
  const eventsOn = async (topic: string) =>
    (await readTopicToEnd(kafka, topic, () => true, 120_000)).map(({ message }) => headerString(message.headers, HEADER.eventId)!);
  const count = async (sql: string) => Number((await (await clickhouse.client.query({ query: sql, format: 'JSONEachRow' })).json<{ n: string }>())[0]!.n);

  const writtenByKind = new Map<Kind, Set<string>>();
  for (const kind of kinds) {
    const accepted = new Set(ingests.flatMap((ingest) => [...(ingest.accepted.get(kind) ?? [])]));
    /** Each accepted record once; anything else once, and only if its request was not acknowledged. */
    const expectExactlyOnce = (events: string[], where: string) => {
      const ids = new Set(events);
      expect(events.length - ids.size, `${where}: records twice`).toBe(0);
      expect([...accepted].filter((id) => !ids.has(id)), `${where}: acknowledged records missing`).toEqual([]);
      expect(events.filter((id) => !accepted.has(id) && !unacknowledged.has(id)), `${where}: records nobody sent`).toEqual([]);
      return ids;
    };

    let onCanonical: string[] = [];
    await eventually(async () => {
      onCanonical = await eventsOn(canonicalTopic(kind));
      return onCanonical.length >= accepted.size;
    }, () => `${kind}: canonical has ${onCanonical.length} of ${accepted.size}; ${context()}`, 180_000);
    // Records answered 503 may still land after the acknowledged ones.
    await sleep(2_000);
    const written = expectExactlyOnce(await eventsOn(canonicalTopic(kind)), `${kind} canonical`);
    writtenByKind.set(kind, written);

    const table = `${clickhouse.database}.${PROJECTIONS[kind].table}`;
    await expect.poll(() => count(`SELECT count() AS n FROM ${table} FINAL`), { timeout: 180_000, interval: 1_000, message: `${kind} in ClickHouse` }).toBe(written.size);
    expect(await count(`SELECT uniqExact(event_id) AS n FROM ${table}`)).toBe(written.size);

    let onAgencyTopic: string[] = [];
    await eventually(async () => {
      onAgencyTopic = await eventsOn(`out.${agency}.${kind}`);
      return onAgencyTopic.length >= written.size;
    }, () => `${kind}: agency topic has ${onAgencyTopic.length} of ${written.size}; ${context()}`, 180_000);
    expect(onAgencyTopic.length - new Set(onAgencyTopic).size, `${kind} agency topic: records twice`).toBe(0);
    expect(new Set(onAgencyTopic)).toEqual(written);
  }
  const all = new Set([...writtenByKind.values()].flatMap((ids) => [...ids]));
  await eventually(() => options.atReceiver().size >= all.size, () => `webhook receiver has ${options.atReceiver().size} of ${all.size}; ${context()}`, 180_000);
  expect(options.atReceiver()).toEqual(all);
  return writtenByKind;
}
