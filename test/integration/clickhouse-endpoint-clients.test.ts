/**
 * The analysts' endpoint as a faithful ClickHouse HTTP endpoint for real clients: @clickhouse/client
 * query parameters of every type come back exactly (quotes, backslashes, control characters, NULL,
 * arrays, maps, tuples), ClickHouse's native block compression (`compress=1`, `decompress=1`) with
 * checksums the engine itself writes, and HTTP compression negotiated as a server does. The JDBC
 * driver is in clickhouse-jdbc.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { ClickHouseLogLevel, TupleParam, createClient, type ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cityHash128 } from '../../services/clickhouse-endpoint/cityhash128.ts';
import { lz4FrameDecode } from '../../services/clickhouse-endpoint/lz4-frame.ts';
import { compressNativeBlocks, decompressNativeBlocks } from '../../services/clickhouse-endpoint/native-compression.ts';
import { ANALYST_USER, startAnalystEndpoint, type AnalystEndpoint } from '../support/analyst-endpoint.ts';
import { ANALYST_TABLE, createAnalystTable } from '../support/analyst-table.ts';

const NASTY = 'O\'Brien \\ tab\there\nnew line\r\0nul `back` "double" \\N {x:String} \u{1F600} Hà Nội';

describe('real clients of the analysts\' endpoint', () => {
  let rig: AnalystEndpoint;
  let client: ClickHouseClient;

  const post = (body: string | Buffer, search = '', headers: Record<string, string> = {}): Promise<Response> =>
    fetch(`${rig.endpoint.url}/${search}`, { method: 'POST', body, headers: { authorization: rig.auth, ...headers } });

  beforeAll(async () => {
    rig = await startAnalystEndpoint('clients', createAnalystTable);
    client = createClient({ url: rig.endpoint.url, username: ANALYST_USER, password: rig.password, database: rig.database, log: { level: ClickHouseLogLevel.OFF } });
  });
  afterAll(async () => {
    await client?.close();
    await rig?.close();
  });

  it('binds @clickhouse/client parameters of every type exactly as a server does', async () => {
    const cases: Array<[string, string, unknown, unknown]> = [
      ['s', 'String', NASTY, NASTY],
      ['empty', 'String', '', ''],
      ['fixed', 'FixedString(3)', 'a\'b', 'a\'b'],
      ['nullable', 'Nullable(String)', null, null],
      ['nullable_text', 'Nullable(String)', 'O\'Brien \\', 'O\'Brien \\'],
      ['low', 'LowCardinality(String)', 'tab\there', 'tab\there'],
      ['low_nullable', 'LowCardinality(Nullable(String))', null, null],
      ['strings', 'Array(String)', ['a\'b', 'c\\d', 'e\tf', 'g\nh', ''], ['a\'b', 'c\\d', 'e\tf', 'g\nh', '']],
      ['nullable_strings', 'Array(Nullable(String))', ['x', null], ['x', null]],
      ['nested', 'Array(Array(UInt8))', [[1, 2], []], [[1, 2], []]],
      ['i8', 'Int8', -128, -128],
      ['i16', 'Int16', -32768, -32768],
      ['i32', 'Int32', -2147483648, -2147483648],
      ['i64', 'Int64', '-9223372036854775808', '-9223372036854775808'],
      ['i128', 'Int128', '-170141183460469231731687303715884105728', '-170141183460469231731687303715884105728'],
      ['i256', 'Int256', '57896044618658097711785492504343953926634992332820282019728792003956564819967', '57896044618658097711785492504343953926634992332820282019728792003956564819967'],
      ['u8', 'UInt8', 255, 255],
      ['u16', 'UInt16', 65535, 65535],
      ['u32', 'UInt32', 4294967295, 4294967295],
      ['u64', 'UInt64', '18446744073709551615', '18446744073709551615'],
      ['u256', 'UInt256', '115792089237316195423570985008687907853269984665640564039457584007913129639935', '115792089237316195423570985008687907853269984665640564039457584007913129639935'],
      ['f32', 'Float32', 1.5, 1.5],
      ['f64', 'Float64', -0.000123456789, -0.000123456789],
      ['dec', 'Decimal(18, 4)', '-12345678901234.5678', '-12345678901234.5678'],
      ['dec256', 'Decimal256(2)', '1234567890123456789012345678901234567890.12', '1234567890123456789012345678901234567890.12'],
      ['day', 'Date', '2021-08-14', '2021-08-14'],
      ['day32', 'Date32', '1950-01-02', '1950-01-02'],
      ['at', 'DateTime(\'UTC\')', '2021-08-14 10:11:12', '2021-08-14 10:11:12'],
      ['at64', 'DateTime64(3, \'UTC\')', '2021-08-14 10:11:12.345', '2021-08-14 10:11:12.345'],
      ['uuid', 'UUID', '6f1c0a8e-6f4a-5b8e-9d3c-2b1a0f9e8d7c', '6f1c0a8e-6f4a-5b8e-9d3c-2b1a0f9e8d7c'],
      ['v4', 'IPv4', '10.1.2.3', '10.1.2.3'],
      ['v6', 'IPv6', '2001:db8::1', '2001:db8::1'],
      ['yes', 'Bool', true, true],
      ['no', 'Bool', false, false],
      ['map', 'Map(String, UInt32)', { 'it\'s': 1, 'back\\slash': 2 }, { 'it\'s': 1, 'back\\slash': 2 }],
      ['tuple', 'Tuple(String, Int32)', new TupleParam(['a\'b\\c', -7]), ['a\'b\\c', -7]],
      ['nullable_int', 'Nullable(Int64)', null, null],
      ['colour', 'Enum8(\'red\' = 1, \'it\'\'s\' = 2)', 'it\'s', 'it\'s'],
    ];
    const select = cases.map(([name, type]) => `{${name}:${type}} AS ${name}`).join(', ');
    const [row] = await (
      await client.query({
        query: `SELECT ${select}`,
        query_params: Object.fromEntries(cases.map(([name, , value]) => [name, value])),
        format: 'JSONEachRow',
        clickhouse_settings: { output_format_json_quote_64bit_integers: 1, output_format_json_quote_decimals: 1 },
      })
    ).json<Record<string, unknown>>();
    for (const [name, , , expected] of cases) expect([name, row![name]]).toEqual([name, expected]);
  });

  it('keeps parameter values out of the SQL text and answers a value the type cannot hold with the engine\'s error', async () => {
    const injection = '1\' OR 1=1; DROP TABLE analyst_check --';
    const [row] = await (
      await client.query({ query: `SELECT {v:String} AS v, count() AS n FROM ${ANALYST_TABLE} WHERE province = {v:String}`, query_params: { v: injection }, format: 'JSONEachRow' })
    ).json<{ v: string; n: string }>();
    expect(row).toEqual({ v: injection, n: '0' });
    // As from a server: BAD_QUERY_PARAMETER is not among the codes a server answers with 400.
    const wrong = await post('SELECT {n:UInt8}', '?param_n=300x');
    expect(wrong.status).toBe(500);
    expect(await wrong.text()).toMatch(/^Code: 457\. DB::Exception: Value 300x cannot be parsed as UInt8 for query parameter 'n'.*\(BAD_QUERY_PARAMETER\)/);
    const date = await post('SELECT {d:Date}', '?param_d=x');
    expect(date.status).toBe(400);
    expect(await date.text()).toMatch(/\(CANNOT_PARSE_DATE\)/);
    // The raw HTTP forms: \N is NULL for a Nullable placeholder; an escaped quote inside an array.
    const raw = await post('SELECT {s:Nullable(String)} AS s, {a:Array(String)} AS a FORMAT JSONEachRow', `?param_s=${encodeURIComponent('\\N')}&param_a=${encodeURIComponent("['a\\'b']")}`);
    expect(await raw.text()).toBe('{"s":null,"a":["a\'b"]}\n');
  });

  it('hands its own parameters to the engine escaped: a statement it must parse first keeps its tabs, newlines and backslashes', async () => {
    // An unknown first word makes the endpoint ask the engine to parse the statement, binding the
    // statement's text as a parameter; an implicit SELECT then runs as written.
    const response = await post(`province,\t'tab\\there \\\\ back' AS s\nFROM ${ANALYST_TABLE} WHERE province_code = '01'`);
    expect(response.status).toBe(200);
    // TabSeparated escapes the value's tab and backslash again.
    expect(await response.text()).toBe('Hà Nội\ttab\\there \\\\ back\n');
  });

  it('writes compress=1 results as LZ4 blocks whose checksums are CityHash128 v1.0.2, and reads decompress=1 bodies', async () => {
    const query = `SELECT province_code, province FROM ${ANALYST_TABLE} ORDER BY province_code FORMAT TSV`;
    const plain = await (await post(query)).arrayBuffer();
    const response = await post(query, '?compress=1');
    expect(response.status).toBe(200);
    const blocks = Buffer.from(await response.arrayBuffer());
    expect(blocks[16]).toBe(0x82);
    expect(decompressNativeBlocks(blocks, 1 << 20).equals(Buffer.from(plain))).toBe(true);

    const body = await post(await compressNativeBlocks(Buffer.from(query)), '?decompress=1');
    expect(body.status).toBe(200);
    expect(Buffer.from(await body.arrayBuffer()).equals(Buffer.from(plain))).toBe(true);
    const tampered = await compressNativeBlocks(Buffer.from(query));
    tampered[20] = tampered[20]! ^ 1;
    const refused = await post(tampered, '?decompress=1');
    expect(refused.status).toBe(400);
    expect(await refused.text()).toMatch(/decompress=1/);
    const notBlocks = await post('SELECT 1', '?decompress=1');
    expect(notBlocks.status).toBe(400);
  });

  it('refuses request bodies that decode past the query size limit, in every encoding, with a 400', async () => {
    const huge = Buffer.alloc(1024 * 1024, 'a');
    // One LZ4 block: the literal "a", then a match of it 4 + 15 + 255 * 1200 bytes long.
    const lz4Bomb = Buffer.from([0x1f, 0x61, 0x01, 0x00, ...Array<number>(1200).fill(255), 0]);
    const frameHeader = (await import('../../services/clickhouse-endpoint/lz4-frame.ts')).lz4FrameEncode(Buffer.alloc(0)).subarray(0, 7);
    const blockSize = Buffer.alloc(4);
    blockSize.writeUInt32LE(lz4Bomb.length);
    const bodies: Array<[string, Buffer, string]> = [
      ['gzip', zlib.gzipSync(huge), ''],
      ['zstd', zlib.zstdCompressSync(huge), ''],
      ['br', zlib.brotliCompressSync(huge), ''],
      ['lz4', Buffer.concat([frameHeader, blockSize, lz4Bomb, Buffer.alloc(4)]), ''],
      ['', nativeBlock(0x82, lz4Bomb, 20 + 255 * 1200), '?decompress=1'],
    ];
    // A block whose header claims 1 GiB: refused before anything is allocated.
    const claims = await compressNativeBlocks(Buffer.from('SELECT 1'));
    claims.writeUInt32LE(1 << 30, 21);
    bodies.push(['', claims, '?decompress=1&http_native_compression_disable_checksumming_on_decompress=1']);
    for (const [encoding, body, search] of bodies) {
      const response = await post(body, search, encoding === '' ? {} : { 'content-encoding': encoding });
      expect([encoding, search, response.status]).toEqual([encoding, search, 400]);
      expect(await response.text()).toMatch(/Cannot decompress the request body/);
    }
  });

  it('computes the same CityHash128 as the engine writes into its own compressed data files', async () => {
    const table = `hashed_${randomUUID().slice(0, 8)}`;
    await rig.clickhouse.client.command({ query: `CREATE TABLE ${table} (s String, n UInt64) ENGINE = MergeTree ORDER BY n SETTINGS min_bytes_for_wide_part = 0` });
    await rig.clickhouse.client.command({ query: `INSERT INTO ${table} SELECT repeat('ab', number % 97), number FROM numbers(30000)` });
    await rig.clickhouse.client.command({ query: `INSERT INTO ${table} VALUES ('x', 1)` });
    const parts = await (await rig.clickhouse.client.query({ query: `SELECT path FROM system.parts WHERE database = currentDatabase() AND table = '${table}' AND active`, format: 'JSONEachRow' })).json<{ path: string }>();
    const files = parts.flatMap(({ path: folder }) => {
      const absolute = path.isAbsolute(folder) ? folder : path.join(rig.config.clickhouse.dataDir, folder);
      return readdirSync(absolute).filter((name) => name.endsWith('.bin')).map((name) => path.join(absolute, name));
    });
    let checked = 0;
    const lengths = new Set<number>();
    for (const file of files) {
      const data = readFileSync(file);
      for (let at = 0; at < data.length; ) {
        const size = data.readUInt32LE(at + 17);
        expect(cityHash128(data.subarray(at + 16, at + 16 + size)).equals(data.subarray(at, at + 16))).toBe(true);
        lengths.add(size < 128 ? 0 : 1);
        checked++;
        at += 16 + size;
      }
    }
    expect(checked).toBeGreaterThan(3);
    expect(lengths).toEqual(new Set([0, 1]));
    await rig.clickhouse.client.command({ query: `DROP TABLE ${table}` });
  });

  it('negotiates HTTP compression as a server: only with enable_http_compression=1, in an encoding the client accepts', async () => {
    const query = `SELECT * FROM ${ANALYST_TABLE} ORDER BY province_code FORMAT JSONEachRow`;
    const plain = Buffer.from(await (await post(query)).arrayBuffer());
    const decoders: Record<string, (body: Buffer) => Buffer> = {
      gzip: (body) => zlib.gunzipSync(body),
      deflate: (body) => zlib.inflateSync(body),
      br: (body) => zlib.brotliDecompressSync(body),
      zstd: (body) => zlib.zstdDecompressSync(body),
      lz4: (body) => lz4FrameDecode(body, 1 << 20),
    };
    for (const [encoding, decode] of Object.entries(decoders)) {
      // fetch would undo gzip/deflate/br itself; node's http module shows the bytes as sent.
      const { headers, body } = await rawPost(`${rig.endpoint.url}/?enable_http_compression=1`, query, { authorization: rig.auth, 'accept-encoding': encoding });
      expect([encoding, headers['content-encoding']]).toEqual([encoding, encoding]);
      expect(decode(body).equals(plain)).toBe(true);
    }
    const both = await rawPost(`${rig.endpoint.url}/?enable_http_compression=1&compress=1`, query, { authorization: rig.auth, 'accept-encoding': 'zstd' });
    expect(decompressNativeBlocks(zlib.zstdDecompressSync(both.body), 1 << 20).equals(plain)).toBe(true);
    const off = await rawPost(`${rig.endpoint.url}/`, query, { authorization: rig.auth, 'accept-encoding': 'gzip, br, zstd, lz4' });
    expect(off.headers['content-encoding']).toBeUndefined();
    expect(off.body.equals(plain)).toBe(true);

    const compressed = createClient({ url: rig.endpoint.url, username: ANALYST_USER, password: rig.password, database: rig.database, compression: { response: true, request: true }, log: { level: ClickHouseLogLevel.OFF } });
    try {
      const rows = await (await compressed.query({ query: `SELECT province FROM ${ANALYST_TABLE} WHERE province_code = {c:String}`, query_params: { c: '48' }, format: 'JSONEachRow' })).json();
      expect(rows).toEqual([{ province: 'Đà Nẵng' }]);
    } finally {
      await compressed.close();
    }
    const zstdBody = await post(zlib.zstdCompressSync(Buffer.from('SELECT 41 + 1')), '', { 'content-encoding': 'zstd' });
    expect(await zstdBody.text()).toBe('42\n');
    const unknown = await post('SELECT 1', '', { 'content-encoding': 'snappy' });
    expect(unknown.status).toBe(501);
  });
});

/** One compressed block of ClickHouse's format around `payload`, with its checksum. */
function nativeBlock(method: number, payload: Buffer, decodedSize: number): Buffer {
  const header = Buffer.alloc(9);
  header[0] = method;
  header.writeUInt32LE(9 + payload.length, 1);
  header.writeUInt32LE(decodedSize, 5);
  const block = Buffer.concat([header, payload]);
  return Buffer.concat([cityHash128(block), block]);
}

async function rawPost(url: string, body: string, headers: Record<string, string>): Promise<{ headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  const { request } = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ headers: response.headers, body: Buffer.concat(chunks) }));
      response.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
