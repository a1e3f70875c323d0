/**
 * A stand-in for a hotline-1022 feed (the polling contract of connectors/http-poll/README.md):
 * `GET /feed?since=<cursor>&limit=<n>` pages through `total` deterministic citizen reports. The
 * cursor is opaque to the client (base64 of the next item's index). A test may make any request
 * fail (`fault`) and may append items (`total`) while it runs.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault = 'http-500' | 'hang' | 'malformed-body' | 'not-json';

export interface FeedRequest {
  since: string | null;
  limit: number;
  authorization: string | undefined;
  /** When the request arrived (epoch ms). */
  at: number;
}

export interface HotlineFeed {
  url: string;
  /** Items the feed holds; may grow. */
  total: number;
  requests: FeedRequest[];
  /** Decides, per request, whether it fails and how. */
  fault: (request: FeedRequest, index: number) => Fault | null;
  cursorOf(index: number): string;
  close(): Promise<void>;
}

export function ticketId(tag: string, index: number): string {
  return `${tag}-${String(index).padStart(6, '0')}`;
}

export function indexOfTicket(id: string): number {
  return Number(id.slice(id.lastIndexOf('-') + 1));
}

/** Item `index` of the feed; `malformed` items lack the required `content`. */
export function hotlineItem(tag: string, index: number, malformed: boolean): Record<string, unknown> {
  const item: Record<string, unknown> = {
    ticketId: ticketId(tag, index),
    cityCode: '79',
    channel: index % 3 === 0 ? 'WEB' : 'CALL',
    categoryCode: 'YT-03',
    categoryName: 'Phản ánh vi phạm cách ly',
    content: `Người dân phản ánh hộ F1 số ${index} ra khỏi nhà nhiều lần.`,
    district: 'Quận Gò Vấp',
    reporter: index % 2 === 0 ? null : { name: 'Chị Thu', phone: '0903 123 456', email: null },
    createdTime: '14/08/2021 21:07:44',
  };
  if (malformed) delete item.content;
  return item;
}

const encodeCursor = (index: number) => Buffer.from(`item:${index}`).toString('base64url');
const decodeCursor = (cursor: string) => Number(Buffer.from(cursor, 'base64url').toString().slice('item:'.length));

/** `item` makes the feed's items: hotline-1022 citizen reports unless another (source, kind) is fed. */
export async function startHotlineFeed(
  tag: string,
  total: number,
  malformed: ReadonlySet<number> = new Set(),
  item: (tag: string, index: number, malformed: boolean) => Record<string, unknown> = hotlineItem,
): Promise<HotlineFeed> {
  const hanging = new Set<ServerResponse>();
  const feed: HotlineFeed = {
    url: '',
    total,
    requests: [],
    fault: () => null,
    cursorOf: encodeCursor,
    close: () =>
      new Promise<void>((resolve) => {
        for (const response of hanging) response.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const query = new URL(request.url ?? '/', 'http://feed').searchParams;
    const feedRequest: FeedRequest = {
      since: query.get('since'),
      limit: Number(query.get('limit')),
      authorization: request.headers.authorization,
      at: Date.now(),
    };
    feed.requests.push(feedRequest);
    const fault = feed.fault(feedRequest, feed.requests.length - 1);
    if (fault === 'hang') {
      hanging.add(response);
      response.once('close', () => hanging.delete(response));
      return;
    }
    if (fault === 'http-500') {
      response.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"database unavailable"}');
      return;
    }
    const json = (body: unknown) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (fault === 'malformed-body') return json({ records: [] });
    if (fault === 'not-json') {
      response.writeHead(200, { 'content-type': 'application/json' }).end('<html>maintenance</html>');
      return;
    }
    const from = feedRequest.since === null ? 0 : decodeCursor(feedRequest.since);
    const to = Math.min(feed.total, from + feedRequest.limit);
    const items = [];
    for (let index = from; index < to; index += 1) items.push(item(tag, index, malformed.has(index)));
    json({ items, next_cursor: encodeCursor(to) });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  feed.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/feed`;
  return feed;
}
