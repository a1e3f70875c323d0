import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson, createContentId, eventId, uuidV5 } from '../../services/platform/event-id.ts';

describe('event ids', () => {
  it('computes RFC 9562 UUIDv5 (the RFC example: DNS namespace, www.example.com)', () => {
    expect(uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('gives one source record one id, and different records different ids', () => {
    const id = eventId('vhd', 'health-declaration', 'TK-1');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(eventId('vhd', 'health-declaration', 'TK-1')).toBe(id);
    expect(eventId('ncovi', 'health-declaration', 'TK-1')).not.toBe(id);
    expect(eventId('vhd', 'movement-declaration', 'TK-1')).not.toBe(id);
    expect(eventId('vhd', 'health-declaration', 'TK-2')).not.toBe(id);
  });

  it('keys content ids with the secret, independently of key order', () => {
    expect(canonicalJson({ b: 1, a: [{ d: null, c: 'x' }] })).toBe('{"a":[{"c":"x","d":null}],"b":1}');
    const contentId = createContentId('unit-test-secret-0123456789abcdefghijkl');
    expect(contentId({ a: 1, b: 2 })).toMatch(/^[0-9a-f]{64}$/);
    expect(contentId({ a: 1, b: 2 })).toBe(contentId({ b: 2, a: 1 }));
    expect(contentId({ a: 1, b: 2 })).not.toBe(contentId({ a: 1, b: 3 }));
    expect(createContentId('another-secret-0123456789abcdefghijklmn')({ a: 1, b: 2 })).not.toBe(contentId({ a: 1, b: 2 }));
    // Not the plain hash it replaced.
    expect(contentId({ a: 1, b: 2 })).not.toBe(createHash('sha256').update('{"a":1,"b":2}').digest('hex'));
  });
});
