/**
 * ClickHouse's own block compression of HTTP bodies (`compress=1` for results, `decompress=1` for
 * request bodies). Each block is: a 16-byte CityHash128 (v1.0.2) of the rest, a method byte, the
 * block's size with its 9-byte header and its decoded size (both 4 bytes little-endian), then the
 * data. Results are written as LZ4 blocks (the method the JDBC driver and clickhouse-client expect);
 * request bodies may use LZ4, ZSTD or no compression, as a server reads them.
 */
import { setImmediate } from 'node:timers/promises';
import zlib from 'node:zlib';
import { cityHash128 } from './cityhash128.ts';
import { lz4CompressBlock, lz4DecodeBlock } from './lz4-block.ts';

const METHOD_NONE = 0x02;
const METHOD_LZ4 = 0x82;
const METHOD_ZSTD = 0x90;
const HEADER = 9;
const CHECKSUM = 16;
/** ClickHouse's max_compress_block_size. */
const BLOCK_BYTES = 1024 * 1024;

/**
 * `data` as LZ4 blocks of at most 1 MiB; nothing at all for an empty result, as from a server. The
 * checksum costs some 30 ms per block, so the event loop is let go between blocks: other
 * analysts' requests are not held up by one large compressed result.
 */
export async function compressNativeBlocks(data: Uint8Array): Promise<Buffer> {
  const blocks: Buffer[] = [];
  for (let start = 0; start < data.length; start += BLOCK_BYTES) {
    if (start > 0) await setImmediate();
    const chunk = data.subarray(start, start + BLOCK_BYTES);
    const compressed = lz4CompressBlock(chunk);
    const block = Buffer.allocUnsafe(CHECKSUM + HEADER + compressed.length);
    block[CHECKSUM] = METHOD_LZ4;
    block.writeUInt32LE(HEADER + compressed.length, CHECKSUM + 1);
    block.writeUInt32LE(chunk.length, CHECKSUM + 5);
    block.set(compressed, CHECKSUM + HEADER);
    cityHash128(block.subarray(CHECKSUM)).copy(block, 0);
    blocks.push(block);
  }
  return Buffer.concat(blocks);
}

/**
 * Decodes a body of compressed blocks, up to `maxBytes` decoded; `verifyChecksums` false is the
 * server's `http_native_compression_disable_checksumming_on_decompress`.
 */
export function decompressNativeBlocks(data: Uint8Array, maxBytes: number, verifyChecksums = true): Buffer {
  const parts: Buffer[] = [];
  let decoded = 0;
  const view = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  let at = 0;
  while (at < data.length) {
    if (at + CHECKSUM + HEADER > data.length) throw new Error(`compressed block at byte ${at} is cut short`);
    const method = data[at + CHECKSUM]!;
    const size = view.readUInt32LE(at + CHECKSUM + 1);
    const decodedSize = view.readUInt32LE(at + CHECKSUM + 5);
    if (size < HEADER || at + CHECKSUM + size > data.length) throw new Error(`compressed block at byte ${at} declares ${size} bytes, the body has fewer`);
    decoded += decodedSize;
    if (decoded > maxBytes) throw new Error(`decompressed body exceeds ${maxBytes} bytes`);
    const block = data.subarray(at + CHECKSUM, at + CHECKSUM + size);
    if (verifyChecksums && !cityHash128(block).equals(data.subarray(at, at + CHECKSUM))) {
      throw new Error(`checksum of the compressed block at byte ${at} does not match its data`);
    }
    const payload = block.subarray(HEADER);
    let part: Buffer;
    if (method === METHOD_LZ4) part = lz4DecodeBlock(payload, decodedSize);
    else if (method === METHOD_NONE) part = Buffer.from(payload);
    else if (method === METHOD_ZSTD) part = zlib.zstdDecompressSync(payload, { maxOutputLength: decodedSize });
    else throw new Error(`unknown compression method 0x${method.toString(16)} in the block at byte ${at}`);
    if (part.length !== decodedSize) throw new Error(`the block at byte ${at} decodes to ${part.length} bytes, its header says ${decodedSize}`);
    parts.push(part);
    at += CHECKSUM + size;
  }
  return Buffer.concat(parts);
}
