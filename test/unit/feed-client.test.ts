import { describe, expect, it } from 'vitest';
import { FeedError, pageUrl, parsePage } from '../../connectors/http-poll/feed-client.ts';

describe('polled feed pages', () => {
  it('asks for the page after the cursor, keeping the feed URL\'s own parameters', () => {
    expect(pageUrl('https://feed.example/v1/tickets?city=79', 'c/1=', 50).toString()).toBe('https://feed.example/v1/tickets?city=79&since=c%2F1%3D&limit=50');
    expect(pageUrl('https://feed.example/v1/tickets', null, 50).toString()).toBe('https://feed.example/v1/tickets?limit=50');
  });

  it('takes items and the next cursor; an empty page is caught up', () => {
    expect(parsePage({ items: [{ a: 1 }], next_cursor: 'c2' }, 'c1')).toEqual({ items: [{ a: 1 }], nextCursor: 'c2' });
    expect(parsePage({ items: [], next_cursor: 'c1' }, 'c1')).toEqual({ items: [], nextCursor: null });
    expect(parsePage({ items: [] }, null)).toEqual({ items: [], nextCursor: null });
  });

  it('refuses answers of another shape instead of skipping them', () => {
    for (const body of [null, [], 'text', { records: [] }, { items: {} }, { items: [1] }, { items: [1], next_cursor: 5 }, { items: [1], next_cursor: '' }]) {
      expect(() => parsePage(body, 'c1')).toThrow(FeedError);
    }
    expect(() => parsePage({ items: [1], next_cursor: 'c1' }, 'c1')).toThrow(/did not move past "c1"/);
  });
});
