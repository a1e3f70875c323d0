import { describe, expect, it } from 'vitest';
import { splitLines, type PhysicalLine } from '../../connectors/file/line-splitter.ts';

async function lines(chunks: string[], from = { byte: 0, line: 1 }): Promise<{ text: string; terminator: string; line: number; end: number }[]> {
  async function* source() {
    for (const chunk of chunks) yield Buffer.from(chunk, 'latin1');
  }
  const out: PhysicalLine[] = [];
  for await (const line of splitLines(source(), from)) out.push(line);
  return out.map((line) => ({ text: line.bytes.toString('latin1'), terminator: line.terminator, line: line.line, end: line.end }));
}

describe('line splitter', () => {
  it('splits on LF, strips CR of CRLF, and keeps a last line without terminator', async () => {
    expect(await lines(['ab\r\ncd\nef'])).toEqual([
      { text: 'ab', terminator: '\r\n', line: 1, end: 4 },
      { text: 'cd', terminator: '\n', line: 2, end: 7 },
      { text: 'ef', terminator: '', line: 3, end: 9 },
    ]);
  });

  it('joins lines cut across chunks', async () => {
    expect(await lines(['a', 'b\r', '\nc', 'd\n'])).toEqual([
      { text: 'ab', terminator: '\r\n', line: 1, end: 4 },
      { text: 'cd', terminator: '\n', line: 2, end: 7 },
    ]);
  });

  it('counts a byte-order mark in the byte offsets but not in the first line', async () => {
    expect(await lines(['\xef\xbb', '\xbfab\n'])).toEqual([{ text: 'ab', terminator: '\n', line: 1, end: 6 }]);
  });

  it('continues numbering from a resumed position and leaves a BOM-like start alone there', async () => {
    expect(await lines(['\xef\xbb\xbfx\n'], { byte: 10, line: 5 })).toEqual([{ text: '\xef\xbb\xbfx', terminator: '\n', line: 5, end: 15 }]);
  });

  it('yields nothing for an empty input', async () => {
    expect(await lines([])).toEqual([]);
  });
});
