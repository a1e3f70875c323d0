import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KafkaMessage } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAvroSerde } from '../../services/platform/avro-serde.ts';
import { loadConfig } from '../../services/platform/config.ts';
import { HEADER, headerString } from '../../services/platform/record-headers.ts';
import { killAll, startConnectorProcess, type ConnectorProcess, type LogLine } from '../support/connector-process.ts';
import { indexOfTicket, startHotlineFeed, type HotlineFeed } from '../support/hotline-feed.ts';
import { readTopicUntil, testKafka, uniqueName } from '../support/kafka.ts';

const ITEMS = 3000;
const PAGE = 50;
const MALFORMED = new Set([10, 1234, 2999]);

describe('polling connector killed with SIGKILL mid-stream', () => {
  const name = uniqueName('test-poll-crash');
  const tag = name.toUpperCase();
  const kafka = testKafka();
  const serde = createAvroSerde(loadConfig().schemaRegistry);
  let feed: HotlineFeed;
  let dropDir: string;

  const start = (): ConnectorProcess =>
    startConnectorProcess({
      FILE_CONNECTOR_DIR: dropDir,
      FILE_CONNECTOR_NAME: `${name}-files`,
      CONNECT_CONFIG_TOPIC: `test-connect-configs-${name}`,
      POLL_CONNECTOR_URL: feed.url,
      POLL_CONNECTOR_NAME: name,
      POLL_CONNECTOR_PAGE_SIZE: String(PAGE),
      POLL_CONNECTOR_INTERVAL_MS: '100',
      LOG_LEVEL: 'debug',
    });
  const committedAtLeast = (records: number) => (line: LogLine) =>
    line.msg === 'batch committed' && line.connector === name && Number(line.total) >= records;

  async function kill(run: ConnectorProcess): Promise<void> {
    run.child.kill('SIGKILL');
    expect(await run.exited).toBeNull();
  }

  async function caughtUp(): Promise<void> {
    const end = feed.cursorOf(ITEMS);
    while (!feed.requests.some((request) => request.since === end)) await sleep(50);
  }

  beforeAll(async () => {
    feed = await startHotlineFeed(tag, ITEMS, MALFORMED);
    dropDir = await mkdtemp(path.join(tmpdir(), 'truc-poll-crash-'));
  });

  afterAll(async () => {
    await killAll();
    await feed?.close();
    await rm(dropDir, { recursive: true, force: true });
  });

  it('resumes from the last committed cursor after each kill: every item exactly once, in page order', async () => {
    let run = start();
    await run.waitForLog(committedAtLeast(500));
    await kill(run);

    run = start();
    await run.waitForLog(committedAtLeast(700));
    await sleep(5);
    await kill(run);

    run = start();
    await run.waitForLog(committedAtLeast(300));
    await sleep(20);
    await kill(run);

    run = start();
    await caughtUp();
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);

    const keep = { keep: (message: KafkaMessage) => headerString(message.headers, HEADER.connector) === name };
    const published = await readTopicUntil(kafka, 'raw.hotline-1022.citizen-report', ITEMS - MALFORMED.size, keep);
    const tickets = await Promise.all(published.map(async ({ partition, message }) => ({ partition, id: String((await serde.decode(message.value!)).ticketId) })));
    const counts = new Map<string, number>();
    for (const { id } of tickets) counts.set(id, (counts.get(id) ?? 0) + 1);
    expect(counts.size).toBe(ITEMS - MALFORMED.size);
    expect([...counts.values()].every((count) => count === 1)).toBe(true);
    for (const { id } of tickets) expect(MALFORMED.has(indexOfTicket(id))).toBe(false);

    // Within each Kafka partition, items are in the feed's order.
    const byPartition = new Map([...Map.groupBy(tickets, (ticket) => ticket.partition)].map(([partition, group]) => [partition, group.map((ticket) => indexOfTicket(ticket.id))]));
    for (const indexes of byPartition.values()) expect(indexes).toEqual([...indexes].sort((a, b) => a - b));

    // Each malformed item once, with the cursor of its page and its index in the page as position.
    const deadLetters = (await readTopicUntil(kafka, 'dlq.ingest', MALFORMED.size, keep)).map(({ message }) => headerString(message.headers, HEADER.dlqPosition));
    const positionOf = (index: number) => {
      const pageStart = index - (index % PAGE);
      return `since=${pageStart === 0 ? '' : feed.cursorOf(pageStart)}#${index % PAGE}`;
    };
    expect(deadLetters.sort()).toEqual([...MALFORMED].map(positionOf).sort());
  }, 120_000);
});
