/**
 * Splits a byte stream into physical lines, keeping each line's number and the byte offset after
 * it, so a reader can stop after any line and later resume at exactly that byte. Works on bytes:
 * `\n` never occurs inside a multi-byte UTF-8 sequence, so no character is ever cut in two.
 */

export interface LinePosition {
  /** Byte offset in the file where the line starts. */
  byte: number;
  /** 1-based line number. */
  line: number;
}

export interface PhysicalLine {
  /** The line without its terminator (and without a byte-order mark on the file's first line). */
  bytes: Buffer;
  /** `\r\n`, `\n`, or '' for a last line without one. */
  terminator: string;
  line: number;
  /** Byte offset just after the line and its terminator: where the next line starts. */
  end: number;
}

const LF = 0x0a;
const CR = 0x0d;
export const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

function physicalLine(bytes: Buffer, terminated: boolean, line: number, end: number): PhysicalLine {
  if (terminated && bytes.length > 0 && bytes[bytes.length - 1] === CR) {
    return { bytes: bytes.subarray(0, -1), terminator: '\r\n', line, end };
  }
  return { bytes, terminator: terminated ? '\n' : '', line, end };
}

/** The lines of `chunks`, which start at `from` in the file (chunks as a file read stream yields them). */
export async function* splitLines(chunks: AsyncIterable<Buffer>, from: LinePosition): AsyncGenerator<PhysicalLine> {
  let pending: Buffer = Buffer.alloc(0);
  let byte = from.byte;
  let line = from.line;
  let atFileStart = from.byte === 0;
  for await (const chunk of chunks) {
    let data: Buffer = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
    if (atFileStart) {
      // A byte-order mark is decided by the first three bytes: wait until there are three.
      if (data.length < UTF8_BOM.length && UTF8_BOM.subarray(0, data.length).equals(data)) {
        pending = data;
        continue;
      }
      atFileStart = false;
      if (data.subarray(0, UTF8_BOM.length).equals(UTF8_BOM)) {
        data = data.subarray(UTF8_BOM.length);
        byte += UTF8_BOM.length;
      }
    }
    let start = 0;
    for (let newline = data.indexOf(LF); newline !== -1; newline = data.indexOf(LF, start)) {
      byte += newline + 1 - start;
      yield physicalLine(data.subarray(start, newline), true, line, byte);
      line += 1;
      start = newline + 1;
    }
    pending = data.subarray(start);
  }
  if (pending.length > 0) yield physicalLine(pending, false, line, byte + pending.length);
}
