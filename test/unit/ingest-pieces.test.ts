import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../connectors/http-ingest/rate-limiter.ts';
import { MalformedBodyError, bodyFormat, parseBody } from '../../connectors/http-ingest/request-body.ts';
import { AccessFileError, AccessPolicy, bearerKey, generateKey, hashKey } from '../../services/platform/access.ts';

describe('ingest request bodies', () => {
  it('recognises JSON and NDJSON content types, with parameters', () => {
    expect(bodyFormat('application/json; charset=utf-8')).toBe('json');
    expect(bodyFormat('application/x-ndjson')).toBe('ndjson');
    expect(bodyFormat('text/csv')).toBeNull();
    expect(bodyFormat(undefined)).toBeNull();
  });

  it('reads one object, an array, or NDJSON lines', () => {
    expect(parseBody(Buffer.from('{"a":1}'), 'json')).toEqual([{ value: { a: 1 } }]);
    expect(parseBody(Buffer.from('[{"a":1},{"a":2}]'), 'json')).toEqual([{ value: { a: 1 } }, { value: { a: 2 } }]);
    expect(parseBody(Buffer.from('{"a":1}\n\n{"a":2}\r\n'), 'ndjson')).toEqual([{ value: { a: 1 } }, { value: { a: 2 } }]);
  });

  it('refuses a malformed JSON body whole, but only the bad line of NDJSON', () => {
    expect(() => parseBody(Buffer.from('{"a":'), 'json')).toThrow(MalformedBodyError);
    const records = parseBody(Buffer.from('{"a":1}\n{"a":\n{"a":3}'), 'ndjson');
    expect(records).toHaveLength(3);
    expect(records[1]!.error).toMatch(/line is not valid JSON/);
    expect(records[2]).toEqual({ value: { a: 3 } });
  });
});

describe('rate limiter', () => {
  it('allows bursts up to the bucket, then asks to wait for the refill', () => {
    let now = 0;
    const limiter = new RateLimiter(100, 200, () => now);
    expect(limiter.take('vhd', 150)).toBe(0);
    expect(limiter.take('vhd', 100)).toBe(1); // 50 left, 50 missing at 100/s
    expect(limiter.take('ncovi', 200)).toBe(0); // buckets are per source
    now += 1_000;
    expect(limiter.take('vhd', 150)).toBe(0); // 50 + 100 refilled
    expect(limiter.take('vhd', 201)).toBe(3);
  });
});

describe('access policy', () => {
  const vhdKey = generateKey();
  const operatorKey = generateKey();
  const policy = new AccessPolicy({ sources: { vhd: [hashKey(vhdKey)] }, operators: [hashKey(operatorKey)] });

  it('identifies sources and operators by their key, and nobody else', () => {
    expect(policy.identify(vhdKey)).toEqual({ type: 'source', source: 'vhd' });
    expect(policy.identify(operatorKey)).toEqual({ type: 'operator' });
    expect(policy.identify(generateKey())).toBeNull();
  });

  it('reads bearer headers', () => {
    expect(bearerKey('Bearer abc')).toBe('abc');
    expect(bearerKey('bearer abc ')).toBe('abc');
    expect(bearerKey('Basic abc')).toBeNull();
    expect(bearerKey(undefined)).toBeNull();
  });

  it('refuses an access file with unknown sources, plain keys or repeated hashes, naming the place', () => {
    expect(() => new AccessPolicy({ sources: { nope: [] } })).toThrow(/sources\.nope is not a source/);
    expect(() => new AccessPolicy({ sources: { vhd: ['secret'] } })).toThrow(/sources\.vhd\[0\] must be "sha256:"/);
    expect(() => new AccessPolicy({ operators: [hashKey('x'), hashKey('x')] })).toThrow(AccessFileError);
  });
});
