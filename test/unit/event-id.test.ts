import { describe, expect, it } from 'vitest';
import { canonicalJson, contentHash, eventId, uuidV5 } from '../../services/platform/event-id.ts';

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

  it('hashes content independently of key order', () => {
    expect(canonicalJson({ b: 1, a: [{ d: null, c: 'x' }] })).toBe('{"a":[{"c":"x","d":null}],"b":1}');
    expect(contentHash({ a: 1, b: 2 })).toBe(contentHash({ b: 2, a: 1 }));
    expect(contentHash({ a: 1, b: 2 })).not.toBe(contentHash({ a: 1, b: 3 }));
  });
});
