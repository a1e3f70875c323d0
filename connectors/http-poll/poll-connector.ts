/**
 * The HTTP polling connector: pages through a feed of the hotline-1022 contract (README.md here)
 * whose items are records of one (source, kind), and hands each page to the runner as one batch, whose offset is the page's `next_cursor`. The cursor advances only when the
 * page's records and the cursor are committed together, so a restart asks for the page after the
 * last committed one: none skipped, none repeated. An empty page means caught up: the runner waits
 * `intervalMs` before asking again. A failed request throws; the runner backs off and retries it.
 */
import type { OffsetChanges, SourceBatch, SourceConnector, SourceOffset } from '../runtime/source-connector.ts';
import { fetchPage } from './feed-client.ts';

/** The feed has one cursor: one source partition. */
export const FEED_PARTITION = 'feed';

export interface PollConnectorOptions {
  url: string;
  /** Bearer token Truc presents to the feed, if it needs one. */
  token: string | null;
  intervalMs: number;
  pageSize: number;
  timeoutMs: number;
  /** The raw topic of the feed's (source, kind). */
  topic: string;
}

export interface FeedOffset extends SourceOffset {
  cursor: string;
}

export class PollConnector implements SourceConnector {
  readonly type = 'http-poll';
  readonly idleMs: number;
  private readonly config: PollConnectorOptions;
  /** The committed cursor; null before the first page is committed. */
  private cursor: string | null = null;
  private pagesCommitted = 0;

  constructor(config: PollConnectorOptions) {
    this.config = config;
    this.idleMs = config.intervalMs;
  }

  async start(offsets: ReadonlyMap<string, SourceOffset>): Promise<void> {
    this.cursor = (offsets.get(FEED_PARTITION) as FeedOffset | undefined)?.cursor ?? null;
  }

  async poll(signal: AbortSignal): Promise<SourceBatch | null> {
    const { url, token, pageSize, timeoutMs } = this.config;
    const since = this.cursor;
    const page = await fetchPage({ url, token, since, limit: pageSize, timeoutMs, signal });
    if (page.nextCursor === null) return null;
    const offset: FeedOffset = { cursor: page.nextCursor };
    return {
      records: page.items.map((item, index) => ({
        topic: this.config.topic,
        parsed: { ok: true, value: item },
        position: `since=${since ?? ''}#${index}`,
        // The item as the feed sent it, re-serialised (JSON.parse kept no bytes of it).
        raw: Buffer.from(JSON.stringify(item)),
      })),
      offsets: () => new Map([[FEED_PARTITION, offset]]),
    };
  }

  committed(offsets: OffsetChanges): void {
    const offset = offsets.get(FEED_PARTITION) as FeedOffset | undefined;
    if (offset) {
      this.cursor = offset.cursor;
      this.pagesCommitted += 1;
    }
  }

  async stop(): Promise<void> {}

  details(): Record<string, unknown> {
    const feed = new URL(this.config.url);
    return { feed: `${feed.origin}${feed.pathname}`, cursor: this.cursor, pagesCommitted: this.pagesCommitted };
  }
}
