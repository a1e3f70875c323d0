/**
 * The LZ4 frame format (what `Content-Encoding: lz4` carries, as ClickHouse's HTTP interface writes
 * it): magic, a frame descriptor with its XXH32-derived checksum byte, blocks, an end mark. A block
 * that LZ4 does not make smaller is stored (the format's "uncompressed block" flag).
 */
import { lz4CompressBlock, lz4DecodeBlock } from './lz4-block.ts';

const MAGIC = 0x184d2204;
/** Frame blocks of at most 4 MiB (block-maximum-size code 7). */
const BLOCK_BYTES = 4 * 1024 * 1024;
const UNCOMPRESSED_FLAG = 0x80000000;
const PRIME1 = 0x9e3779b1;
const PRIME2 = 0x85ebca77;
const PRIME3 = 0xc2b2ae3d;
const PRIME4 = 0x27d4eb2f;
const PRIME5 = 0x165667b1;

const rotl = (x: number, r: number): number => ((x << r) | (x >>> (32 - r))) >>> 0;
const round = (acc: number, input: number): number => Math.imul(rotl((acc + Math.imul(input, PRIME2)) >>> 0, 13), PRIME1) >>> 0;

/** XXH32 with seed 0: the frame descriptor's checksum is its second byte. */
export function xxh32(data: Uint8Array): number {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const len = data.length;
  let at = 0;
  let h: number;
  if (len >= 16) {
    let v1 = (PRIME1 + PRIME2) >>> 0;
    let v2 = PRIME2;
    let v3 = 0;
    let v4 = (0 - PRIME1) >>> 0;
    for (; at + 16 <= len; at += 16) {
      v1 = round(v1, view.getUint32(at, true));
      v2 = round(v2, view.getUint32(at + 4, true));
      v3 = round(v3, view.getUint32(at + 8, true));
      v4 = round(v4, view.getUint32(at + 12, true));
    }
    h = (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) >>> 0;
  } else {
    h = PRIME5;
  }
  h = (h + len) >>> 0;
  for (; at + 4 <= len; at += 4) h = Math.imul(rotl((h + Math.imul(view.getUint32(at, true), PRIME3)) >>> 0, 17), PRIME4) >>> 0;
  for (; at < len; at++) h = Math.imul(rotl((h + Math.imul(data[at]!, PRIME5)) >>> 0, 11), PRIME1) >>> 0;
  h = Math.imul(h ^ (h >>> 15), PRIME2) >>> 0;
  h = Math.imul(h ^ (h >>> 13), PRIME3) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

export function lz4FrameEncode(data: Uint8Array): Buffer {
  // Version 01, independent blocks, no block or content checksums; 4 MiB blocks.
  const descriptor = Buffer.from([0x60, 0x70]);
  const header = Buffer.alloc(7);
  header.writeUInt32LE(MAGIC, 0);
  descriptor.copy(header, 4);
  header[6] = (xxh32(descriptor) >>> 8) & 0xff;
  const parts: Buffer[] = [header];
  for (let start = 0; start < data.length; start += BLOCK_BYTES) {
    const chunk = data.subarray(start, start + BLOCK_BYTES);
    const compressed = lz4CompressBlock(chunk);
    const stored = compressed.length >= chunk.length;
    const size = Buffer.alloc(4);
    size.writeUInt32LE(stored ? (UNCOMPRESSED_FLAG | chunk.length) >>> 0 : compressed.length, 0);
    parts.push(size, stored ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength) : compressed);
  }
  parts.push(Buffer.alloc(4));
  return Buffer.concat(parts);
}

const BLOCK_MAXIMUM: Record<number, number> = { 4: 64 * 1024, 5: 256 * 1024, 6: 1024 * 1024, 7: 4 * 1024 * 1024 };

/** Decodes one or more concatenated LZ4 frames, up to `maxBytes` decoded. */
export function lz4FrameDecode(input: Uint8Array, maxBytes: number): Buffer {
  const view = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const parts: Buffer[] = [];
  let decoded = 0;
  let at = 0;
  const need = (bytes: number): void => {
    if (at + bytes > view.length) throw new Error(`LZ4 frame cut short at byte ${at}`);
  };
  while (at < view.length) {
    need(7);
    if (view.readUInt32LE(at) !== MAGIC) throw new Error(`no LZ4 frame magic at byte ${at}`);
    const flags = view[at + 4]!;
    const blockCode = (view[at + 5]! >> 4) & 7;
    if (flags >> 6 !== 1) throw new Error('unsupported LZ4 frame version');
    const blockChecksums = (flags & 0x10) !== 0;
    const contentSize = (flags & 0x08) !== 0;
    const contentChecksum = (flags & 0x04) !== 0;
    const dictionary = (flags & 0x01) !== 0;
    if (dictionary) throw new Error('LZ4 frames with a dictionary are not supported');
    const descriptorLength = 2 + (contentSize ? 8 : 0);
    need(4 + descriptorLength + 1);
    const descriptor = view.subarray(at + 4, at + 4 + descriptorLength);
    if (((xxh32(descriptor) >>> 8) & 0xff) !== view[at + 4 + descriptorLength]) throw new Error('LZ4 frame descriptor checksum does not match');
    const blockMaximum = BLOCK_MAXIMUM[blockCode];
    if (blockMaximum === undefined) throw new Error('invalid LZ4 frame block size');
    at += 4 + descriptorLength + 1;
    for (;;) {
      need(4);
      const word = view.readUInt32LE(at);
      at += 4;
      if (word === 0) break;
      const size = word & 0x7fffffff;
      need(size + (blockChecksums ? 4 : 0));
      const block = view.subarray(at, at + size);
      if (blockChecksums && xxh32(block) !== view.readUInt32LE(at + size)) throw new Error('LZ4 block checksum does not match');
      // A frame block's decoded size is not written down: decode into the most it may hold, which
      // LZ4's densest encoding (a byte of length per 255 bytes of match) also bounds, so a body of
      // many tiny blocks cannot make the decoder allocate far more than it could ever fill.
      const capacity = Math.min(blockMaximum, maxBytes - decoded + 1, size * 255 + 16);
      const out = word & UNCOMPRESSED_FLAG ? Buffer.from(block) : lz4DecodeBlock(block, capacity);
      decoded += out.length;
      if (out.length > blockMaximum || decoded > maxBytes) throw new Error(`decompressed body exceeds ${maxBytes} bytes`);
      parts.push(out);
      at += size + (blockChecksums ? 4 : 0);
    }
    if (contentChecksum) {
      need(4);
      at += 4;
    }
  }
  return Buffer.concat(parts);
}
