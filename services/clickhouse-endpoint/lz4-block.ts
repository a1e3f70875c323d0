/**
 * The LZ4 block format: a greedy compressor (one hash table of 4-byte sequences, no chains: fast
 * and plain rather than as dense as the reference compressor) and a full decoder for the blocks
 * clients send.
 */

const MIN_MATCH = 4;
/** The format's end rules: the last 5 bytes are literals, and no match starts in the last 12. */
const LAST_LITERALS = 5;
const MATCH_START_LIMIT = 12;
const MAX_OFFSET = 65_535;
const HASH_BITS = 16;

/** Compresses `data` into one LZ4 block (at most `data.length + data.length / 255 + 16` bytes). */
export function lz4CompressBlock(data: Uint8Array): Buffer {
  const length = data.length;
  const out = Buffer.allocUnsafe(length + Math.ceil(length / 255) + 16);
  let written = 0;
  const writeLength = (rest: number): void => {
    while (rest >= 255) {
      out[written++] = 255;
      rest -= 255;
    }
    out[written++] = rest;
  };
  const emit = (literalsFrom: number, literalsTo: number, offset: number, matchLength: number): void => {
    const literals = literalsTo - literalsFrom;
    const matchCode = matchLength - MIN_MATCH;
    out[written++] = (Math.min(literals, 15) << 4) | (matchLength === 0 ? 0 : Math.min(matchCode, 15));
    if (literals >= 15) writeLength(literals - 15);
    out.set(data.subarray(literalsFrom, literalsTo), written);
    written += literals;
    if (matchLength === 0) return;
    out[written++] = offset & 0xff;
    out[written++] = offset >> 8;
    if (matchCode >= 15) writeLength(matchCode - 15);
  };
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const table = new Int32Array(1 << HASH_BITS).fill(-1);
  const matchEndLimit = length - LAST_LITERALS;
  let anchor = 0;
  // As the reference compressor does, the search steps faster the longer it finds nothing, so data
  // that does not compress costs little.
  let misses = 0;
  for (let at = 0; at + MATCH_START_LIMIT < length; ) {
    const sequence = view.getUint32(at, true);
    const slot = Math.imul(sequence, 2654435761) >>> (32 - HASH_BITS);
    const candidate = table[slot]!;
    table[slot] = at;
    if (candidate < 0 || at - candidate > MAX_OFFSET || view.getUint32(candidate, true) !== sequence) {
      at += 1 + (misses++ >> 6);
      continue;
    }
    misses = 0;
    let matchLength = MIN_MATCH;
    while (at + matchLength < matchEndLimit && data[candidate + matchLength] === data[at + matchLength]) matchLength++;
    emit(anchor, at, at - candidate, matchLength);
    at += matchLength;
    anchor = at;
  }
  emit(anchor, length, 0, 0);
  return out.subarray(0, written);
}

/** Decodes one LZ4 block into at most `capacity` bytes; any inconsistency is an error. */
export function lz4DecodeBlock(input: Uint8Array, capacity: number): Buffer {
  const out = Buffer.alloc(capacity);
  let at = 0;
  let written = 0;
  const readLength = (start: number): number => {
    let length = start;
    if (start === 15) {
      let byte: number;
      do {
        if (at >= input.length) throw new Error('LZ4 block ends inside a length');
        byte = input[at++]!;
        length += byte;
      } while (byte === 255);
    }
    return length;
  };
  while (at < input.length) {
    const token = input[at++]!;
    const literals = readLength(token >> 4);
    if (at + literals > input.length || written + literals > capacity) throw new Error(`LZ4 literals overrun the block's ${capacity} bytes`);
    out.set(input.subarray(at, at + literals), written);
    at += literals;
    written += literals;
    if (at === input.length) break;
    if (at + 2 > input.length) throw new Error('LZ4 block ends inside a match offset');
    const offset = input[at]! | (input[at + 1]! << 8);
    at += 2;
    if (offset === 0 || offset > written) throw new Error('LZ4 match offset points before the block');
    const matchLength = readLength(token & 15) + 4;
    if (written + matchLength > capacity) throw new Error(`LZ4 match overruns the block's ${capacity} bytes`);
    // Byte by byte: a match may overlap the bytes it produces.
    for (let i = 0; i < matchLength; i++, written++) out[written] = out[written - offset]!;
  }
  return out.subarray(0, written);
}
