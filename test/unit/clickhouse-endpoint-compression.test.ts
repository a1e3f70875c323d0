/**
 * The endpoint's compression pieces on plain bytes: LZ4 blocks and frames, ClickHouse's native
 * blocks, XXH32 against its published vectors, and the choice of HTTP encoding. CityHash128 is
 * checked against the engine's own checksums in test/integration/clickhouse-native-compression.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chooseResponseEncoding, decodeRequestBody, encodeResponse } from '../../services/clickhouse-endpoint/http-encoding.ts';
import { lz4CompressBlock, lz4DecodeBlock } from '../../services/clickhouse-endpoint/lz4-block.ts';
import { lz4FrameDecode, lz4FrameEncode, xxh32 } from '../../services/clickhouse-endpoint/lz4-frame.ts';
import { compressNativeBlocks, decompressNativeBlocks } from '../../services/clickhouse-endpoint/native-compression.ts';

const SIZES = [0, 1, 14, 15, 16, 269, 270, 271, 70_000, 1024 * 1024 + 3];

describe('LZ4 blocks', () => {
  it('round-trips random and repetitive data of every length class, and compresses what repeats', () => {
    const text = Buffer.from('province_code\tHà Nội\t2021-08-14\t1200\n'.repeat(40_000));
    for (const size of SIZES) {
      for (const data of [randomBytes(size), Buffer.alloc(size, 7), text.subarray(0, size)]) {
        const compressed = lz4CompressBlock(data);
        expect(lz4DecodeBlock(compressed, size).equals(data)).toBe(true);
        expect(compressed.length).toBeLessThanOrEqual(size + Math.ceil(size / 255) + 16);
      }
    }
    expect(lz4CompressBlock(text).length).toBeLessThan(text.length / 20);
  });

  it('decodes matches, overlapping ones included, and refuses what points outside the block', () => {
    // Token: 2 literals, match of 4+2; "ab" then offset 2 → "abababab".
    const block = Buffer.from([0x22, 0x61, 0x62, 0x02, 0x00, 0x00]);
    expect(lz4DecodeBlock(block, 8).toString()).toBe('abababab');
    expect(() => lz4DecodeBlock(Buffer.from([0x22, 0x61, 0x62, 0x05, 0x00, 0x00]), 8)).toThrow(/offset/);
    expect(() => lz4DecodeBlock(Buffer.from([0x22, 0x61, 0x62, 0x02, 0x00, 0x00]), 7)).toThrow(/overruns/);
    expect(() => lz4DecodeBlock(Buffer.from([0xf0]), 100)).toThrow(/ends inside a length/);
  });
});

describe('LZ4 frames', () => {
  it('computes XXH32 as published', () => {
    expect(xxh32(Buffer.from(''))).toBe(0x02cc5d05);
    expect(xxh32(Buffer.from('a'))).toBe(0x550d7456);
    expect(xxh32(Buffer.from('abc'))).toBe(0x32d153ff);
    expect(xxh32(Buffer.from('Nobody inspects the spammish repetition'))).toBe(0xe2293b2f);
  });

  it('round-trips, reads compressed blocks and refuses a broken descriptor or an oversize body', () => {
    for (const size of [0, 5, 5 * 1024 * 1024]) {
      const data = randomBytes(size);
      expect(lz4FrameDecode(lz4FrameEncode(data), 8 * 1024 * 1024).equals(data)).toBe(true);
    }
    const compressedBlock = Buffer.from([0x22, 0x61, 0x62, 0x02, 0x00, 0x00]);
    const frame = lz4FrameEncode(Buffer.alloc(0)).subarray(0, 7);
    const size = Buffer.alloc(4);
    size.writeUInt32LE(compressedBlock.length);
    expect(lz4FrameDecode(Buffer.concat([frame, size, compressedBlock, Buffer.alloc(4)]), 100).toString()).toBe('abababab');

    const broken = lz4FrameEncode(Buffer.from('hello'));
    broken[6] = broken[6]! ^ 0xff;
    expect(() => lz4FrameDecode(broken, 100)).toThrow(/descriptor checksum/);
    expect(() => lz4FrameDecode(lz4FrameEncode(randomBytes(200)), 100)).toThrow(/exceeds 100 bytes/);
    expect(() => lz4FrameDecode(lz4FrameEncode(Buffer.alloc(200)), 100)).toThrow(/overruns the block's 101 bytes/);
    expect(() => lz4FrameDecode(lz4FrameEncode(Buffer.from('hello')).subarray(0, 12), 100)).toThrow(/cut short/);
  });
});

describe('ClickHouse native blocks', () => {
  it('round-trips in LZ4 blocks of at most 1 MiB, each with the 0x82 method byte and its sizes', async () => {
    for (const size of SIZES) {
      const data = randomBytes(size);
      const blocks = await compressNativeBlocks(data);
      expect(decompressNativeBlocks(blocks, 4 * 1024 * 1024).equals(data)).toBe(true);
      if (size > 0) {
        expect(blocks[16]).toBe(0x82);
        expect(blocks.readUInt32LE(21)).toBe(Math.min(size, 1024 * 1024));
      }
    }
    expect((await compressNativeBlocks(Buffer.alloc(0))).length).toBe(0);
  });

  it('refuses a wrong checksum unless checksumming is disabled, an unknown method, a cut block and an oversize body', async () => {
    const blocks = await compressNativeBlocks(Buffer.from('SELECT 1'));
    const tampered = Buffer.from(blocks);
    tampered[0] = tampered[0]! ^ 1;
    expect(() => decompressNativeBlocks(tampered, 100)).toThrow(/checksum/);
    expect(decompressNativeBlocks(tampered, 100, false).toString()).toBe('SELECT 1');
    const unknown = Buffer.from(blocks);
    unknown[16] = 0x91;
    expect(() => decompressNativeBlocks(unknown, 100, false)).toThrow(/unknown compression method 0x91/);
    expect(() => decompressNativeBlocks(blocks.subarray(0, blocks.length - 1), 100)).toThrow(/declares/);
    expect(() => decompressNativeBlocks(blocks, 4)).toThrow(/exceeds 4 bytes/);
  });
});

describe('HTTP encodings', () => {
  it('picks the first method the client accepts, in the server\'s order; weight zero refuses', () => {
    expect(chooseResponseEncoding('gzip, deflate, br, zstd')).toBe('zstd');
    expect(chooseResponseEncoding('lz4')).toBe('lz4');
    expect(chooseResponseEncoding('gzip;q=0.5, br;q=0')).toBe('gzip');
    expect(chooseResponseEncoding('identity')).toBeNull();
    expect(chooseResponseEncoding(undefined)).toBeNull();
  });

  it('decodes every encoding it answers in, and refuses an unknown one', async () => {
    const data = randomBytes(50_000);
    for (const encoding of ['zstd', 'br', 'lz4', 'gzip', 'deflate'] as const) {
      expect((await decodeRequestBody(encoding, await encodeResponse(encoding, data), 60_000)).equals(data)).toBe(true);
      await expect(decodeRequestBody(encoding, await encodeResponse(encoding, data), 1000)).rejects.toThrow();
    }
    await expect(decodeRequestBody('snappy', data, 60_000)).rejects.toThrow(/Unknown HTTP compression method "snappy"/);
  });
});
