import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../connectors/http-ingest/rate-limiter.ts';
import { BodyReader, BodyRefusal, MAX_RECORD_NESTING, bodyFormat, type BodyFormat, type BodyRecord } from '../../connectors/http-ingest/request-body.ts';
import { AccessFileError, AccessPolicy, bearerKey, generateKey, hashKey } from '../../services/platform/access.ts';

/** A whole body given at once. */
function parseBody(body: Buffer, format: BodyFormat): BodyRecord[] {
  const reader = new BodyReader(format, { maxRecords: Infinity, maxBytes: Infinity });
  reader.push(body);
  return reader.end();
}

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
    expect(() => parseBody(Buffer.from('{"a":'), 'json')).toThrow(BodyRefusal);
    const records = parseBody(Buffer.from('{"a":1}\n{"a":\n{"a":3}'), 'ndjson');
    expect(records).toHaveLength(3);
    expect(records[1]!.error).toMatch(/line is not valid JSON/);
    expect(records[2]).toEqual({ value: { a: 3 } });
  });

  /** The refusal `run` throws, or null. */
  function refusalOf(run: () => unknown): BodyRefusal | null {
    try {
      run();
      return null;
    } catch (error) {
      if (error instanceof BodyRefusal) return error;
      throw error;
    }
  }

  /** Feeds `text` in chunks of `size` bytes, as a request stream would. */
  function readInChunks(text: string, format: BodyFormat, size: number, maxRecords = 100): unknown[] {
    const reader = new BodyReader(format, { maxRecords, maxBytes: 1e9 });
    const bytes = Buffer.from(text);
    for (let i = 0; i < bytes.length; i += size) reader.push(bytes.subarray(i, i + size));
    return reader.end();
  }

  it('cuts records the same way whatever the chunks, with brackets, quotes and multi-byte letters inside strings', () => {
    const values = [{ name: 'Nguyễn "Văn" [A]', note: 'a\\"}{,]' }, { list: [1, [2, { x: '}' }]] }, 'text', 7, null];
    const json = ` \n[ ${values.map((v) => JSON.stringify(v)).join(' ,\n')} ]\n`;
    const ndjson = values.map((v) => JSON.stringify(v)).join('\r\n');
    for (const size of [1, 2, 3, 7, 1000]) {
      expect(readInChunks(json, 'json', size)).toEqual(values.map((value) => ({ value })));
      expect(readInChunks(ndjson, 'ndjson', size)).toEqual(values.map((value) => ({ value })));
    }
    expect(readInChunks('[]', 'json', 1)).toEqual([]);
  });

  it('says where a JSON body goes wrong', () => {
    expect(refusalOf(() => parseBody(Buffer.from('[{"a":1},{"a":}]'), 'json'))?.message).toMatch(/record 1 \(from byte 9\)/);
    expect(refusalOf(() => parseBody(Buffer.from('[{"a":1},,{"a":2}]'), 'json'))?.message).toMatch(/record 1 is missing \(at byte 9\)/);
    expect(refusalOf(() => parseBody(Buffer.from('[{"a":1}] x'), 'json'))?.message).toMatch(/after the closing \] at byte 10/);
    expect(refusalOf(() => parseBody(Buffer.from('[{"a":1}'), 'json'))?.message).toMatch(/not closed/);
    expect(refusalOf(() => parseBody(Buffer.from('  '), 'json'))?.code).toBe('malformed_body');
  });

  it('stops at the first record over the limit, before the rest of the body has arrived', () => {
    const reader = new BodyReader('json', { maxRecords: 3, maxBytes: 1e9 });
    reader.push(Buffer.from('[{"a":1},{"a":2},{"a":3}'));
    // The fourth record is refused as soon as it is complete; the array is not even closed.
    const refusal = refusalOf(() => reader.push(Buffer.from(',{"a":4},')));
    expect(refusal).toMatchObject({ status: 413, code: 'too_many_records' });
    expect(reader.records).toHaveLength(3);
    const lines = new BodyReader('ndjson', { maxRecords: 2, maxBytes: 1e9 });
    expect(refusalOf(() => lines.push(Buffer.from('{"a":1}\n\n{"a":2}\n{"a":3}\n{"a":4')))).toMatchObject({ status: 413, code: 'too_many_records' });
  });

  it('stops at the first byte over the body limit', () => {
    const reader = new BodyReader('json', { maxRecords: 100, maxBytes: 10 });
    reader.push(Buffer.from('[{"a":1},'));
    expect(refusalOf(() => reader.push(Buffer.from('{"a":2}]')))).toMatchObject({ status: 413, code: 'payload_too_large' });
  });

  it('refuses pathological nesting early with a 400, and in NDJSON only the deep line', () => {
    const deep = '['.repeat(100_000);
    for (const body of [deep, `[${deep}`, `{"a":${deep}`, `[{"a":1},{"b":${'{"c":'.repeat(MAX_RECORD_NESTING)}1${'}'.repeat(MAX_RECORD_NESTING)}}]`]) {
      expect(refusalOf(() => parseBody(Buffer.from(body), 'json'))).toMatchObject({ status: 400, code: 'too_deeply_nested' });
    }
    // Exactly the limit still passes; brackets inside strings do not count.
    const atLimit = `${'['.repeat(MAX_RECORD_NESTING)}${']'.repeat(MAX_RECORD_NESTING)}`;
    expect(parseBody(Buffer.from(`[${atLimit}]`), 'json')).toHaveLength(1);
    expect(parseBody(Buffer.from(JSON.stringify({ a: deep })), 'json')).toEqual([{ value: { a: deep } }]);
    const records = parseBody(Buffer.from(`{"a":1}\n${deep}\n{"a":3}\n${deep}`), 'ndjson');
    expect(records).toEqual([
      { value: { a: 1 } },
      { error: `line nests deeper than ${MAX_RECORD_NESTING} levels` },
      { value: { a: 3 } },
      { error: `line nests deeper than ${MAX_RECORD_NESTING} levels` },
    ]);
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
