/**
 * One request to a polled feed (the hotline-1022 contract, see README.md here):
 * `GET <url>?since=<cursor>&limit=<n>` answered by `{ "items": [...], "next_cursor": "..." }`.
 * Anything else (no answer in time, a status other than 2xx, a body of another shape) is a
 * FeedError: the caller retries the same request later and never skips past it.
 */

export interface FeedRequest {
  url: string;
  token: string | null;
  /** null: the first request ever, which asks for the feed from its beginning. */
  since: string | null;
  limit: number;
  timeoutMs: number;
  signal: AbortSignal;
}

export interface FeedPage {
  items: unknown[];
  /** The cursor to ask for next; null when `items` is empty (the feed is caught up). */
  nextCursor: string | null;
}

export class FeedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FeedError';
  }
}

export function pageUrl(url: string, since: string | null, limit: number): URL {
  const target = new URL(url);
  if (since !== null) target.searchParams.set('since', since);
  target.searchParams.set('limit', String(limit));
  return target;
}

/** The body's page, or a FeedError saying what is wrong with it. */
export function parsePage(body: unknown, since: string | null): FeedPage {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new FeedError('the feed answered something other than a JSON object');
  const { items, next_cursor: nextCursor } = body as { items?: unknown; next_cursor?: unknown };
  if (!Array.isArray(items)) throw new FeedError('the feed\'s answer has no "items" array');
  if (items.length === 0) return { items, nextCursor: null };
  if (typeof nextCursor !== 'string' || nextCursor === '') throw new FeedError('the feed\'s answer has items but no "next_cursor" string');
  // Committing such a page would ask for the same items again and again.
  if (nextCursor === since) throw new FeedError(`the feed's "next_cursor" did not move past ${JSON.stringify(since)}`);
  return { items, nextCursor };
}

export async function fetchPage(request: FeedRequest): Promise<FeedPage> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (request.token !== null) headers.authorization = `Bearer ${request.token}`;
  const signal = AbortSignal.any([request.signal, AbortSignal.timeout(request.timeoutMs)]);
  let body: unknown;
  try {
    const response = await fetch(pageUrl(request.url, request.since, request.limit), { headers, signal });
    if (!response.ok) {
      await response.body?.cancel();
      throw new FeedError(`the feed answered HTTP ${response.status}`);
    }
    body = await response.json();
  } catch (error) {
    if (error instanceof FeedError) throw error;
    if ((error as Error).name === 'TimeoutError') throw new FeedError(`the feed did not answer within ${request.timeoutMs} ms`);
    if (error instanceof SyntaxError) throw new FeedError('the feed\'s answer is not JSON');
    throw new FeedError(`the feed could not be reached: ${(error as Error).message}`);
  }
  return parsePage(body, request.since);
}
