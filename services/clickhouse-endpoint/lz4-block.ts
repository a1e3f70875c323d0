/**
 * The LZ4 block format, as far as the endpoint needs it: an encoder that writes every byte as a
 * literal (a valid LZ4 block every decoder reads; results are sent compressed when a client asks,
 * not to save bytes), and a full decoder for the blocks clients send.
 */

/** One LZ4 sequence holding `data` as literals: a token, the length's extra bytes, the bytes. */
export function lz4EncodeLiterals(data: Uint8Array): Buffer {
  const length = data.length;
  const extra = length >= 15 ? Math.floor((length - 15) / 255) + 1 : 0;
  const out = Buffer.allocUnsafe(1 + extra + length);
  out[0] = Math.min(length, 15) << 4;
  let at = 1;
  if (length >= 15) {
    let rest = length - 15;
    while (rest >= 255) {
      out[at++] = 255;
      rest -= 255;
    }
    out[at++] = rest;
  }
  out.set(data, at);
  return out;
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
