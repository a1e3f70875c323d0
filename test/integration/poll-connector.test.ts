import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPullConnectors, type PullConnectors } from '../../connectors/main.ts';
import { createAvroSerde } from '../../services/platform/avro-serde.ts';
import { loadConfig } from '../../services/platform/config.ts';
import { createLogger } from '../../services/platform/logger.ts';
import { HEADER, headerString } from '../../services/platform/record-headers.ts';
import { hotlineItem, startHotlineFeed, type HotlineFeed } from '../support/hotline-feed.ts';
import { readTopicUntil, testKafka, uniqueName } from '../support/kafka.ts';
import { waitFor } from '../support/wait-for.ts';

const PAGE = 100;
const TOKEN = 'feed-token-for-tests';

describe('polling connector against a feed that fails for a while', () => {
  const name = uniqueName('test-poll');
  const tag = name.toUpperCase();
  const kafka = testKafka();
  const serde = createAvroSerde(loadConfig().schemaRegistry);
  let feed: HotlineFeed;
  let dropDir: string;
  let running: PullConnectors;

  const connector = () => running.connectors.find((c) => c.name === name)!;
  const caughtUpAt = (items: number) => () => feed.requests.some((request) => request.since === feed.cursorOf(items));

  /** The tickets on the topic once `count` are visible (and any repeat committed before them). */
  async function publishedTickets(count: number): Promise<string[]> {
    const messages = await readTopicUntil(kafka, 'raw.hotline-1022.citizen-report', count, {
      keep: (message) => headerString(message.headers, HEADER.connector) === name,
    });
    return Promise.all(messages.map(async ({ message }) => String((await serde.decode(message.value!)).ticketId)));
  }

  beforeAll(async () => {
    feed = await startHotlineFeed(tag, 1000);
    dropDir = await mkdtemp(path.join(tmpdir(), 'truc-poll-'));
    // Outages: the first three requests get 500s; the request for item 300 times out twice; the one
    // for item 600 gets a body of another shape, then one that is not JSON.
    const failures = new Map<string, ('hang' | 'malformed-body' | 'not-json')[]>([
      [feed.cursorOf(300), ['hang', 'hang']],
      [feed.cursorOf(600), ['malformed-body', 'not-json']],
    ]);
    feed.fault = (request, index) => {
      if (index < 3) return 'http-500';
      return (request.since !== null && failures.get(request.since)?.shift()) || null;
    };
    const config = loadConfig({
      ...process.env,
      FILE_CONNECTOR_DIR: dropDir,
      FILE_CONNECTOR_NAME: `${name}-files`,
      CONNECT_CONFIG_TOPIC: `test-connect-configs-${name}`,
      POLL_CONNECTOR_URL: feed.url,
      POLL_CONNECTOR_TOKEN: TOKEN,
      POLL_CONNECTOR_NAME: name,
      POLL_CONNECTOR_PAGE_SIZE: String(PAGE),
      POLL_CONNECTOR_INTERVAL_MS: '100',
      POLL_CONNECTOR_TIMEOUT_MS: '300',
    });
    running = await startPullConnectors(config, createLogger('test', 'silent'));
  });

  afterAll(async () => {
    await running?.close();
    await feed?.close();
    await rm(dropDir, { recursive: true, force: true });
  });

  it('backs off through 500s, timeouts and malformed answers, then delivers every item once', async () => {
    await waitFor(() => feed.requests.length >= 2, 'a retried request');
    expect(connector().status()).toMatchObject({ state: 'FAILED', lastError: { message: 'the feed answered HTTP 500' } });
    await waitFor(caughtUpAt(1000), 'the connector to catch up');

    const tickets = await publishedTickets(1000);
    expect(tickets).toHaveLength(1000);
    expect(new Set(tickets).size).toBe(1000);

    const status = connector().status();
    expect(status).toMatchObject({ type: 'http-poll', state: 'RUNNING', records: 1000, rejected: 0, errors: 7 });
    expect(status.details).toMatchObject({ feed: feed.url, cursor: feed.cursorOf(1000) });
    expect(feed.requests.every((request) => request.authorization === `Bearer ${TOKEN}` && request.limit === PAGE)).toBe(true);

    // The three 500s in a row: the same request retried after growing waits (250, 500, 1000 ms).
    const [first, second, third, fourth] = feed.requests;
    expect([first, second, third, fourth].map((request) => request!.since)).toEqual([null, null, null, null]);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(240);
    expect(third!.at - second!.at).toBeGreaterThanOrEqual(490);
    expect(fourth!.at - third!.at).toBeGreaterThanOrEqual(990);
  });

  it('asks again after the interval when caught up, and picks up items added since', async () => {
    const askedWhenCaughtUp = feed.requests.filter((request) => request.since === feed.cursorOf(1000)).length;
    await sleep(350);
    expect(feed.requests.filter((request) => request.since === feed.cursorOf(1000)).length).toBeGreaterThan(askedWhenCaughtUp);

    feed.total = 1150;
    await waitFor(caughtUpAt(1150), 'the new items');
    const tickets = await publishedTickets(1150);
    expect(tickets).toHaveLength(1150);
    expect(new Set(tickets).size).toBe(1150);
    expect(tickets).toEqual(expect.arrayContaining([String(hotlineItem(tag, 1149, false).ticketId)]));
  });

  it('restarts from the committed cursor without repeating a page', async () => {
    const before = feed.requests.length;
    await connector().restart();
    await waitFor(() => feed.requests.length > before, 'a request after the restart');
    expect(feed.requests[before]!.since).toBe(feed.cursorOf(1150));
    expect(await publishedTickets(1150)).toHaveLength(1150);
  });
});
